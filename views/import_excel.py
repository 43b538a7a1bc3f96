"""Excel 导入: rosters and violation lists; 核对 lists every bad row, then the user takes nothing or the valid rows."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.services import excel_import
from models.validation import ValidationError
from reports.xlsx import write_table
from views.exchange_common import PathField, RowsModel, read_then, table
from views.forms import FormErrors, error_label

KINDS = (("roster", "执业人员名册（定点医药机构报送）"), ("violations", "违规清单（智能审核、稽核系统导出）"))


def _write(db, *, path: str, headers, rows, sheet: str, title: str | None = None) -> str:
    """Worker-side xlsx writing (templates and error reports): ID columns stay text."""
    if not path:
        raise ValidationError("保存位置", "请选择保存位置")
    try:
        write_table(path, headers, rows, sheet=sheet, title=title)
    except OSError as exc:
        raise ValidationError("保存位置", f"无法写入 {path}（{exc.strerror}）") from None
    return path


def _template(db, *, kind: str, path: str) -> str:
    """Worker-side: the template with ID and code columns formatted as text before anyone types."""
    if not path:
        raise ValidationError("保存位置", "请选择保存位置")
    try:
        return str(excel_import.write_template(kind, path))
    except OSError as exc:
        raise ValidationError("保存位置", f"无法写入 {path}（{exc.strerror}）") from None


class ExcelTab(QWidget):
    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.outcome = None
        self.kind = QComboBox()
        for key, name in KINDS:
            self.kind.addItem(name, key)
        self.file = PathField("open", "选择 Excel 文件", "Excel 文件 (*.xlsx)")
        self.file.edit.textChanged.connect(self._reset)
        self.kind.currentIndexChanged.connect(self._reset)
        self.save_to = PathField("save", "保存为", "Excel 文件 (*.xlsx)")
        self.errors = FormErrors(error_label())
        box = QGroupBox("从 Excel 导入")
        form = QFormLayout(box)
        self.errors.add_row(form, "导入内容(&K)：", self.kind, "导入类型")
        self.errors.add_row(form, "Excel 文件(&F)：", self.file, "Excel 文件")
        self.template = QPushButton("下载模板(&T)")
        self.check = QPushButton("核对(&V)")
        self.check.setDefault(True)
        self.take_all = QPushButton("全部导入(&A)")
        self.take_valid = QPushButton("只导入无误的行(&N)")
        self.report = QPushButton("保存错误报告(&S)")
        for b, fn in ((self.template, self.save_template), (self.check, self.preview), (self.take_all, lambda: self.submit(False)),
                      (self.take_valid, lambda: self.submit(True)), (self.report, self.save_report)):
            b.clicked.connect(fn)
        saving = QWidget()
        row = QHBoxLayout(saving)
        row.setContentsMargins(0, 0, 0, 0)
        for w, stretch in ((self.save_to, 1), (self.template, 0), (self.report, 0)):
            row.addWidget(w, stretch)
        saving.setFocusProxy(self.save_to)
        self.errors.add_row(form, "保存到(&O)：", saving, "保存位置")
        buttons = QHBoxLayout()
        for b in (self.check, self.take_all, self.take_valid):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.message = QLabel("先核对：每一行按录入界面的规则检查，错误逐行列出；有错误时可以不导入，或只导入无误的行。")
        self.message.setWordWrap(True)
        self.model = RowsModel(excel_import.REPORT_HEADERS)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.errors.area)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(table(self.model), 1)
        self.file.edit.returnPressed.connect(self.check.click)
        self._reset()
        if not actor.can("excel.import"):
            for b in (self.check, self.take_all, self.take_valid):
                b.setEnabled(False)
                b.setToolTip("需要录入员或管理员角色")

    def _reset(self) -> None:
        self.outcome = None
        for b in (self.take_all, self.take_valid, self.report):
            b.setEnabled(False)

    def _run(self, **kw) -> None:
        self.errors.clear()
        self._reset()
        self.runner.service(read_then(excel_import.import_file, "Excel 文件"), actor=self.actor,
                            kind=self.kind.currentData(), path=self.file.text(), progress_title="正在核对 Excel…",
                            cancellable=True, on_done=lambda r: self._shown(r.value, kw), on_error=self._failed, **kw)

    def preview(self) -> None:
        self._run(dry_run=True)

    def submit(self, valid_only: bool) -> None:
        self._run(valid_only=valid_only)

    def _shown(self, outcome, kw) -> None:
        self.outcome = outcome
        self.model.set_rows(outcome.report_rows())
        self.report.setEnabled(bool(outcome.errors))
        if kw.get("dry_run"):
            self.message.setText(f"共 {outcome.rows} 行：核对无误 {outcome.valid} 行，有错误 {outcome.invalid} 行。"
                                 + ("可以全部导入。" if not outcome.errors else "请改正后重新核对，或只导入无误的行。"))
            self.take_all.setEnabled(outcome.valid > 0 and not outcome.errors)
            self.take_valid.setEnabled(outcome.valid > 0 and bool(outcome.errors))
        else:
            self.message.setText(f"已导入 {outcome.imported} 行" + (f"；{outcome.invalid} 行有错误未导入" if outcome.errors else ""))
        if outcome.message:
            self.message.setText(f"{self.message.text()}\n{outcome.message}")

    def save_template(self) -> None:
        self.runner.service(_template, kind=self.kind.currentData(), path=self.save_to.text(), on_error=self._failed,
                            on_done=lambda p: self.message.setText(f"已保存模板：{p}"))

    def save_report(self) -> None:
        if self.outcome is None:
            return
        self.runner.service(_write, path=self.save_to.text(), headers=excel_import.REPORT_HEADERS,
                            rows=self.outcome.report_rows(), sheet="错误报告", on_error=self._failed,
                            on_done=lambda p: self.message.setText(f"已保存错误报告：{p}"))

    def _failed(self, exc) -> None:
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
