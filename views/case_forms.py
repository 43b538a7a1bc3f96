"""Dialogs of 异议与修复: filing an objection (附件1) and a repair application (附件3), and the decisions on them.

Each dialog checks what it can as the user types (the services' own validation functions) and
sends the rest to the service on the worker; a refusal appears under the field it names. The
decisions respect the four-eyes rule: the person who entered a case sees why they cannot decide it.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget,
)

from models.queries.case_lists import ObjectionRow, RepairRow, case_records
from models.services import measures, objections, repairs
from models.services.base import Actor
from models.services.records import MAX_ATTACHMENT
from models.validation import amount, clean, max_length, past_date, read_input, required
from views.case_common import LiveErrors, allow, check, four_eyes_block, iso
from views.feedback import ask
from views.file_dialogs import open_file_names
from views.forms import error_label, reject_unless_typed, set_busy
from views.subject_picker import SubjectPicker

RESPONSIBILITY_CHANGES = (("不变", ""), ("主要", "主要"), ("重要", "重要"), ("一般", "一般"))


def text_box(placeholder: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit(placeholderText=placeholder)
    box.setTabChangesFocus(True)  # Tab moves on; the text is typed, not indented
    box.setFixedHeight(box.fontMetrics().height() * 4 + 12)
    return box


def text_of(widget) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


def read_files(paths: list[str]) -> list[tuple[str, bytes]]:
    """Runs on the worker: each attachment, refused by its size before it is read when it is too large."""
    return [(Path(p).name, read_input(p, "附件", MAX_ATTACHMENT)) for p in paths]


def file_objection(db, *, paths: list[str] = (), **kwargs):
    """Runs on the worker: the attachments are read there, then the objection is filed with them."""
    return objections.file(db, files=read_files(list(paths)), **kwargs)


def apply_repair(db, *, paths: list[str] = (), **kwargs):
    return repairs.apply(db, files=read_files(list(paths)), **kwargs)


class CaseDialog(QDialog):
    """A form of labelled fields with live checks; ``submit`` sends it to a service on the worker."""

    def __init__(self, runner, actor: Actor, title: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.result_value = None
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.errors = LiveErrors(error_label())
        self.form = QFormLayout()
        self.checks: dict[str, tuple[QWidget, Callable[[str], object]]] = {}
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.intro = QLabel(wordWrap=True)
        self.intro.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.errors.area)
        layout.addWidget(self.buttons)

    def field(self, label: str, widget: QWidget, name: str, validate: Callable[[str], object] | None = None) -> QWidget:
        self.errors.add_row(self.form, label, widget, name)
        if validate is not None:
            self.checks[name] = (widget, validate)
            signal = widget.textChanged if isinstance(widget, QPlainTextEdit) else widget.textEdited
            signal.connect(lambda *_: self.errors.note(name, check(validate, text_of(widget))))
        return widget

    def date_field(self, label: str, name: str, value: date | None = None) -> QLineEdit:
        edit = QLineEdit(iso(value or date.today()), placeholderText="YYYY-MM-DD")
        return self.field(label, edit, name, lambda v: past_date(v, name))

    def valid(self) -> bool:
        self.errors.clear()
        for name, (widget, validate) in self.checks.items():
            problem = check(validate, text_of(widget))
            if problem:
                self.errors.show(name, problem)
                return False
        return True

    def reject(self) -> None:
        if not self.runner.busy:
            reject_unless_typed(self, super().reject)

    def _submit(self) -> None:
        if self.valid():
            self.submit()

    def submit(self) -> None:
        raise NotImplementedError

    def send(self, fn, **kwargs) -> None:
        set_busy(self, True)
        self.runner.service(fn, actor=self.actor, on_done=self._done, on_error=self._refused, **kwargs)

    def _done(self, result) -> None:
        set_busy(self, False)
        self.result_value = result.value
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        set_busy(self, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)

    def block(self, reason: str | None) -> None:
        """The current user may not make this decision: say why, keep the dialog readable."""
        if reason:
            self.ok.setEnabled(False)
            self.ok.setToolTip(reason)
            self.errors.general.setText(reason)
            self.errors.general.show()


class AttachmentsRow(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paths: list[str] = []
        self.label = QLabel("无")
        self.add = QPushButton("添加附件(&F)…", clicked=self._add)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.add)

    def _add(self) -> None:
        paths = open_file_names(self, "选择附件", "所有文件 (*)")
        self.paths += paths
        self.label.setText("、".join(Path(p).name for p in self.paths) or "无")


class SubjectRecordFields:
    """A subject picker and the combo of that subject's records (a case concerns one record)."""

    def __init__(self, dialog: CaseDialog, *, bad_only: bool, none_text: str | None):
        self.dialog, self.bad_only, self.none_text = dialog, bad_only, none_text
        self.subject = SubjectPicker(dialog.runner, dialog.actor)
        self.record = QComboBox()
        self.subject.picked.connect(self._picked)
        self._picked(None)

    def _picked(self, row) -> None:
        self.record.clear()
        if self.none_text:
            self.record.addItem(self.none_text, None)
        if row is not None:
            self.dialog.errors.note("信用主体", None)
            self.dialog.runner.service(case_records, actor=self.dialog.actor, subject=row.uuid,
                                       bad_only=self.bad_only, on_done=self._records)

    def _records(self, choices) -> None:
        for c in choices:
            self.record.addItem(c.label, c.uuid)
        if not choices and not self.none_text:
            self.record.addItem("（该主体没有可办理的不良信息）", None)

    def choose(self, row) -> None:
        self.subject.choose(row)


