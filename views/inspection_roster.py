"""执法检查人员名录: who may be drawn to inspect. Everyone may read it; 签发人 and 管理员 keep it.

Nobody is deleted: a person who left stops being drawn (停止选派) and stays named in past draws.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from models.services import inspections
from models.services.base import Actor
from views.case_common import allow
from views.forms import FormErrors, error_label, heading, set_busy
from views.settings_remembered import restore_geometry, save_geometry
from views.table_model import Column, RowsModel
from views.table_view import RecordTable

GEOMETRY_KEY = "dialogs/inspection-roster"
COLUMNS = (Column("name", "姓名", lambda i: i.name), Column("certificate_no", "执法证号", lambda i: i.certificate_no),
           Column("unit", "所在单位或科室", lambda i: i.unit),
           Column("active", "状态", lambda i: "在岗，可选派" if i.active else "停止选派"))


class RosterDialog(QDialog):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.setWindowTitle("执法检查人员名录")
        self.model = RowsModel(COLUMNS, parent=self)
        self.model.muted = lambda i: not i.active
        self.table = RecordTable("inspection-roster")
        self.table.setModel(self.model)

        self.name = QLineEdit()
        self.certificate = QLineEdit(placeholderText="行政执法证件号码")
        self.unit = QLineEdit(placeholderText="如 基金监管科")
        self.errors = FormErrors(error_label())
        self.add_box = QGroupBox("登记执法检查人员")
        form = QFormLayout(self.add_box)
        self.errors.add_row(form, "姓名(&N)：", self.name, "姓名")
        self.errors.add_row(form, "执法证号(&Z)：", self.certificate, "执法证号")
        self.errors.add_row(form, "所在单位(&U)：", self.unit, "所在单位")
        self.add_button = QPushButton("登记(&A)", clicked=self.add)
        self.add_button.setDefault(True)  # Enter in a field registers; Esc closes
        form.addRow("", self.add_button)
        self.toggle_button = QPushButton("停止选派(&S)…", clicked=self.toggle)
        for widget in (self.add_box, self.toggle_button):
            allow(widget, actor, "inspectors.manage")
        self.role_note = QLabel("" if actor.can("inspectors.manage") else self.add_box.toolTip(), wordWrap=True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())

        buttons = QDialogButtonBox()
        buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addWidget(self.add_box)
        side.addWidget(self.toggle_button)
        side.addWidget(self.role_note)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("执法检查人员名录", 1.2))
        layout.addLayout(body, 1)
        layout.addWidget(self.errors.area)
        layout.addWidget(buttons)
        if not restore_geometry(self, GEOMETRY_KEY):
            self.resize(900, 460)
        self.load()

    def load(self) -> None:
        self.runner.service(inspections.list_inspectors, on_done=self._loaded)

    def _loaded(self, rows) -> None:
        self.model.set_rows(rows)
        if rows:  # widths are kept once set: take them from real rows, not an empty table
            self.table.fit_columns()
        self._selected()

    def _selected(self) -> None:
        person = self.table.current_row()
        self.toggle_button.setText("恢复选派(&S)…" if person is not None and not person.active else "停止选派(&S)…")
        if self.actor.can("inspectors.manage"):
            self.toggle_button.setEnabled(person is not None)

    def add(self) -> None:
        self.errors.clear()
        set_busy(self.add_box, True)
        self.runner.service(inspections.add_inspector, actor=self.actor, name=self.name.text(),
                            certificate_no=self.certificate.text(), unit=self.unit.text(),
                            on_done=self._added, on_error=self._refused)

    def _added(self, _result) -> None:
        set_busy(self.add_box, False)
        for field in (self.name, self.certificate, self.unit):
            field.clear()
        self.name.setFocus()
        self.load()

    def _refused(self, exc: BaseException) -> None:
        set_busy(self.add_box, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)

    def toggle(self) -> None:
        person = self.table.current_row()
        if person is None:
            return
        verb = "恢复选派" if not person.active else "停止选派"
        reason, ok = QInputDialog.getText(self, verb, f"{verb}“{person.name}”（{person.certificate_no}）的原因：")
        if ok:
            self.errors.clear()
            self.runner.service(inspections.set_inspector_active, actor=self.actor, certificate_no=person.certificate_no,
                                active=not person.active, reason=reason, on_done=lambda _r: self.load(),
                                on_error=self._refused)

    def done(self, result: int) -> None:
        save_geometry(self, GEOMETRY_KEY)
        super().done(result)
