"""The forms of 磐医保〔2021〕43号 (附件1–5) in their wording, and the table they are printed in.

附件1 and 附件3 are application forms the subject fills in: printed blank or with what the bureau
already knows, never numbered or signed. 附件2, 4 and 5 are the bureau's answers: numbered, sealed
(the seal in the cell the form reserves for it) and digitally signed. The seed text does not carry
the grid of 附件3; its rows follow the materials 第二十四条 lists.
"""
from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Table, TableStyle

from reports import gbt9704 as g
from reports.story import Spec, Story, cn_date, per, remedy
from reports.fonts import FontSet, runs

CELL_SIZE = 14  # 4号 in tables: 3号 does not fit the label column
LABELLED = [0.25, 0.27, 0.18, 0.30]  # 附件1 and 附件3: seven 4号 characters fit the label column


ALIGN = {0: "left", 1: "center", 2: "right"}


def para(fonts: FontSet, text: str, *, role: str = "fangsong", size: float = CELL_SIZE, align: int = 0) -> g.GridText:
    """A table cell's text, broken as the body text is (禁则 without running past the cell); characters the
    font lacks are drawn in the bundled font."""
    return g.GridText(str(text), fonts, role, size, align=ALIGN[align], tracking=0.0, leading=size * 1.5)


# A date, an ID or code, a document number: never split across lines inside a cell.
WHOLE = re.compile(r"^[0-9A-Za-z*\-./:]+$|^\S{1,8}〔\d{4}〕\d+号$")
PADDING = 5


def whole(fonts: FontSet, text: str, width: float, size: float) -> g.GridText:
    """One line, the font made smaller where the column is narrower than the text at ``size``."""
    name = fonts["fangsong"].name
    natural = sum(stringWidth(t, f, size) for f, t in runs(text, name, fonts.fallback))
    fitted = max(8.0, min(size, size * (width - 2 * PADDING - 1) / natural)) if natural else size
    return para(fonts, text, size=fitted)


def _cell(fonts: FontSet, c, width: float, size: float, align: int):
    if not isinstance(c, str):
        return c
    if WHOLE.match(c):
        return whole(fonts, c, width, size)
    return para(fonts, c, size=size, align=align)


def table(fonts: FontSet, rows: list[list], fracs: list[float], *, header: bool = False, spans=(), heights=None,
          size: float = CELL_SIZE) -> Table:
    """Ruled table as wide as the text block; strings become paragraphs (dates, codes and document numbers on
    one line), flowables stay as they are; the header row repeats on every page."""
    data = [[_cell(fonts, c, fracs[i] * g.BLOCK_W, size, 1 if header and r == 0 else 0) for i, c in enumerate(row)]
            for r, row in enumerate(rows)]
    t = Table(data, colWidths=[f * g.BLOCK_W for f in fracs], rowHeights=heights, repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.75, g.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("FONTNAME", (0, 0), (-1, -1), fonts["fangsong"].name),  # else Table sets a non-embedded Helvetica
             ("LEFTPADDING", (0, 0), (-1, -1), PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), PADDING)]
    style += [("SPAN", a, b) for a, b in spans]
    t.setStyle(TableStyle(style))
    return t


def _label(fonts: FontSet, text: str) -> g.GridText:
    return para(fonts, text, align=1)


def _number_line(st: Story, number: str) -> None:
    st.add(g.GridText(f"编号：{number}", st.fonts, align="right"))


class CellSignature(g.SignatureBlock):
    """The seal's place inside a form cell (附件2 “（盖章）”, 附件5 “单位（盖章）”)."""

    def __init__(self, organ, date_text, fonts, geometry, *, draft, width):
        super().__init__(organ, date_text, fonts, geometry, draft=draft)
        self.width = width

    def wrap(self, w, h):
        return self.width, self.height


def _seal_cell(st: Story, facts: dict, width_frac: float) -> CellSignature:
    stamp = facts.get("_stamp")
    return CellSignature(facts["organ"], cn_date(stamp.issued_on if stamp else None) + "（盖章）", st.fonts,
                         facts["_geometry"], draft=stamp is None, width=width_frac * g.BLOCK_W - 10)


def objection_form(story: Story, facts: dict, number: str) -> Spec:
    """附件1 异议信息处理申请表."""
    s = facts.get("subject") or {}

    def body(st: Story) -> None:
        f = st.fonts
        rows = [[_label(f, "申请单位（人）"), s.get("name", ""), "", ""],
                [_label(f, "联系人"), "", _label(f, "联系方式"), s.get("phone") or ""],
                [_label(f, "异议信息描述"), facts.get("description", ""), "", ""],
                [_label(f, "申请理由\n（可附页）"), para(f, "\n\n\n\n年　　月　　日（盖章）", align=2), "", ""],
                [_label(f, "信用承诺"), "本人承诺所填写内容和提交的相关材料真实准确，否则由此产生的相应后果自负。\n\n签字：　　　　　　（盖章）", "", ""],
                [_label(f, "备注"), facts.get("note", ""), "", ""]]
        spans = [((1, r), (3, r)) for r in (0, 2, 3, 4, 5)]
        st.add(table(f, rows, LABELLED, spans=spans, heights=[40, 40, 150, 170, 110, 60]))

    return Spec("异议信息处理申请表", body, header=False, signed=False, blank_form=True)