class ObjectionDialog(CaseDialog):
    """受理异议 (附件1 异议信息处理申请表): the filing period is checked by the service."""

    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, "登记异议申请", "受理(&S)", parent)
        self.picked = SubjectRecordFields(self, bad_only=False, none_text="评价结果（信用等级、信用分）")
        self.field("信用主体(&U)：", self.picked.subject, "信用主体")
        self.field("异议对象(&O)：", self.picked.record, "异议对象")
        self.delivered = self.date_field("告知书送达日期(&D)：", "告知书送达日期")
        self.received = self.date_field("收到异议日期(&R)：", "收到异议日期")
        self.reason = self.field("异议理由(&Y)：", text_box("异议的事实和理由"), "异议理由",
                                 lambda v: max_length(required(v, "异议理由"), 2000, "异议理由"))
        self.attachments = self.field("证明材料：", AttachmentsRow(), "附件")
        allow(self.ok, actor, "objection.write")

    def submit(self) -> None:
        if self.picked.subject.row is None:
            self.errors.show("信用主体", "信用主体：必填，请输入姓名、拼音首字母或证件号码后从列表中选择")
            return
        self.send(file_objection, subject=self.picked.subject.row.uuid, record=self.picked.record.currentData(),
                  delivered_on=self.delivered.text(), received_on=self.received.text(),
                  reason=self.reason.toPlainText(), paths=self.attachments.paths)


class RepairDialog(CaseDialog):
    """信用修复申请 (附件3): eligibility and the decision deadline are worked out by the service."""

    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, "登记信用修复申请", "受理(&S)", parent)
        self.picked = SubjectRecordFields(self, bad_only=True, none_text=None)
        self.field("信用主体(&U)：", self.picked.subject, "信用主体")
        self.field("所涉不良信息(&I)：", self.picked.record, "信用信息")
        self.applied = self.date_field("申请日期(&D)：", "申请日期")
        self.materials = self.field("申请材料(&M)：", text_box("纠正失信行为、消除不良影响的证明材料"), "申请材料",
                                    lambda v: max_length(required(v, "申请材料"), 2000, "申请材料"))
        self.commitment = self.field("信用修复承诺(&C)：", text_box("申请人的信用修复承诺"), "信用修复承诺",
                                     lambda v: max_length(required(v, "信用修复承诺"), 2000, "信用修复承诺"))
        self.attachments = self.field("证明材料：", AttachmentsRow(), "附件")
        allow(self.ok, actor, "repair.write")

    def submit(self) -> None:
        if self.picked.record.currentData() is None:
            self.errors.show("信用信息", "信用信息：请先选择信用主体，再选择申请修复的不良信息")
            return
        self.send(apply_repair, record=self.picked.record.currentData(), applied_on=self.applied.text(),
                  materials=self.materials.toPlainText(), commitment=self.commitment.toPlainText(),
                  paths=self.attachments.paths)


