"""录入信用信息 and 更正: a record of the county's catalogue, entered or corrected from a credit file.

A correction never overwrites: the service stores a new record that supersedes the old one,
which stays in the file as 已被更正. Both dialogs show the fields of ``record add`` (README:
Input fields) that the chosen kind needs: the amount only for kinds that need the fund loss, the
responsibility only for kinds with a points band. Enter moves on like Tab; 保存 is Alt+S or
Ctrl+Enter; Esc cancels.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QPushButton, QVBoxLayout, QWidget,
)

from models.services import evaluation, records
from models.services.base import Actor
from models.services.records import DECISION_TYPES, RESPONSIBILITY_LEVELS, SOURCES
from models.validation import ValidationError, read_input
from views.case_common import iso
from views.feedback import tell
from views.file_dialogs import open_file_names
from views.forms import FormErrors, ServiceDialog, error_label

NO_DECISION_TYPE = "（未填）"


def kind_text(kind: dict) -> str:
    band = kind.get("band")
    nature = "守信" if kind["good"] else "不良"
    return f"{nature}｜{kind['name']}" + (f"（{band[0]}—{band[1]}分）" if band else "")

class RecordFields(ServiceDialog):
    """The record form both dialogs share; ``saved(RecordInfo)`` after the service stored it."""
    service_fn = None

    def __init__(self, runner, actor: Actor, subject: dict, title: str, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.subject = subject
        self.kinds: dict[str, dict] = {}
        self.setWindowTitle(f"{title} — {subject['name']}")
        self.setMinimumWidth(600)
        self.errors = FormErrors(error_label())
        self.intro = QLabel(wordWrap=True)

        self.kind = QComboBox()
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(24)
        self.decision_date = QLineEdit(date.today().isoformat(), placeholderText="YYYY-MM-DD")
        self.amount = QLineEdit(placeholderText="元，最多两位小数")
        self.responsibility = QComboBox()
        self.responsibility.addItems(RESPONSIBILITY_LEVELS)
        self.case_no = QLineEdit(placeholderText="例如 宁医保罚〔2026〕12号；不良信息必填")
        self.source = QComboBox()
        for code, name in SOURCES.items():
            self.source.addItem(name, code)
        self.source.setCurrentIndex(list(SOURCES).index("supervision"))
        self.decision_type = QComboBox()
        self.decision_type.addItems((NO_DECISION_TYPE, *DECISION_TYPES))
        self.note = QLineEdit()
        self.form = QFormLayout()
        for label, widget, field in (("信息类别(&K)：", self.kind, "信息类别"),
                                     ("决定日期(&D)：", self.decision_date, "决定日期"),
                                     ("金额（元）(&M)：", self.amount, "金额"),
                                     ("责任程度(&R)：", self.responsibility, "责任程度"),
                                     ("案件编号(&N)：", self.case_no, "案件编号"),
                                     ("信息来源(&O)：", self.source, "信息来源"),
                                     ("决定类型(&T)：", self.decision_type, "决定类型"),
                                     ("备注(&B)：", self.note, "备注")):
            self.errors.add_row(self.form, label, widget, field)
        self.kind.currentIndexChanged.connect(self._kind_changed)

        self.save = QPushButton("保存(&S)", clicked=self.submit)
        self.cancel = QPushButton("取消", clicked=self.reject)
        for button in (self.save, self.cancel):
            button.setAutoDefault(False)  # Enter moves between fields; it does not save half a form
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.save, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.submit)
        for line in (self.decision_date, self.amount, self.case_no):
            line.returnPressed.connect(self.focusNextChild)

        self.fields = QWidget()  # one direct child, so set_busy disables the whole form at once
        self.fields.setLayout(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.fields)
        self.extend(layout)
        layout.addWidget(self.errors.area)
        layout.addWidget(self.buttons)
        chain = [self.kind, self.decision_date, self.amount, self.responsibility, self.case_no, self.source,
                 self.decision_type, self.note, *self.extra_focus(), self.save, self.cancel]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)  # the order of the form, not of construction
        self.save.setEnabled(False)  # until the catalogue is there
        self.runner.service(evaluation.catalogue, on_done=self.set_kinds)

    def extend(self, layout: QVBoxLayout) -> None:
        """Rows a dialog adds below the record fields."""

    def extra_focus(self) -> list[QWidget]:
        return []

    def set_kinds(self, catalogue: list[dict]) -> None:
        """The catalogue's kinds for this subject's type: bad conduct first, then good."""
        own = [k for k in catalogue if k["subject_type"] == self.subject["type"] and self.offers(k)]
        self.kinds = {k["code"]: k for k in own}
        self.kind.blockSignals(True)
        self.kind.clear()
        for k in sorted(own, key=lambda k: (k["good"], k.get("band") is None, k.get("band") or ())):
            self.kind.addItem(kind_text(k), k["code"])
            self.kind.setItemData(self.kind.count() - 1, k.get("basis") or "", 3)  # ToolTipRole: the basis
        self.kind.blockSignals(False)
        self.fill()
        self._kind_changed()
        self.save.setEnabled(True)
        self.kind.setFocus()

    def offers(self, kind: dict) -> bool:
        """Whether the kind can be chosen here."""
        return True

    def fill(self) -> None:
        """Put existing values in the fields (a correction starts from the record)."""

    def current_kind(self) -> dict:
        return self.kinds.get(self.kind.currentData()) or {}

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        needs_amount = bool(kind.get("needs_amount"))
        has_band = bool(kind.get("band"))
        for field, widget, visible in (("金额", self.amount, needs_amount or bool(self.amount.text().strip())),
                                       ("责任程度", self.responsibility, has_band)):
            self.form.setRowVisible(widget, visible)
            if not visible:
                self.errors._fields[field][1].hide()  # a message under a hidden field must not linger
        self.case_no.setPlaceholderText("例如 宁医保罚〔2026〕12号" + ("" if kind.get("good") else "；不良信息必填"))

    def values(self) -> dict:
        kind = self.current_kind()
        return {
            "kind": self.kind.currentData() or "",
            "decision_date": self.decision_date.text().strip(),
            "amount": self.amount.text().strip() if self.form.isRowVisible(self.amount) else "",
            "responsibility": self.responsibility.currentText() if kind.get("band") else "",
            "case_no": self.case_no.text().strip(),
            "source": self.source.currentData(),
            "decision_type": "" if self.decision_type.currentIndex() == 0 else self.decision_type.currentText(),
            "note": self.note.text().strip(),
        }

    def submit(self) -> None:
        if not self.save.isEnabled():
            return
        self.errors.clear()
        call = self.call()
        if call is None:
            return
        fn, kwargs = call
        self.run_service(fn, **kwargs)

    def call(self) -> tuple | None:
        raise NotImplementedError

class RecordDialog(RecordFields):
    """录入信用信息: a good or bad record for the subject, with scans of the decision attached."""

    def __init__(self, runner, actor: Actor, subject: dict, parent: QWidget | None = None):
        self.files: list[tuple[str, bytes]] = []
        super().__init__(runner, actor, subject, "录入信用信息", parent)
        self.intro.setText(f"为 {subject['name']} 录入一条信用信息。金额仅在该类别须填写基金损失时显示。"
                           "医保支付资格记分类信息须在“违规认定”中录入责任人员，经另一名审核员确认后记分并通知其执业机构"
                           "（济医保发〔2025〕6号 四（五）（六）），此处不提供。")
        self.note.returnPressed.connect(self.focusNextChild)

    def offers(self, kind: dict) -> bool:
        return not kind.get("band")  # points come only through a confirmed finding

    def extend(self, layout: QVBoxLayout) -> None:
        self.attachments = QListWidget()
        self.attachments.setMaximumHeight(80)
        self.attach = QPushButton("添加附件(&F)…", clicked=self.choose_files)
        self.detach = QPushButton("移除附件(&X)", clicked=self.remove_file)
        for button in (self.attach, self.detach):
            button.setAutoDefault(False)
        buttons = QVBoxLayout()
        buttons.addWidget(self.attach)
        buttons.addWidget(self.detach)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.attachments, 1)
        row.addLayout(buttons)
        box = QWidget()
        box.setLayout(row)
        self.errors.add_row(self.form, "附件(&A)：", box, "附件")
        self.errors._fields["附件文件名"] = self.errors._fields["附件"]

    def extra_focus(self) -> list[QWidget]:
        return [self.attachments, self.attach, self.detach]

    def choose_files(self) -> None:
        paths = open_file_names(self, "选择附件",
                                "扫描件和文书 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.ofd *.doc *.docx);;所有文件 (*)")
        for path in paths:
            self.add_file(path)

    def add_file(self, path: str) -> None:
        """Decision scans are small; read here so the worker only stores them (a file too large is refused by
        its size, unread)."""
        name = Path(path).name
        try:
            self.files.append((name, read_input(path, "附件", records.MAX_ATTACHMENT)))
        except ValidationError as exc:
            tell(self, "附件", str(exc))
            return
        self.attachments.addItem(name)

    def remove_file(self) -> None:
        row = self.attachments.currentRow()
        if row >= 0:
            del self.files[row]
            self.attachments.takeItem(row)

    def call(self) -> tuple:
        data = {key: value for key, value in self.values().items() if value}
        data["subject"] = self.subject["uuid"]
        return records.add_record, {"data": data, "files": list(self.files)}

class CorrectDialog(RecordFields):
    """更正: the record's current values to change, and the reason; the original stays as 已被更正."""

    def __init__(self, runner, actor: Actor, subject: dict, record: dict, parent: QWidget | None = None):
        self.record = record
        super().__init__(runner, actor, subject, "更正信用信息", parent)
        self.intro.setText(
            f"更正 {iso(record.get('decision_date'))} 的“{record.get('kind_name')}”"
            f"（案件编号 {record.get('case_no') or '无'}）。原记录不会被修改，"
            "保存后作为“已被更正”保留在档案中，更正后的内容另存为一条新记录。")
        self.note.returnPressed.connect(self.focusNextChild)

    def extend(self, layout: QVBoxLayout) -> None:
        self.reason = QLineEdit(placeholderText="必填：为什么更正，例如 复核发现责任程度认定有误")
        self.errors.add_row(self.form, "更正原因(&Y)：", self.reason, "更正原因")
        self.reason.returnPressed.connect(self.submit)  # the last field: Enter saves

    def extra_focus(self) -> list[QWidget]:
        return [self.reason]

    def original(self) -> dict:
        r = self.record
        return {"kind": r.get("kind") or "", "decision_date": iso(r.get("decision_date")),
                "amount": "" if r.get("amount") is None else str(r["amount"]),
                "responsibility": r.get("responsibility") or "", "case_no": r.get("case_no") or "",
                "source": r.get("source") or "", "decision_type": r.get("decision_type") or "",
                "note": r.get("note") or ""}

    def fill(self) -> None:
        old = self.original()
        index = self.kind.findData(old["kind"])
        if index >= 0:
            self.kind.setCurrentIndex(index)
        self.decision_date.setText(old["decision_date"])
        self.amount.setText(old["amount"])
        if old["responsibility"]:
            self.responsibility.setCurrentText(old["responsibility"])
        self.case_no.setText(old["case_no"])
        self.source.setCurrentIndex(max(self.source.findData(old["source"]), 0))
        self.decision_type.setCurrentIndex(max(self.decision_type.findText(old["decision_type"]), 0)
                                           if old["decision_type"] else 0)
        self.note.setText(old["note"])

    def changes(self) -> dict:
        old = self.original()
        return {key: value for key, value in self.values().items() if value != old[key]}

    def call(self) -> tuple | None:
        changed = self.changes()
        if not changed:
            self.errors.show(None, "没有修改任何内容：请修改需要更正的项目")
            return None
        return records.correct_record, {"record": self.record["uuid"], "data": changed, "reason": self.reason.text()}
