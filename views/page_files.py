"""信用档案: find a subject among the county's 200,000 and open its file.

The list pages through the database on the worker (views/subject_table.py); searching, filtering
and sorting are queries, never a filter over rows held in memory.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from models.queries.subject_list import SubjectQuery, column_basis
from models.services.base import Actor
from views.case_common import allow, section_header
from views.file_dialogs import save_file_name
from views.file_window import FileWindow, open_file_window
from views.subject_dialog import SubjectDialog
from views.subject_table import GRADE_CHOICES, TYPE_CHOICES, SubjectListModel, export_subjects, subject_columns
from views.table_view import RecordTable, copy_action
from views.sections import PURPOSES

SECTION = "信用档案"
PURPOSE = PURPOSES[SECTION]
SEARCH_DELAY_MS = 300  # wait for a pause in typing rather than query on every keystroke


class FilesPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.windows: dict[str, FileWindow] = {}  # open file windows by subject uuid
        self.title, self.purpose = section_header(SECTION, PURPOSE)

        self.search = QLineEdit(placeholderText="姓名或名称、拼音首字母（如 zsf）、身份证号或统一社会信用代码",
                                clearButtonEnabled=True)
        self.search.setObjectName("search")
        self.type = QComboBox()
        self.grade = QComboBox()
        for combo, choices in ((self.type, TYPE_CHOICES), (self.grade, GRADE_CHOICES)):
            for text, value in choices:
                combo.addItem(text, value)
            combo.currentIndexChanged.connect(self.apply_filter)
        self.export = QPushButton("导出Excel(&E)…", clicked=self.export_list)
        self.choose_columns = QPushButton("显示列(&L)…")
        self.add_subject = QPushButton("新增信用主体(&N)…", clicked=self.new_subject)
        allow(self.add_subject, actor, "subject.write")
        self.count = QLabel()

        self.basis: dict = {}  # filled on first show; the tooltips read it
        self.model = SubjectListModel(runner, actor, subject_columns(self.basis), parent=self)
        self.table = RecordTable("subjects")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(False)  # numbers stay next to their names
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.opened.connect(self.open_file)
        copy_action(self.table)
        self.choose_columns.clicked.connect(
            lambda: self.table.column_menu().exec(self.choose_columns.mapToGlobal(self.choose_columns.rect().bottomLeft())))
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self.count.setText)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.apply_filter)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.apply_filter)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, activated=self.search.setFocus)

        bar = QHBoxLayout()
        for text, widget, stretch in (("查找(&F)：", self.search, 3), ("类型(&T)：", self.type, 0),
                                      ("等级(&G)：", self.grade, 0)):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget, stretch)
        hint = QLabel("双击或按 Enter 打开信用档案；点击列标题排序；右键列标题选择显示的列", wordWrap=True)
        hint.setStyleSheet("color: #555;")
        footer = QHBoxLayout()
        footer.addWidget(self.count, 1)
        footer.addWidget(hint, 2)
        footer.addWidget(self.add_subject)
        footer.addWidget(self.choose_columns)
        footer.addWidget(self.export)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        self.setTabOrder(self.search, self.type)
        self.setTabOrder(self.type, self.grade)
        self.setTabOrder(self.grade, self.table)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Coming back to the list shows the grades as they are now (a confirmation elsewhere may have changed them).
        if self.runner.db is not None:
            if not self.basis:
                self.runner.service(column_basis, on_done=self.basis.update)
            self.apply_filter()
            self.search.setFocus()

    def current_query(self) -> SubjectQuery:
        return SubjectQuery(text=self.search.text(), type=self.type.currentData(), grade=self.grade.currentData())

    def apply_filter(self) -> None:
        self._timer.stop()
        self.count.setText("正在查询…")
        self.model.set_filter(self.current_query())

    def _loaded(self) -> None:
        total = self.model.total
        if total is None:
            return
        self.count.setText(f"共 {total:,} 个信用主体，已显示 {len(self.model.rows):,} 个" if total
                           else "没有符合条件的信用主体")

    def open_file(self, row) -> None:
        open_file_window(self, self.runner, self.actor, row.uuid, self.windows)

    def new_subject(self) -> SubjectDialog:
        self.dialog = SubjectDialog(self.runner, self.actor, self)
        self.dialog.saved.connect(self._subject_added)
        self.dialog.open()
        return self.dialog

    def _subject_added(self, subject) -> None:
        # The new subject is listed by its name, ready to open with Enter.
        self.type.setCurrentIndex(0)
        self.grade.setCurrentIndex(0)
        self.search.setText(subject.name)
        self.apply_filter()
        self.table.setFocus()

    def visible_columns(self) -> list:
        header = self.table.horizontalHeader()
        order = sorted(range(header.count()), key=header.visualIndex)
        return [self.model.columns[i] for i in order if not header.isSectionHidden(i)]

    def export_list(self) -> None:
        suggested = f"信用主体名单-{date.today().isoformat()}.xlsx"  # in the folder used last
        path = save_file_name(self, "导出Excel", suggested, "Excel 工作簿 (*.xlsx)")
        if path:
            self.start_export(path)

    def start_export(self, path: str) -> int:
        return self.runner.service(export_subjects, actor=self.actor, q=self.model.current_query(),
                                   columns=self.visible_columns(), path=path, progress_title="正在导出Excel…",
                                   cancellable=True, on_done=lambda n: self._exported(n, path))

    def _exported(self, rows: int, path: str) -> None:
        self.count.setText("已取消导出，未保存文件" if rows < 0 else f"已导出 {rows:,} 行到 {path}")


def make_page(runner, actor: Actor) -> QWidget:
    return FilesPage(runner, actor)