def objection_summary(o: ObjectionRow) -> str:
    return (f"<b>{html.escape(o.subject)}</b> 对{o.target}" + (f"（{html.escape(o.case_no)}）" if o.case_no else "")
            + f"提出异议，{iso(o.received_on)}收到（告知书 {iso(o.delivered_on)} 送达）。<br>复核期限："
            + (f"{iso(o.review_deadline)}{'（暂定）' if o.provisional else ''}" if o.review_deadline else "未计算")
            + f"；依据：{html.escape(o.basis)}<br>理由：{html.escape(o.reason)}")


class DecideObjectionDialog(CaseDialog):
    """复核决定: 维持, or 变更 through a correcting record (the original stays in the file)."""

    def __init__(self, runner, actor: Actor, row: ObjectionRow, parent: QWidget | None = None):
        super().__init__(runner, actor, "异议复核决定", "作出决定(&S)", parent)
        self.row = row
        self.intro.setText(objection_summary(row))
        self.intro.show()
        self.keep, self.change = QRadioButton("维持(&K)"), QRadioButton("变更(&G)")
        self.keep.setChecked(True)
        group = QButtonGroup(self)
        outcome = QWidget()
        line = QHBoxLayout(outcome)
        line.setContentsMargins(0, 0, 0, 0)
        for button in (self.keep, self.change):
            group.addButton(button)
            line.addWidget(button)
        line.addStretch(1)
        self.field("复核结果：", outcome, "复核结果")
        self.answer = self.field("复核意见(&A)：", text_box("书面答复的内容（附件2 异议信息处理结果反馈单）"), "复核意见",
                                 lambda v: max_length(required(v, "复核意见"), 2000, "复核意见"))
        self.day = self.date_field("复核日期(&D)：", "复核日期")
        self.record = QComboBox()
        self.responsibility = QComboBox()
        for text, value in RESPONSIBILITY_CHANGES:
            self.responsibility.addItem(text, value)
        self.amount = QLineEdit(placeholderText="不变则留空")
        self.note = QLineEdit(placeholderText="更正后的说明，不变则留空")
        self.field("更正的记录(&J)：", self.record, "更正记录")
        self.field("责任程度改为(&Z)：", self.responsibility, "责任程度")
        self.field("金额改为(&M)：", self.amount, "金额", lambda v: amount(v, "金额") if clean(v) else None)
        self.field("说明改为(&N)：", self.note, "备注")
        self.change.toggled.connect(self._changing)
        self._changing(False)
        if row.record:
            self.record.addItem("异议所涉记录", row.record)
        else:
            runner.service(case_records, actor=actor, subject=row.subject_uuid, bad_only=False,
                           on_done=lambda choices: [self.record.addItem(c.label, c.uuid) for c in choices])
        if allow(self.ok, actor, "objection.decide"):
            self.block(four_eyes_block(actor, row.entered_by, "异议", "作出复核决定"))

    def _changing(self, on: bool) -> None:
        for widget in (self.record, self.responsibility, self.amount, self.note):
            widget.setEnabled(on)

    def changes(self) -> dict:
        out = {"responsibility": self.responsibility.currentData(), "amount": clean(self.amount.text()),
               "note": clean(self.note.text())}
        return {k: v for k, v in out.items() if v}

    def submit(self) -> None:
        changing = self.change.isChecked()
        if changing and not self.changes():
            self.errors.show("更正内容", "更正内容：变更须至少修改一项（责任程度、金额或说明）")
            return
        self.send(objections.decide, objection=self.row.uuid, outcome="变更" if changing else "维持",
                  answer=self.answer.toPlainText(), changes=self.changes() if changing else None,
                  record=self.record.currentData() if changing else None, on=self.day.text())