def objection_answer(story: Story, facts: dict, number: str) -> Spec:
    """附件2 异议信息处理结果反馈单."""

    def body(st: Story) -> None:
        f = st.fonts
        _number_line(st, number)
        result = f"经复核，{facts['outcome_text']}。\n{facts['answer']}"
        cell = [para(f, result), g.Blank(0.5), _seal_cell(st, facts, 0.74), g.Blank(0.6)]
        basis = facts.get("basis") or ""
        note = (f"本单依据{basis}作出。" if "〔" in basis and "没有有效" not in basis else basis)
        if facts.get("received_on"):
            note += f"收到异议申请日期：{cn_date(facts['received_on'])}。"
        rows = [[_label(f, "申请单位（人）"), facts["subject"]["name"]],
                [_label(f, "异议信息\n申请内容"), facts["objection"]],
                [_label(f, "异议信息\n处理结果"), cell],
                [_label(f, "备注"), note]]
        st.add(table(f, rows, [0.26, 0.74], heights=[40, None, None, None]))

    return Spec("异议信息处理结果反馈单", body, header=False, signed=False)


def repair_form(story: Story, facts: dict, number: str) -> Spec:
    """附件3 信用修复申请表."""
    s = facts.get("subject") or {}

    def body(st: Story) -> None:
        f = st.fonts
        code = s.get("credit_code") or s.get("id_number") or ""
        rows = [[_label(f, "申请主体\n名称（姓名）"), s.get("name", ""), _label(f, "证件号码"), code],
                [_label(f, "联系人"), "", _label(f, "联系方式"), s.get("phone") or ""],
                [_label(f, "失信信息内容"), facts.get("description", ""), "", ""],
                [_label(f, "纠正失信行为、\n消除不良影响\n情况（可附页）"), "", "", ""],
                [_label(f, "信用修复承诺"), "本人（单位）承诺已纠正失信行为，所填写内容和提交的材料完整、真实、合法，"
                 "今后不再发生同类失信行为，否则由此产生的相应后果自负。\n\n签字：　　　　　　（盖章）\n年　　月　　日", "", ""],
                [_label(f, "所附材料"), "1．信用修复承诺书\n2．违法违规行为纠正、整改情况的相关证明材料", "", ""]]
        spans = [((1, r), (3, r)) for r in (2, 3, 4, 5)]
        st.add(table(f, rows, LABELLED, spans=spans, heights=[50, 40, 90, 170, 150, 70]))

    return Spec("信用修复申请表", body, header=False, signed=False, blank_form=True)


def repair_refused(story: Story, facts: dict, number: str) -> Spec:
    """附件4 不予信用修复告知书."""

    def body(st: Story) -> None:
        _number_line(st, number)
        st.blank(1)
        st.addressee(facts["subject"]["name"])
        reasons = "；".join(facts.get("reasons") or [])
        # Only citations: a note that no deadline rule was in force is no ground for refusing.
        cites = [b for b in facts["basis"].split("；") if b and "没有有效" not in b]
        ground = f"不符合{'、'.join(cites)}规定的信用修复条件" if cites else "不符合信用修复条件"
        st.para(f"我局于{cn_date(facts['applied_on'])}收到你（单位）提出的{facts['record_text']}信用修复申请，经审查，"
                f"{ground}{('（' + reasons + '）') if reasons else ''}，决定不予信用修复。")
        st.para(remedy(facts, "objection"))

    def handler(st: Story) -> list:
        return [g.Blank(1), g.GridText(f"经办人：{facts.get('handler', '')}　　经办人电话：{facts.get('handler_phone', '')}",
                                       st.fonts, align="left")]

    return Spec("不予信用修复告知书", body, header=False, after=tuple(handler(story)))


def repair_confirmed(story: Story, facts: dict, number: str) -> Spec:
    """附件5 信用修复确认通知书."""
    s = facts["subject"]

    def body(st: Story) -> None:
        f = st.fonts
        _number_line(st, number)
        opinion = [para(f, f"同意修复。自{cn_date(facts['repaired_on'])}起停止公示该失信记录{per(facts['basis'])}。"
                           f"\n经办人：{facts.get('handler', '')}"), g.Blank(0.5), _seal_cell(st, facts, 0.78), g.Blank(0.6)]
        rows = [[_label(f, "申请修复的\n失信主体"), _label(f, "姓名"), s["name"]],
                ["", _label(f, "身份证号"), s.get("id_number") or s.get("credit_code") or ""],
                ["", _label(f, "联系方式"), s.get("phone") or ""],
                ["", _label(f, "失信信息内容"), facts["record_text"]],
                [_label(f, "医疗保障\n部门意见"), _label(f, "修复条件\n认定情况"),
                 "经核实，不良信息主体已履行法定责任和义务，社会不良影响基本消除。\n"
                 f"至申请日，不良信息已披露{facts['disclosed']}，期间未产生新的记入信用档案的同类不良信息。"],
                [_label(f, "修复处理意见"), opinion, ""]]
        st.add(table(f, rows, [0.22, 0.22, 0.56], spans=[((0, 0), (0, 3)), ((1, 5), (2, 5))]))

    return Spec("信用修复确认通知书", body, header=False, signed=False)


BUILDERS = {"objection_form": objection_form, "objection_answer": objection_answer, "repair_form": repair_form,
            "repair_refused": repair_refused, "repair_confirmed": repair_confirmed}
