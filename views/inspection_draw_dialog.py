"""A new “双随机” draw: scope, base ratio, seed and inspectors; a preview of the population and the
probability each grade gives (磐医保〔2021〕43号 第十八条) before anything is drawn.

The service checks every field; the form only shows its refusal under the field it names.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QSpinBox, QVBoxLayout, QWidget,
)

from models.services import inspections
from models.services.base import Actor
from models.services.subjects import TYPE_NAMES
from views.feedback import ask, tell
from views.forms import ERROR_STYLE, FormErrors, error_label, heading, set_busy, user_message
from views.settings_remembered import restore_geometry, save_geometry

PREVIEW_DELAY_MS = 300
GEOMETRY_KEY = "dialogs/inspection-draw"


def checked(widget: QListWidget) -> list[str]:
    return [widget.item(n).data(Qt.ItemDataRole.UserRole) for n in range(widget.count())
            if widget.item(n).checkState() == Qt.CheckState.Checked]


def checkable(widget: QListWidget, text: str, value: str, on: bool) -> None:
    item = QListWidgetItem(text, widget)
    item.setData(Qt.ItemDataRole.UserRole, value)
    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class DrawDialog(QDialog):
    """Accepted once the draw is stored; ``drawn`` then holds its DrawInfo."""

    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.drawn = None
        self.setWindowTitle("新建“双随机”抽取")
        self.title = QLineEdit(placeholderText="留空则为“某年某类主体‘双随机、一公开’抽查”")
        self.subject_type = QComboBox()
        for key, name in TYPE_NAMES.items():
            self.subject_type.addItem(name, key)
        self.ratio = QLineEdit("10%", placeholderText="如 10% 或 0.1")
        self.township = QComboBox()
        self.township.addItem("全部", None)
        self.seed = QLineEdit(placeholderText="留空则自动生成；输入原种子可复现")
        self.per_subject = QSpinBox(minimum=inspections.MIN_INSPECTORS, maximum=inspections.MAX_INSPECTORS)
        self.note = QLineEdit()
        self.preview = QLabel("正在计算候选范围…")
        self.preview.setWordWrap(True)
        self.preview.setMinimumHeight(self.fontMetrics().height() * 3)

        self.errors = FormErrors(error_label())
        form = QFormLayout()
        self.errors.add_row(form, "抽查事项(&T)：", self.title, "抽查事项")
        self.errors.add_row(form, "抽查对象(&O)：", self.subject_type, "抽查对象")
        self.errors.add_row(form, "基础抽查比例(&R)：", self.ratio, "基础抽查比例")
        self.errors.add_row(form, "乡镇（街道）(&W)：", self.township, "乡镇（街道）")
        self.errors.add_row(form, "随机种子(&S)：", self.seed, "随机种子")
        self.errors.add_row(form, "每组检查人员(&G)：", self.per_subject, "每组检查人员")
        self.errors.add_row(form, "备注(&B)：", self.note, "备注")
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(QLabel("各等级抽查比例按磐医保〔2021〕43号 第十八条折算：优秀不高于30%，良好50%，中等100%，"
                              "较差120%，差全覆盖。", wordWrap=True))
        left.addWidget(self.preview)
        left.addStretch(1)

        self.institutions = QListWidget()
        self.inspectors = QListWidget()
        self.institution_box = self._box("限定定点医药机构(&I)（不选则不限）", self.institutions, "定点医药机构")
        self.inspector_box = self._box("执法检查人员(&P)（从勾选人员中随机选派）", self.inspectors, "执法检查人员")
        right = QVBoxLayout()
        right.addWidget(self.institution_box, 3)
        right.addWidget(self.inspector_box, 2)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("抽取(&D)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)  # Enter draws from any field; Esc cancels (QDialog)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("随机抽取检查对象和检查人员", 1.2))
        layout.addLayout(columns, 1)
        layout.addWidget(self.errors.area)
        layout.addWidget(self.buttons)
        if not restore_geometry(self, GEOMETRY_KEY):
            self.resize(940, 560)

        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS, timeout=self.update_preview)
        for signal in (self.ratio.textChanged, self.subject_type.currentIndexChanged, self.township.currentIndexChanged,
                       self.institutions.itemChanged):
            signal.connect(lambda *_: self._timer.start())
        self.subject_type.currentIndexChanged.connect(self._type_changed)
        self.runner.service(inspections.scope_choices, on_done=self._choices)
        self.runner.service(inspections.list_inspectors, active_only=True, on_done=self._roster)
        self.title.setFocus()

    def _box(self, title: str, widget: QListWidget, field: str) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # the list takes the box's whole width
        self.errors.add_row(form, "", widget, field)
        return box

    def _choices(self, choices) -> None:
        institutions, towns = choices
        for code, name, town in institutions:
            checkable(self.institutions, f"{name}（{town}）" if town else name, code, False)
        for town in towns:
            self.township.addItem(town, town)
        self.update_preview()

    def _roster(self, roster) -> None:
        for person in roster:
            checkable(self.inspectors, f"{person.name}　{person.certificate_no}　{person.unit}", person.certificate_no, True)
        if not roster:
            self.errors.show("执法检查人员", "名录中还没有执法检查人员，请先在“执法人员名录”中登记")

    def _type_changed(self) -> None:
        insured = self.subject_type.currentData() == "insured"
        self.institution_box.setEnabled(not insured)
        self.institution_box.setToolTip("参保人抽查不按机构限定范围" if insured else "")

    def parameters(self) -> dict:
        insured = self.subject_type.currentData() == "insured"
        return dict(subject_type=self.subject_type.currentData(), base_ratio=self.ratio.text(),
                    institutions=[] if insured else checked(self.institutions), township=self.township.currentData())

    # -- preview --------------------------------------------------------------------------------

    def update_preview(self) -> None:
        self.runner.service(inspections.preview, **self.parameters(), on_done=self._previewed,
                            on_error=self._preview_refused)

    def _previewed(self, seen: inspections.Preview) -> None:
        self.preview.setStyleSheet("")
        grades = "；".join(f"{g} {n} 个，按等级抽中概率 {p}" for g, (n, p) in seen.by_grade.items())
        if seen.fixed:
            grades += f"（其中 {seen.fixed} 个按已发布的年度信用评价结果定等级）"
        if seen.by_risk:
            grades += "。风险等级：" + "；".join(f"{lv} {n} 个" for lv, n in seen.by_risk.items()) + f"，{seen.risk_note}"
        self.preview.setText(f"候选 {seen.population} 个：{grades}。预计抽中约 {seen.expected} 个（实际数目随机）。"
                             if seen.population else "所选范围内没有信用主体。")

    def _preview_refused(self, exc: BaseException) -> None:
        self.preview.setStyleSheet(ERROR_STYLE)
        self.preview.setText(user_message(exc) or "无法计算候选范围")

    # -- drawing ---------------------------------------------------------------------------------

    def submit(self) -> None:
        """Asks first: a registered draw can be verified but never changed or drawn again."""
        self.errors.clear()
        seed = self.seed.text().strip()
        ask(self, "抽取", f"确认后将{'按种子 ' + seed if seed else '以自动生成的种子'}抽取检查对象和执法检查人员：\n"
                         f"{self.preview.text()}\n\n抽取结果和种子随即登记，不能更改或重新抽取，可按种子复核。",
            "抽取(&Y)", self._draw)

    def _draw(self) -> None:
        set_busy(self, True)
        self.runner.service(inspections.draw, actor=self.actor, **self.parameters(), title=self.title.text(),
                            seed=self.seed.text(), per_subject=self.per_subject.value(),
                            inspectors=checked(self.inspectors), note=self.note.text(),
                            progress_title="正在抽取…", on_done=self._drawn, on_error=self._refused)

    def _drawn(self, result) -> None:
        set_busy(self, False)
        self.drawn = result.value
        self.accept()
        tell(self.parentWidget() or self, "抽取", f"已抽取并登记 {self.drawn.number}：抽中 {self.drawn.selected} 个检查对象。")

    def _refused(self, exc: BaseException) -> None:
        set_busy(self, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)

    def reject(self) -> None:
        if not self.runner.busy:
            super().reject()

    def done(self, result: int) -> None:
        save_geometry(self, GEOMETRY_KEY)
        super().done(result)
