"""申诉 in the credit file (济医保发〔2025〕6号 四（八））: 提出申诉 on a points record or a measure, 送评估鉴定 and
登记鉴定结论 for a disputed professional question, and the decision 维持 / 变更 / 撤销.

Each dialog is opened from the row it concerns, so nothing is typed to name the record, measure or
appeal. The decision says before it is sent what it will do, in words; the file window says after
it what was done. The service (models/services/appeals.py) decides and carries a change through the
existing decision paths; the four-eyes rule is shown on the button before the user meets the refusal.
"""
from __future__ import annotations

import html

from PySide6.QtWidgets import QComboBox, QSpinBox, QStackedWidget, QWidget

from models.services import appeals
from models.services.base import Actor
from models.validation import max_length, required
from views.case_common import allow, four_eyes_block, iso
from views.case_forms import AttachmentsRow, CaseDialog, read_files, text_box
from views.repair_forms import ConfirmedDialog, record_name

RESPONSIBILITY = ("主要", "重要", "一般")


def file_appeal(db, *, paths: list[str] = (), **kwargs):
    """Runs on the worker: the materials are read there, then the appeal is filed with them."""
    return appeals.file(db, files=read_files(list(paths)), **kwargs)


def _text(dialog: CaseDialog, label: str, name: str, placeholder: str = "", limit: int = 2000):
    return dialog.field(label, text_box(placeholder), name, lambda v: max_length(required(v, name), limit, name))


def appeal_name(row: dict) -> str:
    """What a user calls an appeal: what it is against and when it was received."""
    what = f"“{row['measure_name']}”" if row.get("measure_name") else "记分"
    case = f"（{row['case_no']}）" if row.get("case_no") else ""
    return f"对{what}{case}的申诉（{iso(row.get('received_on'))}收到）"


