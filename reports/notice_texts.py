"""The wording of each notice (告知书) from the facts the services gathered.

Every statement of a result carries the rule it comes from (document number and article, as the
policy engine names it); every notice that opens a remedy says to whom, within how long (counted from
delivery, as the law counts it) and under which article.
"""
from __future__ import annotations

from datetime import date

from reports import gbt9704 as g
from reports.forms import table
from reports.story import Spec, Story, cn_date, cn_number, per, remedy

SUBJECT_YOU = {"institution": "你单位", "practitioner": "你", "insured": "你"}


def _period(m: dict) -> str:
    if m.get("start") and m.get("end"):
        return f"自{cn_date(m['start'])}起至{cn_date(m['end'])}止"
    if m.get("start"):
        return f"自{cn_date(m['start'])}起"
    return ""


def _issued_on(facts: dict) -> date:
    stamp = facts.get("_stamp")
    return stamp.issued_on if stamp else date.today()


def _over(m: dict, facts: dict) -> str:
    """A period already over on the 成文日期 is stated as such, not announced as if it were to come."""
    if m.get("end") and date.fromisoformat(str(m["end"])[:10]) < _issued_on(facts):
        return f"该期限已于{cn_date(m['end'])}届满。"
    return ""


def decision(r: dict) -> str:
    """The decision a notice reports: who decided what, when, under which case number, for which violation."""
    who = r.get("institution") or "你所在定点医药机构"
    return (f"{who}于{cn_date(r['decision_date'])}被作出{r.get('decision_type') or '处理'}决定（{r['case_no']}），"
            f"违法违规情形为“{r['kind_name']}”")


class Sections:
    """一、二、… numbered as they occur, so a section with nothing to say leaves no gap."""

    def __init__(self, story: Story):
        self.story, self.n = story, 0

    def __call__(self, text: str) -> None:
        self.story.h1(f"{cn_number(self.n + 1)}、{text}")
        self.n += 1


def _points(story: Story, points: dict, h: Sections) -> None:
    if not points or not points.get("entries"):
        return
    h("医保支付资格记分")
    story.para(f"{points['year']}年度累计记分{points['total']}分，明细如下：")
    for i, e in enumerate(points["entries"], 1):
        scored = f"记{e['points']}分" if e.get("points") is not None else "尚未认定责任，暂不记分"
        story.para(f"（{cn_number(i)}）{cn_date(e['date'])}，{e.get('kind_name') or e['kind']}，{scored}{per(e['basis'])}。")


def _measures(story: Story, measures: list[dict], h: Sections, heading: str = "信用管理措施") -> None:
    if not measures:
        return
    h(heading)
    for i, m in enumerate(measures, 1):
        period = _period(m)
        story.para(f"（{cn_number(i)}）{m['name']}{('，' + period) if period else ''}，{m.get('status_text', '')}。"
                   f"依据：{m['basis']}。" + (m["note"].rstrip("。") + "。" if m.get("note") else ""))


def credit_result(story: Story, facts: dict, number: str) -> Spec:
    ev = facts["evaluation"]
    s = facts["subject"]

    def body(st: Story) -> None:
        st.addressee(s["name"])
        st.para(f"根据{facts['basis_documents']}等规定，我局对{SUBJECT_YOU[s['type']]}截至{cn_date(ev['as_of'])}的"
                "医疗保障信用情况进行了评价。现将结果告知如下：")
        h = Sections(st)
        if ev.get("score") is not None:
            h("信用评价结果")
            sample = "（按本局示例评价指标体系计算）" if ev.get("score_is_sample") else ""
            st.para(f"信用分{ev['score']}分{sample}，信用等级为“{ev['grade'] or '未评定'}”"
                    f"{per(ev.get('grade_basis') or '本局评价指标体系')}。")
            ratio = ev.get("inspection_ratio")
            if ratio:
                st.para(f"在“双随机、一公开”监管中，{ratio['text']}{per(ratio['basis'])}。")
        _points(st, ev.get("points"), h)
        _measures(st, ev.get("measures"), h)
        if ev.get("lists"):
            h("信用名单")
            for li in ev["lists"]:
                st.para(f"自{cn_date(li['since'])}起列入{li['list_name']}{per(li['basis'])}。")
        if not (ev.get("score") is not None or (ev.get("points") or {}).get("entries") or ev.get("measures")
                or ev.get("lists")):
            h("评价结论")
            st.para("评价期内未发现不良信息，未采取信用管理措施。")
        h("异议权利")
        st.para(remedy(facts, "objection"))

    return Spec("信用结果告知书", body)


