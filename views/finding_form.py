"""The finding entry form (违规录入): the decision against an institution and its responsible persons.

Fields are checked as the clerk types, with the same functions the services use
(models/validation.py), so the message on the form is the one the service would give. What needs
the database (is the case number new, is the person registered at that institution) is checked
by the services when the form is saved; their refusal appears under the field it names.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from models.services import evaluation, findings
from models.services.base import Actor, Result
from models.services.records import DECISION_TYPES, SOURCES
from models.validation import amount, clean, max_length, past_date, required
from views.case_common import LiveErrors, allow, check
from views.forms import error_label, set_busy
from views.qtcompat import emit
from views.subject_picker import SubjectPicker
from views.table_model import Column, RowsModel
from views.table_view import RecordTable

RESPONSIBILITIES = ("主要", "重要", "一般")


# Field name (as the services name it) → check of the typed text.
CHECKS: dict[str, Callable[[str], object]] = {
    "案件编号": lambda v: max_length(required(v, "案件编号"), 60, "案件编号"),
    "决定日期": lambda v: past_date(v, "决定日期"),
    "基金损失金额": lambda v: amount(v, "基金损失金额") if clean(v) else None,
    "违反条款": lambda v: max_length(required(v, "违反条款"), 500, "违反条款"),
    "备注": lambda v: max_length(clean(v), 2000, "备注"),
}
PERSON_COLUMNS = (
    Column("name", "姓名", lambda p: p["name"]),
    Column("number", "身份证号", lambda p: p["number"]),
    Column("responsibility", "责任程度", lambda p: p["responsibility"]),
    Column("kind", "违规类别（记分分档）", lambda p: p["kind_label"]),
)


def kind_label(kind: dict) -> str:
    band = kind.get("band")
    return f"{kind['name']}（{band[0]}—{band[1]}分）" if band else kind["name"]


class FindingForm(QWidget):
    """``saved(FindingInfo)`` after the finding and its persons were stored."""

    saved = Signal(object)

    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.errors = LiveErrors(error_label())
        self.institution = SubjectPicker(runner, actor, type="institution",
                                         placeholder="名称、拼音首字母或统一社会信用代码，从列表中选择")
        self.case_no = QLineEdit(placeholderText="例如 宁医保罚〔2026〕12号")
        self.decision_type = QComboBox()
        self.decision_type.addItems(DECISION_TYPES)
        self.decision_date = QLineEdit(date.today().isoformat(), placeholderText="YYYY-MM-DD")
        self.amount = QLineEdit(placeholderText="元，最多两位小数；无基金损失可不填")
        self.article = QLineEdit(placeholderText="违反的法律、法规条款或服务协议条款")
        self.source = QComboBox()
        for code, name in SOURCES.items():
            self.source.addItem(name, code)
        self.source.setCurrentIndex(list(SOURCES).index("supervision"))
        self.note = QLineEdit()
        decision = QGroupBox("处理决定")
        form = QFormLayout(decision)
        for label, widget, field in (("定点医药机构(&I)：", self.institution, "定点医药机构"),
                                     ("案件编号(&N)：", self.case_no, "案件编号"),
                                     ("决定类型(&D)：", self.decision_type, "决定类型"),
                                     ("决定日期(&T)：", self.decision_date, "决定日期"),
                                     ("基金损失金额(&M)：", self.amount, "基金损失金额"),
                                     ("违反条款(&A)：", self.article, "违反条款"),
                                     ("信息来源(&S)：", self.source, "信息来源"),
                                     ("备注(&B)：", self.note, "备注")):
            self.errors.add_row(form, label, widget, field)
        for field, widget in (("案件编号", self.case_no), ("决定日期", self.decision_date),
                              ("基金损失金额", self.amount), ("违反条款", self.article), ("备注", self.note)):
            self.errors.watch(field, widget, CHECKS[field])
        self.institution.picked.connect(self._institution_picked)

        self.persons: list[dict] = []
        self.person = SubjectPicker(runner, actor, type="practitioner",
                                    placeholder="先选择机构；再输入姓名或拼音首字母，按↓列出在该机构登记备案的人员")
        self.responsibility = QComboBox()
        self.responsibility.addItems(RESPONSIBILITIES)
        self.kind = QComboBox()
        # Kind names are long; the combo shows them in full when open and stays narrow when closed.
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(16)
        self.add_person = QPushButton("添加责任人员(&J)", clicked=self._add_person)
        self.remove_person = QPushButton("移除(&X)", clicked=self._remove_person)
        self.person_table = RecordTable("finding/persons")
        self.person_model = RowsModel(PERSON_COLUMNS, parent=self)
        self.person_table.setModel(self.person_model)
        self.person_table.setMinimumHeight(90)
        people = QGroupBox("责任认定（济医保发〔2025〕6号 四（五））")
        person_fields = QWidget()  # its own widget, so align_labels finds the form layout
        person_form = QFormLayout(person_fields)
        person_form.setContentsMargins(0, 0, 0, 0)
        self.errors.add_row(person_form, "责任人员(&P)：", self.person, "责任人员")
        self.errors.add_row(person_form, "责任程度(&R)：", self.responsibility, "责任程度")
        self.errors.add_row(person_form, "违规类别(&K)：", self.kind, "信息类别")
        row = QHBoxLayout()
        row.addWidget(self.add_person)
        row.addWidget(self.remove_person)
        row.addStretch(1)
        people_layout = QVBoxLayout(people)
        people_layout.addWidget(person_fields)
        people_layout.addLayout(row)
        people_layout.addWidget(self.person_table)

        self.save = QPushButton("保存违规认定(&V)", clicked=self.submit)
        self.save.setDefault(True)
        self.reset = QPushButton("清空(&C)", clicked=self.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(decision)
        layout.addWidget(people, 1)
        layout.addWidget(self.errors.area)
        layout.addLayout(buttons)
        self.errors.align_labels()
        for line in (self.case_no, self.decision_date, self.amount, self.article, self.note):
            line.returnPressed.connect(self.focusNextChild)  # Enter moves on like Tab; 保存 is Alt+V
        allow(self.add_person, actor, "finding.write")
        if not allow(self.save, actor, "finding.write"):
            # Said on the form, not only on hover: nobody types a whole decision to find it cannot be saved.
            for widget in (decision, people, self.reset):
                widget.setEnabled(False)
            self.errors.general.setText(f"录入违规认定{self.save.toolTip()}")
            self.errors.general.show()

    def set_kinds(self, catalogue: list[dict]) -> None:
        """The county profile's bad-conduct kinds for practitioners (the kind decides the points band)."""
        self.kind.clear()
        bad = [k for k in catalogue if k["subject_type"] == "practitioner" and not k["good"]]
        # Kinds with a points band first, lowest band first: the usual case for responsible persons.
        for k in sorted(bad, key=lambda k: (k.get("band") is None, k.get("band") or ())):
            self.kind.addItem(kind_label(k), k["code"])

    def load_kinds(self) -> None:
        if self.runner.db is not None and self.kind.count() == 0:
            self.runner.service(evaluation.catalogue, on_done=self.set_kinds)

    # -- persons ----------------------------------------------------------------------------------

    def _institution_picked(self, row) -> None:
        self.errors.note("定点医药机构", None)
        self.person.set_registered_at(row.uuid if row else None)
        if self.persons:  # persons are registered at one institution; a new institution starts over
            self.persons.clear()
            self.person_model.set_rows([])

    def _add_person(self) -> None:
        self.errors.note("责任人员", None)
        row = self.person.row
        if self.institution.row is None:
            self.errors.show("定点医药机构", "定点医药机构：请先选择被处理的机构")
            return
        if row is None:
            self.errors.show("责任人员", "责任人员：请输入姓名或拼音首字母，从列表中选择在该机构登记备案的人员")
            return
        if any(p["person"] == row.uuid for p in self.persons):
            self.errors.show("责任人员", f"责任人员：{row.name} 已在列表中")
            return
        self.persons.append({"person": row.uuid, "name": row.name, "number": row.number,
                             "responsibility": self.responsibility.currentText(), "kind": self.kind.currentData(),
                             "kind_label": self.kind.currentText()})
        self.person_model.set_rows(self.persons)
        self.person.clear_choice()
        self.person.setFocus()

    def _remove_person(self) -> None:
        index = self.person_table.currentIndex()
        if index.isValid():
            del self.persons[index.row()]
            self.person_model.set_rows(self.persons)

    # -- saving -----------------------------------------------------------------------------------

    def data(self) -> dict:
        return {"institution": self.institution.row.uuid if self.institution.row else "",
                "case_no": self.case_no.text(), "decision_type": self.decision_type.currentText(),
                "decision_date": self.decision_date.text(), "amount": self.amount.text(),
                "article": self.article.text(), "source": self.source.currentData(), "note": self.note.text()}

    def submit(self) -> None:
        self.errors.clear()
        if self.institution.row is None:
            self.errors.show("定点医药机构", "定点医药机构：必填，请输入名称、拼音首字母或统一社会信用代码后从列表中选择")
            return
        widgets = {"案件编号": self.case_no, "决定日期": self.decision_date, "基金损失金额": self.amount,
                   "违反条款": self.article, "备注": self.note}
        for field, widget in widgets.items():
            problem = check(CHECKS[field], widget.text())
            if problem:
                self.errors.show(field, problem)
                return
        set_busy(self, True)
        self.runner.service(findings.enter_finding, actor=self.actor, data=self.data(),
                            persons=[{k: p[k] for k in ("person", "name", "responsibility", "kind")}
                                     for p in self.persons],
                            on_done=self._saved, on_error=self._refused)

    def _saved(self, result: Result) -> None:
        set_busy(self, False)
        self.clear()
        self.errors.general.setStyleSheet("color: #1b5e20;")
        self.errors.general.setText(f"已保存违规认定 {result.value.case_no}（{len(result.value.persons)}名责任人员），"
                                    "待另一名审核员确认后生成信用信息和记分")
        self.errors.general.show()
        emit(self.saved, result.value)

    def _refused(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.errors.general.setStyleSheet("color: #b3261e;")
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)

    def clear(self) -> None:
        self.errors.clear()
        self.institution.clear_choice()
        for line in (self.case_no, self.amount, self.article, self.note):
            line.clear()
        self.decision_date.setText(date.today().isoformat())
        self.persons.clear()
        self.person_model.set_rows([])
        self.institution.setFocus()