class FileAppealDialog(CaseDialog):
    """提出申诉: the person, or the institution where they are registered, against a record or a measure."""

    def __init__(self, runner, actor: Actor, subject: dict, target: dict, *, is_measure: bool,
                 institutions: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(runner, actor, f"登记申诉 — {subject['name']}", "登记(&S)", parent)
        self.subject, self.target, self.is_measure = subject, target, is_measure
        what = f"“{target['name']}”（自{iso(target.get('start'))}起）" if self.is_measure else record_name(target)
        self.what = what
        self.intro.setText(f"<b>{html.escape(subject['name'])}</b> 对{html.escape(what)}提出申诉"
                           "（济医保发〔2025〕6号 四（八）：向作出决定的医疗保障部门申诉；"
                           "存在争议的专业问题可送第三方专业机构或专家组评估鉴定）。<br>"
                           "办理期限为本局规定（系统设置 → 办理时限），自收到申诉的次日起按工作日计算。")
        self.intro.show()
        self.matter = QComboBox()
        for m in appeals.MATTERS["measure" if self.is_measure else "record"]:
            self.matter.addItem(m, m)
        self.field("申诉事项(&M)：", self.matter, "申诉事项")
        self.appellant = QComboBox()
        self.appellant.addItem(f"本人（{subject['name']}）", None)
        for name, uuid in institutions:  # only where the person is registered may an institution appeal for them
            self.appellant.addItem(f"所在机构：{name}", uuid)
        self.field("申诉人(&P)：", self.appellant, "申诉人")
        self.received = self.date_field("收到申诉日期(&D)：", "收到申诉日期")
        self.reason = _text(self, "申诉理由(&R)：", "申诉理由", "申诉的事实和理由")
        self.materials = self.field("材料说明(&C)：", text_box("提交的证明材料（可不填）"), "申诉材料")
        self.attachments = self.field("证明材料：", AttachmentsRow(), "附件")
        allow(self.ok, actor, "appeal.write")

    def submit(self) -> None:
        code = self.appellant.currentData()
        key = {"measure": self.target["measure"]} if self.is_measure else {"record": self.target["uuid"]}
        self.send(file_appeal, **key, matter=self.matter.currentData(), appellant="所在机构" if code else "本人",
                  institution=code, received_on=self.received.text(), reason=self.reason.toPlainText(),
                  materials=self.materials.toPlainText(), paths=self.attachments.paths)

    def done_message(self) -> str:
        a = self.result_value
        return (f"已登记{self.subject['name']}对{self.what}的申诉；应于{iso(a.deadline)}"
                f"{'（暂定）' if a.provisional else ''}前办结（本局规定的办理期限）。")


class ReferAppealDialog(ConfirmedDialog):
    """送评估鉴定: a disputed professional question goes to a third-party body or an expert panel."""

    title, do = "送评估鉴定", "送评估鉴定(&Y)"

    def __init__(self, runner, actor: Actor, row: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"送评估鉴定 — {row['subject']}", "送鉴定(&S)", parent)
        self.row = row
        self.introduce(f"<b>{html.escape(row['subject'])}</b>：{html.escape(appeal_name(row))}。<br>"
                       "对存在争议的专业问题，组织第三方专业机构或者专家组评估鉴定（济医保发〔2025〕6号 四（八））。")
        self.assessor = _text(self, "评估鉴定机构(&O)：", "评估鉴定机构", "第三方专业机构或专家组", 100)
        self.question = _text(self, "鉴定事项(&Q)：", "鉴定事项", "存在争议的专业问题")
        self.day = self.date_field("送鉴定日期(&D)：", "送评估鉴定日期")
        allow(self.ok, actor, "appeal.decide")

    def consequence(self) -> str:
        return (f"确认后该申诉送{self.assessor.toPlainText().strip()}评估鉴定；登记鉴定结论之前不能作出申诉决定，"
                "办理期限不因鉴定而延长。")

    def afterwards(self) -> str:
        return "送鉴定记入操作记录。"

    def send_decision(self) -> None:
        self.send(appeals.refer, appeal=self.row["uuid"], assessor=self.assessor.toPlainText(),
                  question=self.question.toPlainText(), on=self.day.text())

    def done_message(self) -> str:
        return f"已将{appeal_name(self.row)}送{self.assessor.toPlainText().strip()}评估鉴定；收到结论后请登记。"


class ConcludeAppealDialog(ConfirmedDialog):
    """登记鉴定结论: as received from the assessor; the appeal is then decided on it."""

    title, do = "登记鉴定结论", "登记结论(&Y)"

    def __init__(self, runner, actor: Actor, row: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"登记鉴定结论 — {row['subject']}", "登记(&S)", parent)
        self.row = row
        self.introduce(f"<b>{html.escape(row['subject'])}</b>：{html.escape(appeal_name(row))}，"
                       f"{iso(row.get('referred_on'))}送{html.escape(row.get('assessor') or '')}评估鉴定。<br>"
                       f"鉴定事项：{html.escape(row.get('question') or '')}")
        self.conclusion = _text(self, "鉴定结论(&C)：", "鉴定结论", "评估鉴定意见")
        self.day = self.date_field("结论日期(&D)：", "鉴定结论日期")
        allow(self.ok, actor, "appeal.decide")

    def consequence(self) -> str:
        return f"确认后登记{self.row.get('assessor') or ''}的鉴定结论，该申诉回到待决定状态。"

    def send_decision(self) -> None:
        self.send(appeals.conclude, appeal=self.row["uuid"], conclusion=self.conclusion.toPlainText(),
                  on=self.day.text())

    def done_message(self) -> str:
        return f"已登记鉴定结论；请对{appeal_name(self.row)}作出申诉决定。"


class DecideAppealDialog(ConfirmedDialog):
    """申诉决定: 维持, 变更 or 撤销, with the answer and its basis, by someone other than the clerk.

    ``points`` is the record's entry of this year's points (None when it has none), ``measure`` the
    measure appealed against with the record behind it; ``year_total`` the year's points."""

    title, do = "申诉决定", "作出决定(&Y)"

    def __init__(self, runner, actor: Actor, row: dict, *, record: dict | None, points: int | None,
                 measure: dict | None, year_total: int, parent: QWidget | None = None):
        super().__init__(runner, actor, f"申诉决定 — {row['subject']}", "决定(&S)", parent)
        self.row, self.record, self.points, self.measure, self.year_total = row, record, points, measure, year_total
        assessed = (f"<br>评估鉴定（{html.escape(row['assessor'])}）结论：{html.escape(row['conclusion'])}"
                    if row.get("conclusion") else "")
        self.introduce(f"<b>{html.escape(row['subject'])}</b>：{html.escape(appeal_name(row))}，事项：{row['matter']}，"
                       f"申诉人：{html.escape(row.get('institution') or '本人')}。<br>理由：{html.escape(row['reason'])}"
                       f"{assessed}<br>办理期限：{iso(row['deadline'])}{'（暂定）' if row.get('provisional') else ''}"
                       f"（{html.escape(row['deadline_basis'])}）")
        self.outcome = QComboBox()
        for text in ("维持", "变更", "撤销"):
            self.outcome.addItem(text, text)
        self.field("决定(&O)：", self.outcome, "申诉决定")
        self.change = QStackedWidget()
        self.change_kind = QComboBox()
        self.reduce = QSpinBox(minimum=1, maximum=max(1, points or 1), suffix=" 分")
        self.responsibility = QComboBox()
        self.months = QSpinBox(minimum=1, maximum=max(1, int((measure or {}).get("months") or 2) - 1), suffix=" 个月")
        self.months.setValue(self.months.maximum())
        self._change_fields()
        self.answer = _text(self, "答复意见(&A)：", "答复意见", "书面答复申诉人的意见")
        self.basis = self.field("决定依据(&B)：", text_box("事实和法律、协议依据"), "决定依据",
                                lambda v: max_length(required(v, "决定依据"), 500, "决定依据"))
        self.day = self.date_field("决定日期(&D)：", "决定日期")
        self.outcome.currentIndexChanged.connect(lambda _i: self._outcome_changed())
        self._outcome_changed()
        if allow(self.ok, actor, "appeal.decide"):
            self.block(four_eyes_block(actor, row.get("entered_by"), "申诉", "作出申诉决定")
                       or ("已送评估鉴定，请先登记鉴定结论再作决定" if row["state"] == "评估鉴定中" else None))

    def _change_fields(self) -> None:
        """变更 of a record: fewer points or another responsibility (a correcting record); of a measure: months."""
        if self.measure is None:
            if self.points:
                self.change_kind.addItem(f"减免记分（现记{self.points}分）", "points")
            current = (self.record or {}).get("responsibility")
            if current:
                self.change_kind.addItem(f"更正责任程度（现为{current}）", "responsibility")
                for level in RESPONSIBILITY:
                    if level != current:
                        self.responsibility.addItem(level, level)
            self.field("变更方式(&K)：", self.change_kind, "变更内容")
            self.change.addWidget(self.reduce)
            self.change.addWidget(self.responsibility)
            self.change_kind.currentIndexChanged.connect(
                lambda _i: self.change.setCurrentWidget(self.reduce if self.change_kind.currentData() == "points"
                                                        else self.responsibility))
            self.change.setCurrentWidget(self.reduce if self.change_kind.currentData() == "points"
                                         else self.responsibility)
            self.field("变更为(&T)：", self.change, "变更内容")
        else:
            self.field("变更后期限(&T)：", self.months, "变更后期限")

    def _outcome_changed(self) -> None:
        changing = self.outcome.currentData() == "变更"
        for widget in (self.change_kind, self.change, self.months):
            widget.setEnabled(changing)

    def _kind(self) -> str | None:
        return None if self.measure is not None else self.change_kind.currentData()

    def consequence(self) -> str:
        outcome, who = self.outcome.currentData(), self.row["subject"]
        if outcome == "维持":
            return f"确认后维持原决定：{appeal_name(self.row)}所涉的记分和措施均不改变，答复记入申诉档案。"
        if self.measure is not None:
            m = self.measure
            if outcome == "变更":
                return (f"确认后“{m['name']}”由{m.get('months')}个月变更为{self.months.value()}个月"
                        f"（自{iso(m.get('start'))}起）；{who}在各执业机构的登记状态随之联动。")
            if not m.get("record"):
                return f"确认后撤销“{m['name']}”，自{self.day.text()}起对{who}不再执行。"
            return (f"确认后撤销“{m['name']}”：所依据记录的记分全部撤销，{who}的措施和登记状态随之重新计算。")
        name = record_name(self.record or {})
        if outcome == "撤销":
            return (f"确认后撤销{who}因{name}所记的{self.points or 0}分（全部减免），本年度累计记分由{self.year_total}分"
                    f"变为{self.year_total - (self.points or 0)}分；信用评价和措施随之重新计算。")
        if self._kind() == "points":
            n = self.reduce.value()
            return (f"确认后对{who}的{name}减免{n}分（由{self.points}分减为{self.points - n}分），本年度累计记分由"
                    f"{self.year_total}分变为{self.year_total - n}分；信用评价和措施随之重新计算。")
        return (f"确认后以更正记录将{name}的责任程度由{(self.record or {}).get('responsibility')}改为"
                f"{self.responsibility.currentData()}（原记录保留），记分和措施按新的责任程度重新计算。")

    def afterwards(self) -> str:
        return "该决定、答复和依据记入申诉档案和操作记录，不能撤回。"

    def send_decision(self) -> None:
        outcome = self.outcome.currentData()
        extra = {}
        if outcome == "变更" and self.measure is not None:
            extra["months"] = self.months.value()
        elif outcome == "变更" and self._kind() == "points":
            extra["points"] = self.reduce.value()
        elif outcome == "变更":
            extra["changes"] = {"responsibility": self.responsibility.currentData()}
        self.send(appeals.decide, appeal=self.row["uuid"], outcome=outcome, answer=self.answer.toPlainText(),
                  basis=self.basis.toPlainText(), on=self.day.text(), **extra)

    def done_message(self) -> str:
        a = self.result_value
        return f"已对{appeal_name(self.row)}作出决定：{a.outcome}" + (f"，{a.effect}。" if a.effect else "。")