def points_notice(story: Story, facts: dict, number: str) -> Spec:
    r, s = facts["record"], facts["subject"]

    def body(st: Story) -> None:
        st.addressee(s["name"])
        st.para(f"{decision(r)}。经责任认定，你为该案{r.get('responsibility') or '相关'}责任人员。根据{facts['basis']}，"
                f"对你记{facts['points']}分，记分时点为{cn_date(r['decision_date'])}。")
        st.para(f"截至本告知书作出之日，你{facts['year']}年度医保支付资格累计记分{facts['year_total']}分。记分在一个自然年度内"
                "累加计算，下一个自然年度自动清零，已作出的处理不停止执行。")
        for m in facts.get("measures", []):
            st.para(f"累计记分已达到规定分值：{m['name']}{('（' + m['note'] + '）') if m.get('note') else ''}，"
                    f"依据{m['basis']}，处理决定另行书面告知。")
        if facts.get("institutions"):
            st.para(f"本次记分情况已同时通报你登记备案的定点医药机构：{'、'.join(facts['institutions'])}。")
        st.para(remedy(facts, "appeal"))

    return Spec("记分告知书", body)


def pq_measure(story: Story, facts: dict, number: str) -> Spec:
    m, s = facts["measure"], facts["subject"]
    terminate = m["kind"] == "terminate_payment_qualification"

    def body(st: Story) -> None:
        st.addressee(s["name"])
        r = facts["record"]
        st.para(f"{decision(r)}。经责任认定，你为该案{r.get('responsibility') or '相关'}责任人员，"
                f"依据{facts['points_basis']}记{facts['points']}分，你{facts['year']}年度医保支付资格累计记分"
                f"{facts['year_total']}分。")
        st.para(f"根据{m['basis']}，决定{m['name']}" + (f"，期限{m['months']}个月" if m.get("months") else "")
                + f"，{_period(m)}。" + (f"确定期限的理由：{m['reason']}。" if m.get("reason") else "") + _over(m, facts))
        if facts.get("ban"):
            b = facts["ban"]
            st.para(f"{b['name']}，{_period(b)}{per(b['basis'])}。")
        st.para(f"{'终止' if terminate else '暂停'}期间，除急诊、抢救等特殊情形外，你提供医药服务发生的医保费用，医保基金"
                "不予结算支付；你登记备案的各定点医药机构的登记备案状态同时变更（济医保发〔2025〕6号 四（三））。")
        if facts.get("institutions"):
            st.para(f"本决定同时通报：{'、'.join(facts['institutions'])}。")
        if not terminate:
            st.para("积极配合履行处理决定、全面改正违法违规行为的，可以申请缩减暂停期限（济医保发〔2025〕6号 四（七））。")
        st.para(remedy(facts, "appeal"))

    return Spec(("终止" if terminate else "暂停") + "医保支付资格告知书", body)


def settlement_suspend(story: Story, facts: dict, number: str) -> Spec:
    m, r, s = facts["measure"], facts["record"], facts["subject"]

    def body(st: Story) -> None:
        st.addressee(s["name"])
        loss = f"，造成医保基金损失{r['amount']}元" if r.get("amount") else ""
        st.para(f"经查，你于{cn_date(r['decision_date'])}被认定{r['kind_name']}（{r['case_no']}）{loss}。根据{m['basis']}，"
                f"决定{m['name']}" + (f"{m['months']}个月" if m.get("months") else "") + f"，{_period(m)}。"
                + (f"确定期限的理由：{m['reason']}。" if m.get("reason") else "") + _over(m, facts))
        st.para("在规定期限内纠正失信行为、消除不良影响、作出修复承诺的，措施期满信用自动修复（鲁医保发〔2024〕25号 第十二条）；"
                "也可以依照第十一条申请信用修复。")
        st.para(remedy(facts, "objection"))

    return Spec("暂停联网结算告知书", body)


