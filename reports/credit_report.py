"""信用报告 (淮医保发〔2020〕104号 三（一）、三（六）): the subject's credit file and evaluation as of a date,
from ``credit_file`` and the evaluation's explanation."""
from __future__ import annotations

from reports.story import Spec, Story, cn_date, per
from reports.forms import table
from reports.notice_texts import Sections, _measures, _points

TYPE_NAMES = {"practitioner": "医保医（药）师", "insured": "参保人", "institution": "定点医药机构"}


def _basic(st: Story, file: dict) -> None:
    s = file["subject"]
    code = s.get("credit_code") or s.get("id_number") or ""
    rows = [["名称（姓名）", s["name"], "主体类型", TYPE_NAMES.get(s["type"], s["type"])],
            ["证件号码", code, "执业注册号" if s["type"] == "practitioner" else "医保编码",
             s.get("practice_reg_no") or s.get("insurance_code") or ""]]
    regs = [r["institution"]["name"] + f"（{r['status']}）" for r in file.get("registrations", []) if r.get("institution")]
    if regs:
        rows.append(["登记备案机构", "、".join(regs), "", ""])
    st.add(table(st.fonts, rows, [0.17, 0.35, 0.16, 0.32], spans=[((1, 2), (3, 2))] if regs else (), size=12))


def _records(st: Story, records: list[dict], good: bool) -> None:
    chosen = [r for r in records if r["good"] == good]
    if not chosen:
        st.para("无。")
        return
    head = ["日期", "类别", "文号", "来源", "状态"]
    rows = [head] + [[r["decision_date"], r["kind_name"] + (f"（{r['responsibility']}责任）" if r.get("responsibility") else ""),
                      r.get("case_no") or "", r.get("source_name") or "", r.get("state") or r["status"]] for r in chosen]
    st.add(table(st.fonts, rows, [0.16, 0.34, 0.24, 0.13, 0.13], header=True, size=12))


def _indicators(st: Story, ev: dict) -> None:
    """The evaluation line by line, with the tree and version it was computed with, and, for an institution,
    its staff's standing (淮医保发〔2020〕104号 三（四））."""
    tree = ev.get("indicators")
    if not tree:
        return
    sample = "，示例" if tree.get("sample") else ""
    st.para(f"评价所用指标体系：{tree.get('title') or '本局评价指标体系'}（第{tree['version']}版{sample}）。各项得分如下：")
    rows = [["指标", "分值", "得分", "计分情况"]] + [
        [f"{x['code']} {x['name']}", x["weight"], x["score"],
         "；".join(x["items"]) + (f"（经异议复核变更{x['adjustment']}分）" if x["adjustment"] not in ("0", "0.00") else "")]
        for x in tree["lines"]]
    st.add(table(st.fonts, rows, [0.34, 0.1, 0.12, 0.44], header=True, size=11))
    staff = next((x for x in ev.get("explanations", ()) if x.startswith("登记备案人员")), None)
    if staff:
        st.para(staff)


def credit_report(story: Story, facts: dict, number: str) -> Spec:
    file, ev = facts["file"], facts["evaluation"]

    def body(st: Story) -> None:
        st.para(f"本报告根据{facts['organ']}医疗保障信用档案，反映{file['subject']['name']}截至{cn_date(ev['as_of'])}的"
                f"信用信息和评价结果{per(facts['basis'])}。")
        h = Sections(st)
        h("基本信息")
        _basic(st, file)
        h("守信信息")
        _records(st, file["records"], True)
        h("不良信息")
        _records(st, file["records"], False)
        _points(st, ev.get("points"), h)
        if ev.get("score") is not None:
            h("信用评价")
            sample = "（按本局示例评价指标体系计算）" if ev.get("score_is_sample") else ""
            st.para(f"信用分{ev['score']}分{sample}，信用等级为“{ev['grade'] or '未评定'}”"
                    f"{per(ev.get('grade_basis') or '本局评价指标体系')}。")
            _indicators(st, ev)
        _measures(st, ev.get("measures"), h)
        if ev.get("lists"):
            h("信用名单")
            for li in ev["lists"]:
                st.para(f"自{cn_date(li['since'])}起列入{li['list_name']}{per(li['basis'])}。")
        h("说明")
        st.para("已更正的信息以更正后的记录为准，原记录保留备查；已修复的不良信息自修复之日起不再计入评价。本报告以本局电子签章"
                "和验证码为准，可扫描页面下方二维码或向本局提供验证码核验。")

    return Spec("信用报告", body)
