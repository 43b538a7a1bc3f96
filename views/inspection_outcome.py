"""登记检查结果: the outcome of inspecting one drawn subject. 合格 ends there; 不合格 or 违规 is also entered in the
subject's credit file as a record of the chosen kind (the ordinary record path: its checks, audit and standing)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from models.services import evaluation, inspection_outcomes
from views.forms import FormErrors, ServiceDialog, error_label, heading
from views.notice_dialogs import date_edit, pydate

OUTCOME_TEXT = {"合格": "合格（不记入信用档案）", "不合格": "不合格（记入信用档案）", "违规": "违规（记入信用档案）"}


def bad_kinds(db, *, subject_type: str) -> list[tuple[str, str]]:
    """Runs on the worker: the kinds of bad records of the county's profile for this type of subject."""
    return [(k["code"], k["name"]) for k in evaluation.catalogue(db)
            if k["subject_type"] == subject_type and not k["good"] and not k["band"]]


class OutcomeDialog(ServiceDialog):
    def __init__(self, runner, actor, draw, item: tuple, parent: QWidget | None = None):
        """``item`` is a row of ``inspections.ITEM_COLUMNS`` (序号, 检查对象, …)."""
        super().__init__(runner, actor, parent)
        self.draw, self.position = draw, item[0]
        self.setWindowTitle("登记检查结果")
        self.errors = FormErrors(error_label())
        form = QFormLayout()
        form.addRow(heading(f"抽查 {draw.number} 第{item[0]}个：{item[1]}", 1.1))
        self.outcome = QComboBox()
        for value, text in OUTCOME_TEXT.items():
            self.outcome.addItem(text, value)
        self.day = date_edit()
        self.kind = QComboBox()
        self.case_no = QLineEdit(placeholderText=f"默认：抽查{draw.number}第{item[0]}号")
        self.amount = QLineEdit(placeholderText="元，最多两位小数；没有可不填")
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        self.errors.add_row(form, "检查结果(&R)：", self.outcome, "检查结果")
        self.errors.add_row(form, "检查日期(&D)：", self.day, "检查日期")
        self.errors.add_row(form, "信息类别(&K)：", self.kind, "信息类别")
        self.errors.add_row(form, "决定编号(&N)：", self.case_no, "案件编号")
        self.errors.add_row(form, "基金损失(&A)：", self.amount, "金额")
        self.errors.add_row(form, "检查情况(&S)：", self.note, "检查情况")
        self.hint = QLabel(wordWrap=True)
        form.addRow(self.hint)
        self.lay_out(form, "登记(&O)")
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self._outcome_changed()
        runner.service(bad_kinds, subject_type=draw.subject_type, on_done=self._kinds)

    def _kinds(self, kinds: list[tuple[str, str]]) -> None:
        for code, name in kinds:
            self.kind.addItem(name, code)
        default = self.kind.findData(inspection_outcomes.DEFAULT_KIND.get(self.draw.subject_type))
        self.kind.setCurrentIndex(max(default, 0))

    def _outcome_changed(self) -> None:
        bad = self.outcome.currentData() != "合格"
        for widget in (self.kind, self.case_no, self.amount):
            widget.setEnabled(bad)
        self.hint.setText("登记后不能更改；不合格、违规同时记入该主体的信用档案并重新评价，如有错误须更正该条信用信息。"
                          if bad else "登记后不能更改。")

    def submit(self) -> None:
        self.errors.clear()
        bad = self.outcome.currentData() != "合格"
        self.run_service(inspection_outcomes.record_outcome, draw=self.draw.number, position=self.position,
                         outcome=self.outcome.currentData(), inspected_on=pydate(self.day),
                         note=self.note.toPlainText(), kind=self.kind.currentData() if bad else None,
                         case_no=self.case_no.text() if bad else None, amount=self.amount.text() if bad else None)
