"""数据交换: export, import (dry run first, then apply), receipts, history, keys, Excel imports."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from models.services.exchange import export, history, importer, receipts
from views.exchange_common import PathField, RowsModel, read_then, table
from views.case_common import section_header
from views.exchange_city import CityTab
from views.exchange_history import HistoryTab
from views.exchange_keys import KeysTab
from views.import_excel import ExcelTab
from views.forms import FormErrors, error_label
from views.sections import PURPOSES

SECTION = "数据交换"
# The navigation's own words for the section (views/sections.py).
PURPOSE = PURPOSES[SECTION]
SUMMARY_HEADERS = ("记录类型", *importer.CATEGORY_NAMES.values())


def make_page(runner, actor) -> QWidget:
    return ExchangePage(runner, actor)


class ExchangePage(QWidget):
    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)  # five tabs must not widen the page on a small screen
        self.export_tab = ExportTab(runner, actor)
        self.import_tab = ImportTab(runner, actor)
        self.history_tab = HistoryTab(runner, actor)
        self.keys_tab = KeysTab(runner, actor)
        self.excel_tab = ExcelTab(runner, actor)
        self.city_tab = CityTab(runner, actor)
        for tab, title in ((self.export_tab, "导出数据包(&1)"), (self.import_tab, "导入与回执(&2)"),
                           (self.history_tab, "交换记录(&3)"), (self.keys_tab, "密钥管理(&4)"),
                           (self.excel_tab, "Excel 导入(&5)"), (self.city_tab, "市局汇总(&6)")):
            self.tabs.addTab(tab, title)
        self.tabs.setTabVisible(self.tabs.indexOf(self.city_tab), False)  # until the status says this is a city
        for tab in (self.export_tab, self.import_tab, self.keys_tab):
            tab.changed.append(self.refresh)
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addWidget(self.tabs, 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """One status query feeds every tab; a database not opened yet (start-up) has nothing to show."""
        if self.runner.db is None:
            return
        self.runner.service(history.status, on_done=self._status, on_error=lambda _e: None)
        self.history_tab.refresh()

    def _status(self, status) -> None:
        for tab in (self.export_tab, self.import_tab, self.keys_tab):
            tab.show_status(status)
        is_city = status.role == "city"
        self.tabs.setTabVisible(self.tabs.indexOf(self.city_tab), is_city)
        if is_city:
            self.city_tab.refresh()


class ExportTab(QWidget):
    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor, self.changed = runner, actor, []
        self.status = QLabel("正在读取交换状态…")
        self.status.setWordWrap(True)
        self.receiver = QComboBox()
        self.receiver.setPlaceholderText("尚未导入对方公钥：请先到“密钥管理”导入市局的公钥")
        self.folder = PathField("folder", "数据包保存到")
        self.years = QLineEdit(placeholderText="可选，如 2027；多个年份用逗号分隔（市局向县局下发节假日安排时填写）")
        self.errors = FormErrors(error_label())
        box = QGroupBox("导出上次确认以来待发送的全部记录")
        form = QFormLayout(box)
        self.errors.add_row(form, "接收方(&R)：", self.receiver, "接收方")
        self.errors.add_row(form, "保存到文件夹(&D)：", self.folder, "导出目录")
        self.errors.add_row(form, "随包节假日安排(&Y)：", self.years, "节假日安排")
        self.go = QPushButton("导出数据包(&E)")
        self.go.setDefault(True)
        self.go.clicked.connect(self.submit)
        for edit in (self.folder.edit, self.years):  # Enter in a field exports, as a dialog's default button would
            edit.returnPressed.connect(self.go.click)
        self.result = QLabel()
        self.result.setWordWrap(True)
        if not actor.can("exchange.run"):
            self.go.setEnabled(False)
            self.go.setToolTip("需要审核员或管理员角色")
        row = QHBoxLayout()
        row.addWidget(self.go)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(box)
        layout.addWidget(self.errors.area)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def show_status(self, st) -> None:
        pending = "，".join(f"{export.type_name(k)} {v}" for k, v in st.pending.items()) or "无"
        key = st.own_key.shown if st.own_key else "尚未生成（请到“密钥管理”生成）"
        packs = "、".join(f"{p['pack']} 第{p['version']}版" for p in st.policy_packs) or "无"
        self.status.setText(f"本局：{st.name}（{st.code}）\n本局密钥指纹：{key}\n待发送记录：{pending}\n"
                            f"市局下发的政策包：{packs}")
        current = self.receiver.currentData()
        self.receiver.clear()
        for p in st.partners:
            seq, acked = st.last_out.get(p.code, (0, True))
            self.receiver.addItem(f"{p.name}（{p.code}）— 已发至第{seq}号{'' if acked else '，待回执'}", p.code)
        if self.receiver.count():  # with a placeholder text Qt selects nothing by itself
            self.receiver.setCurrentIndex(max(0, self.receiver.findData(current)))

    def submit(self) -> None:
        self.errors.clear()
        try:
            years = tuple(int(y) for y in self.years.text().replace("，", ",").split(",") if y.strip())
        except ValueError:
            self.errors.show("节假日安排", "节假日安排：请填写年份数字，例如 2027")
            return
        self.go.setEnabled(False)
        self.runner.service(export.export_package, actor=self.actor, to_dir=self.folder.text(),
                            receiver=self.receiver.currentData(), calendar_years=years,
                            progress_title="正在导出数据包…", cancellable=True, on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        info = result.value
        self.go.setEnabled(True)
        counts = "，".join(f"{export.type_name(k)} {v}" for k, v in info.counts.items())
        self.result.setText(f"已导出第{info.sequence}号数据包：{info.path}\n{counts}\n"
                            "请把文件交给接收方；对方的回执导入后，这些记录不再待发送。")
        for fn in self.changed:
            fn()

    def _failed(self, exc) -> None:
        self.go.setEnabled(self.actor.can("exchange.run"))
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)


class ImportTab(QWidget):
    """Choose a package, 核对 shows what would change; only then 导入 applies it, in one transaction."""

    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor, self.changed = runner, actor, []
        self.checked_path: str | None = None
        self.file = PathField("open", "选择数据包或回执", "数据交换包 (*.zip)")
        self.file.edit.textChanged.connect(self._path_changed)
        self.errors = FormErrors(error_label())
        box = QGroupBox("导入市局或县局的数据包、回执")
        form = QFormLayout(box)
        self.errors.add_row(form, "文件(&F)：", self.file, "数据包")
        self.check = QPushButton("核对(&V)")
        self.check.setDefault(True)
        self.apply = QPushButton("导入(&A)")
        self.apply.setEnabled(False)
        self.check.clicked.connect(self.preview)
        self.apply.clicked.connect(self.submit)
        self.file.edit.returnPressed.connect(self.check.click)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check)
        buttons.addWidget(self.apply)
        buttons.addStretch(1)
        self.message = QLabel("先核对：程序验证签名、摘要、接收方和序号，并列出将要新增、更新、合并、忽略和冲突的记录。")
        self.message.setWordWrap(True)
        self.summary = RowsModel(SUMMARY_HEADERS)
        self.conflicts = RowsModel(("记录类型", "UUID", "冲突原因"))
        receipt = QGroupBox("回执：确认收到对方最近的数据包")
        row = QHBoxLayout(receipt)
        self.partner = QComboBox()
        self.partner.setPlaceholderText("尚未导入对方公钥")
        self.receipt_folder = PathField("folder", "回执保存到")
        self.make_receipt = QPushButton("生成回执(&R)")
        self.make_receipt.clicked.connect(self.receipt)
        for label, widget, stretch in (("对方(&P)：", self.partner, 0), ("保存到(&O)：", self.receipt_folder, 1)):
            text = QLabel(label)
            text.setBuddy(widget.edit if isinstance(widget, PathField) else widget)
            row.addWidget(text)
            row.addWidget(widget, stretch)
        row.addWidget(self.make_receipt)
        if not actor.can("exchange.run"):
            for b in (self.check, self.apply, self.make_receipt):
                b.setEnabled(False)
                b.setToolTip("需要审核员或管理员角色")
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.errors.area)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        for model, stretch, stretch_last in ((self.summary, 2, False), (self.conflicts, 1, True)):
            view = table(model, stretch_last)
            view.setMinimumHeight(70)  # the page must fit a 1366×768 screen with room to spare
            layout.addWidget(view, stretch)
        layout.addWidget(receipt)

    def show_status(self, st) -> None:
        current = self.partner.currentData()
        self.partner.clear()
        for p in st.partners:
            self.partner.addItem(f"{p.name}（{p.code}）— 已导入至第{st.last_in.get(p.code, 0)}号", p.code)
        if self.partner.count():
            self.partner.setCurrentIndex(max(0, self.partner.findData(current)))

    def _path_changed(self) -> None:
        self.apply.setEnabled(False)
        self.checked_path = None

    def preview(self) -> None:
        self.errors.clear()
        self._busy(True)
        self.runner.service(read_then(importer.preview, "数据包"), actor=self.actor, path=self.file.text(),
                            progress_title="正在核对数据包…", cancellable=True,
                            on_done=self._previewed, on_error=self._failed)

    def submit(self) -> None:
        self._busy(True)
        self.runner.service(read_then(importer.import_package, "数据包"), actor=self.actor, path=self.checked_path,
                            progress_title="正在导入数据包…", cancellable=True,
                            on_done=lambda r: self._applied(r.value), on_error=self._failed)

    def receipt(self) -> None:
        self.runner.service(receipts.make_receipt, actor=self.actor, partner=self.partner.currentData() or "",
                            to_dir=self.receipt_folder.text(), on_error=self._failed,
                            on_done=lambda r: self.message.setText(
                                f"已生成回执（确认 {r.value.partner} 的第{r.value.sequence}号数据包）：{r.value.path}"))

    def _busy(self, busy: bool) -> None:
        self.check.setEnabled(not busy)
        self.apply.setEnabled(False)

    def _show(self, report) -> None:
        rows = [(export.type_name(t), *(c.get(k, "") or "" for k in importer.CATEGORY_NAMES)) for t, c in report.counts.items()]
        self.summary.set_rows(rows)
        self.conflicts.set_rows([(c["type_name"], c["uuid"], c["reason"]) for c in report.conflicts])

    def _previewed(self, report) -> None:
        self._busy(False)
        self._show(report)
        head = f"{report.sender_name}（{report.sender}）第{report.sequence}号{'数据包' if report.kind == 'data' else '回执'}"
        if report.status in ("resend", "receipt"):
            self.message.setText(f"{head}：{report.message}" + ("。可点“导入”确认。" if report.status == "receipt" else ""))
        else:
            self.message.setText(f"{head}：签名和摘要核对无误。新增 {report.total('new')}，更新 {report.total('updated')}，"
                                 f"合并 {report.total('merged')}，冲突 {report.total('conflicts')}（冲突的记录不会导入）。"
                                 "确认无误后点“导入”。")
        self.checked_path = self.file.text()
        self.apply.setEnabled(report.status != "resend")

    def _applied(self, report) -> None:
        self._busy(False)
        self._show(report)
        self.checked_path = None
        self.message.setText(f"已导入 {report.sender_name}（{report.sender}）第{report.sequence}号"
                             f"{'数据包' if report.kind == 'data' else '回执'}。{report.message}")
        for fn in self.changed:
            fn()

    def _failed(self, exc) -> None:
        self._busy(False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