def public_list(story: Story, facts: dict, number: str) -> Spec:
    red = facts["list"] == "red"

    def body(st: Story) -> None:
        st.para(f"根据{facts['basis']}，现将截至{cn_date(facts['as_of'])}的{facts['list_name']}公布如下"
                f"（共{len(facts['entries'])}名）：")
        rows = [["序号", "名称（姓名）", "证件号码", "列入日期", "依据"]]
        rows += [[str(i), e["name"], e["code"], e["since"], e["basis"]] for i, e in enumerate(facts["entries"], 1)]
        st.add(table(st.fonts, rows, [0.08, 0.17, 0.26, 0.155, 0.335], header=True, size=10.5))  # 五号: codes on one line
        st.blank(1)
        st.para("对公布内容有异议的，可以向本局提出异议申请。" + ("" if red else "已完成信用修复的，自修复之日起停止公布。"))

    return Spec(f"关于公布{facts['list_name']}的公告", body)


def credit_warning(story: Story, facts: dict, number: str) -> Spec:
    """信用提醒: what the warning found, under which basis, and what it is not (a decision or a measure)."""
    w, s, ev = facts["warning"], facts["subject"], facts["evaluation"]

    def body(st: Story) -> None:
        st.addressee(s["name"])
        you = SUBJECT_YOU[s["type"]]
        st.para(f"经本局信用预警核查，截至{cn_date(w['raised_on'])}，{you}{w['text']}，属于“{w['name']}”情形"
                f"（{w['level']}级预警）。根据{w['basis']}，现对{you}予以信用提醒。")
        h = Sections(st)
        _points(st, ev.get("points"), h)
        if ev.get("grade"):
            h("信用评价结果")
            st.para(f"截至{cn_date(ev['as_of'])}，{you}信用分{ev['score']}分，信用等级为“{ev['grade']}”"
                    f"{per(ev.get('grade_basis') or '本局评价指标体系')}。")
        h("提醒事项")
        st.para(f"请{you}高度重视，严格遵守医疗保障法律法规和医保服务协议，对照上述情况开展自查，及时纠正存在的问题。")
        st.para("本提醒不是处理决定，不改变信用评价结果，不采取信用管理措施；如对所述情况有疑问，可向本局咨询。")

    return Spec("信用提醒", body)


OUTCOME_WORDS = {"维持": "维持原决定", "变更": "变更原决定", "撤销": "撤销原决定"}


def appeal_answer(story: Story, facts: dict, number: str) -> Spec:
    """申诉处理决定书: the answer to an appeal (济医保发〔2025〕6号 四（八）), with what the decision changed."""

    def body(st: Story) -> None:
        you = "你单位" if facts.get("by_institution") else "你"
        reason = facts["appeal"].rstrip("。；;.") + "。"
        st.addressee(facts["addressee"])
        st.para(f"{you}于{cn_date(facts['received_on'])}对{facts['record_text']}提出的申诉（申诉事项：{facts['matter']}）"
                f"收悉。申诉理由：{reason}")
        st.para(facts["answer"])
        st.para(f"本局决定：{OUTCOME_WORDS[facts['outcome']]}" + (f"，{facts['effect']}。" if facts.get("effect") else "。"))
        st.para(f"决定依据：{facts['decision_basis'].rstrip('。')}。本决定按照“谁作出、谁负责，谁认定、谁负责，谁调整、"
                f"谁负责”的原则作出{per(facts['basis'])}。")

    def handler(st: Story) -> list:
        return [g.Blank(1), g.GridText(f"经办人：{facts.get('handler', '')}", st.fonts, align="left")]

    return Spec("申诉处理决定书", body, after=tuple(handler(story)))


BUILDERS = {"credit_result": credit_result, "points_notice": points_notice, "pq_suspend": pq_measure,
            "pq_terminate": pq_measure, "settlement_suspend": settlement_suspend, "public_list": public_list,
            "credit_warning": credit_warning, "appeal_answer": appeal_answer}