def repair_summary(r: RepairRow) -> str:
    due = r.extended_to or r.decision_deadline
    return (f"<b>{html.escape(r.subject)}</b> 申请修复 {html.escape(r.case_no)}（{iso(r.applied_on)}受理）。<br>"
            + ("符合修复条件" if r.eligible else "<span style='color:#b3261e'>不符合修复条件："
               + html.escape("；".join(r.reasons)) + "</span>")
            + "<br>处理期限：" + (f"{iso(due)}{'（已延长）' if r.extended_to else ''}{'（暂定）' if r.provisional else ''}"
                              if due else "未计算")
            + f"；依据：{html.escape(r.basis)}")


class DecideRepairDialog(CaseDialog):
    """予以修复 (公示 then repaired) / 不予修复 (附件4) / 延长处理期限 — one dialog, three decisions."""

    VERBS = {"grant": ("予以修复", "予以修复(&S)"), "refuse": ("不予修复", "不予修复(&S)"),
             "extend": ("延长处理期限", "延长期限(&S)")}

    def __init__(self, runner, actor: Actor, row: RepairRow, decision: str, parent: QWidget | None = None):
        title, ok = self.VERBS[decision]
        super().__init__(runner, actor, f"信用修复申请：{title}", ok, parent)
        self.row, self.decision = row, decision
        self.intro.setText(repair_summary(row))
        self.intro.show()
        name = "延长理由" if decision == "extend" else "决定理由"
        self.reason = self.field(f"{name}(&R)：", text_box(), name,
                                 lambda v: max_length(required(v, name), 2000, name))
        self.day = None if decision == "extend" else self.date_field("决定日期(&D)：", "决定日期")
        if allow(self.ok, actor, "repair.decide"):
            if decision != "extend":
                self.block(four_eyes_block(actor, row.entered_by, "信用修复申请", "作出修复决定"))
            if decision == "grant" and not row.eligible:
                self.block("不符合信用修复条件，不能予以修复：" + "；".join(row.reasons))

    def submit(self) -> None:
        if self.decision == "extend":
            self.send(repairs.extend, repair=self.row.uuid, reason=self.reason.toPlainText())
        else:
            self.send(repairs.decide, repair=self.row.uuid, grant=self.decision == "grant",
                      reason=self.reason.toPlainText(), on=self.day.text())


class ChooseMeasureDialog(CaseDialog):
    """The handler's choice inside the range a rule allows (e.g. 暂停 1—6 months), with the reason.

    The range is checked by the service (measures.choose_measure), which names it when refused."""

    def __init__(self, runner, actor: Actor, measure: dict, parent: QWidget | None = None):
        super().__init__(runner, actor, f"确定处理期限：{measure['name']}", "确定(&S)", parent)
        self.measure = measure
        allowed = (measure.get("allowed_range") or {}).get("text", "")
        self.intro.setText(f"<b>{html.escape(measure['name'])}</b>，可选期限：{html.escape(allowed)}个月；"
                           f"依据：{html.escape(measure['basis'])}<br>{html.escape(measure.get('note') or '')}")
        self.intro.show()
        self.months = QSpinBox(minimum=1, maximum=120, suffix=" 个月")
        self.field("期限(&M)：", self.months, "处理期限")
        self.start = self.date_field("起始日期(&D)：", "起始日期", date.fromisoformat(measure["start"]))
        self.reason = self.field("选择理由(&R)：", text_box("情节、整改情况等"), "选择理由",
                                 lambda v: max_length(required(v, "选择理由"), 2000, "选择理由"))
        allow(self.ok, actor, "measure.choose")

    def submit(self) -> None:
        months, start = self.months.value(), self.start.text()
        ask(self, "确定处理期限", f"确认后将执行“{self.measure['name']}”{months}个月，自{start}起；"
                             "所涉人员在各执业机构的登记状态随之联动。\n\n确定后不能撤回，"
                             "只能按规定缩减期限、整改修复或由他人提前结束。", "确定期限(&Y)",
            lambda: self.send(measures.choose_measure, record=self.measure["record"], months=months,
                              reason=self.reason.toPlainText(), start=start))

    def done_message(self) -> str:
        return f"已确定“{self.measure['name']}”的期限：{self.months.value()}个月，自{self.start.text()}起。"
