"""The subjects behind one count of the grade distribution: a paged list, their files, an export.

Not modal: the user keeps the chart in view, may open several lists side by side, and opens credit
files from them (one window per subject, owned by the page so they outlive the list).
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from models.queries import statistics
from models.queries.statistics import Cell
from models.services.base import Actor
from views.chart_export import export_cell
from views.file_dialogs import save_file_name
from views.forms import heading
from views.settings_remembered import restore_geometry, save_geometry
from views.table_model import Column, PagedTableModel
from views.table_view import RecordTable, copy_action

GEOMETRY_KEY = "dialogs/grade-subjects"


def list_columns() -> tuple[Column, ...]:
    numeric = {"信用分", "本年记分", "生效措施"}
    return tuple(Column(f"c{n}", title, (lambda row, n=n: row[n]), numeric=title in numeric, hidden=title == "UUID")
                 for n, title in enumerate(statistics.LIST_COLUMNS))


class SubjectListModel(PagedTableModel):
    def __init__(self, runner, actor: Actor, cell: Cell, parent=None):
        super().__init__(runner, list_columns(), parent=parent)
        self.cell = cell

        def fetch(db, *, offset, limit, sort=None, descending=False):
            return statistics.cell_page(db, actor=actor, cell=cell, offset=offset, limit=limit)

        def count(db):
            return statistics.cell_count(db, cell=cell)

        self.set_query(fetch, count)

    def sortable(self) -> bool:
        return False  # listed in one order (pinyin initials) so pages never overlap


class SubjectListDialog(QDialog):
    def __init__(self, runner, actor: Actor, cell: Cell, open_file, parent: QWidget | None = None):
        """``open_file(uuid)`` opens a subject's credit file."""
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runner, self.actor, self.cell, self.open_file = runner, actor, cell, open_file
        self.setWindowTitle(f"等级分布名单 — {cell.title}")
        self.count = QLabel("正在读取…")
        self.model = SubjectListModel(runner, actor, cell, parent=self)
        self.table = RecordTable("grade-subjects")
        self.table.setModel(self.model)
        self.table.opened.connect(lambda row: self.open_file(row[-1]))
        copy_action(self.table)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self.count.setText)

        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("打开信用档案(&O)", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._open_current)
        self.export_button = buttons.addButton("导出Excel(&X)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)

        note = QLabel("按拼音首字母排列；选中一行按 Enter 或双击打开信用档案。等级、信用分为最近一次评价结果。"
                      if cell.ids is None else "列出该年末评定为此等级的主体；等级、信用分列为最近一次评价结果。")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(cell.title, 1.2))
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        if not restore_geometry(self, GEOMETRY_KEY):
            self.resize(1000, 560)
        self.table.setFocus()

    def _loaded(self) -> None:
        total = self.model.total
        shown = len(self.model.rows)
        self.count.setText(f"共 {total} 个" + (f"，已显示 {shown} 个（向下滚动继续读取）" if total and shown < total else "")
                           if total is not None else "正在读取…")
        if shown and not self.table.currentIndex().isValid():
            self.table.fit_columns()
            self.table.selectRow(0)

    def _open_current(self) -> None:
        row = self.table.current_row()
        if row is not None:
            self.open_file(row[-1])

    def export(self) -> None:
        name = f"等级分布名单-{self.cell.title.replace(' · ', '-')}-{date.today():%Y%m%d}.xlsx"
        path = save_file_name(self, "导出名单", name, "Excel 工作簿 (*.xlsx)")
        if path:
            self.runner.service(export_cell, actor=self.actor, cell=self.cell, path=path,
                                progress_title="正在导出名单…", cancellable=True,
                                on_done=lambda n: self.count.setText(
                                    f"共 {self.model.total} 个；" + (f"已导出 {n} 个到 {path}" if n >= 0 else "已取消导出")))

    def done(self, result: int) -> None:
        save_geometry(self, GEOMETRY_KEY)
        super().done(result)
