"""节假日安排: the years whose official holiday schedule is loaded, and loading a later year's.

Deadlines in working days (N 个工作日) need each year's schedule; a deadline reaching a year without
one is computed on weekends alone and shown as 暂定 until the year is loaded (DOMAIN.md §5).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from models.services import deadlines, workdays
from models.services.base import Actor
from views.case_common import allow
from views.file_dialogs import open_file_name
from views.settings_common import LazyTab, read_text
from views.table_model import Column, RowsModel
from views.table_view import RecordTable
from views.people import named

COLUMNS = (Column("year", "年份", lambda y: y.year), Column("holidays", "放假天数", lambda y: y.holidays, numeric=True),
           Column("workdays", "调休上班天数", lambda y: y.workdays, numeric=True),
           Column("source", "来源", lambda y: y.source), Column("loaded_by", "载入人", lambda y: y.loaded_by))
HELP = ("“N个工作日”的期限按国务院办公厅公布的节假日安排计算。程序已带有 2026 年及以前的安排；以后各年公布后，"
        "由管理员在此载入安排文件（格式见 docs/policy-packs.md 第7节），或随市局数据包下发。期限落在未载入安排的年份时"
        "只按周末计算并标注“暂定”，载入后自动按正式安排重新计算。")


def load_file(db, *, actor: Actor, path: str, source: str):
    return deadlines.load_schedule(db, actor=actor, text=read_text(path), source=source)


class CalendarTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = RecordTable("settings-calendar")
        self.table.setModel(self.model)
        self.load_button = QPushButton("载入节假日安排(&L)…", clicked=self.load_schedule)
        allow(self.load_button, actor, "calendar.load", "载入某年的节假日安排文件；同一年再次载入时以新文件为准并留档")
        buttons = QHBoxLayout()
        buttons.addWidget(self.load_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        self.summary = QLabel(wordWrap=True)
        layout.addWidget(QLabel(HELP, wordWrap=True))
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(named, query=workdays.years, fields=("loaded_by",), on_done=self._listed,
                            on_error=self.refused)

    def _listed(self, rows) -> None:
        self.model.set_rows(list(reversed(rows)))  # the newest year, the one that matters next, first
        if rows:  # widths are kept once set: take them from real rows, not an empty table
            self.table.fit_columns()
        if rows:
            last = rows[-1].year
            self.summary.setText(f"已载入 {rows[0].year}—{last} 年的安排。{last + 1} 年及以后尚未载入：期限跨入这些年份时显示为“暂定”。")

    def load_schedule(self) -> None:
        path = open_file_name(self, "载入节假日安排", "节假日安排 (*.csv *.txt);;所有文件 (*)",
                              purpose="calendar")
        if not path:
            return
        source, ok = QInputDialog.getText(self, "载入节假日安排", "来源（如：国务院办公厅关于2027年部分节假日安排的通知）：",
                                          text=Path(path).stem)
        if ok:
            self.runner.service(load_file, actor=self.actor, path=path, source=source, on_error=self.refused,
                                on_done=lambda result: (self.say(f"已载入 {'、'.join(map(str, result.value))} 年的节假日安排。"),
                                                        self.load()))
