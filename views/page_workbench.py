"""工作台: every open case with its next deadline, working days left, overdue (red) and 暂定 flags.

The list comes from the work list service (models/services/todo.py) through
models/queries/work_items.py, which adds the subject of each case and the notices on their way
to being issued. Opening an item shows the credit file on the tab where the case is.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.queries.work_items import WorkItem, work_items
from models.services import pack_status
from models.services.tick import tick as process_due
from models.services.base import Actor
from views.case_common import allow, iso, section_header
from views.file_window import open_file_window
from views.people import person
from views.table_export import export_table
from views.table_model import Column, RowsModel
from views.table_view import RecordTable, copy_action
from views.sections import PURPOSES

SECTION = "工作台"
PURPOSE = PURPOSES[SECTION]
# Which tab of the credit file shows each kind of case.
FILE_TABS = {"finding": "违规认定", "measure_choice": "措施与名单", "objection": "异议与修复", "appeal": "异议与修复",
             "repair": "异议与修复",
             "public_notice": "异议与修复", "measure_ending": "措施与名单", "notice": "告知与通知",
             "warning": "信用预警"}


def _left(item: WorkItem) -> str:
    if item.workdays_left is None:
        return ""
    if item.overdue:
        return f"逾期{-item.workdays_left}个工作日" if item.workdays_left < 0 else "逾期"
    return f"{item.workdays_left}个工作日"


COLUMNS = (
    Column("deadline", "期限", lambda i: iso(i.deadline) + ("（暂定）" if i.provisional and i.deadline else ""),
           tooltip=lambda i: ("暂定：期限涉及尚未载入节假日安排的年份，仅按周末计算，载入后重新计算。" if i.provisional else "")
           + (f"依据：{i.basis}" if i.basis else "") or None),
    Column("left", "剩余", _left, numeric=True),
    Column("since", "等待自", lambda i: iso(i.since),
           tooltip=lambda i: "引起该措施的处理决定作出之日" if i.since else None),
    Column("kind", "类别", lambda i: i.kind_name),
    Column("title", "事项", lambda i: i.title),
    Column("next_step", "下一步", lambda i: i.next_step),
    Column("entered_by", "录入人", lambda i: person(i, i.entered_by), hidden=True),
)


class WorkbenchPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.windows: dict = {}
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        self.model = RowsModel(COLUMNS, parent=self)
        self.model.alarm = lambda i: i.overdue
        self.table = RecordTable("workbench")
        self.table.setModel(self.model)
        self.table.opened.connect(self.open_item)
        copy_action(self.table)
        self.summary = QLabel()
        self.pack_warning = QLabel(wordWrap=True, styleSheet="color: #b3261e;")  # a pack in force ran out
        self.pack_warning.hide()
        self.done = QLabel(wordWrap=True)
        self.done.setStyleSheet("color: #1b5e20;")
        self.open = QPushButton("打开(&O)", clicked=lambda: self.table.current_row() and self.open_item(self.table.current_row()))
        self.tick = QPushButton("处理到期事项(&T)", clicked=self.run_tick)
        allow(self.tick, actor, "casework.tick", "按今天的日期结束期满的措施、恢复登记状态、办结期满的修复公示")
        self.refresh = QPushButton("刷新(&R)", clicked=self.reload)
        self.refresh.setToolTip("F5")
        self.all = QCheckBox("显示全部待办(&A)", toggled=lambda _on: self._show())
        self.all.setToolTip("不勾选时只显示当前用户的角色可以办理的事项（不含本人录入、须由他人审核的事项）")
        self.export = QPushButton("导出Excel(&E)…", clicked=lambda: export_table(self, self.runner, self.table, "待办事项"))
        self.items: list[WorkItem] = []
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.all)
        bar.addWidget(self.export)
        bar.addWidget(self.open)
        bar.addWidget(self.tick)
        bar.addWidget(self.refresh)
        hint = QLabel("红色为已逾期；“暂定”的期限涉及尚未载入节假日安排的年份。双击或按 Enter 打开所涉信用档案。", wordWrap=True)
        hint.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addWidget(self.pack_warning)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.done)
        layout.addWidget(hint)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.reload)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()
        self.table.setFocus()

    def reload(self) -> None:
        if self.runner.db is None:
            return
        self.refresh.setEnabled(False)
        self.summary.setText("正在读取待办事项…")
        self.runner.service(work_items, actor=self.actor, on_done=self.show_items, on_error=self._failed)
        self.runner.service(pack_status.pack_warnings, on_done=self._pack_warnings)

    def _pack_warnings(self, warnings: list[str]) -> None:
        self.pack_warning.setText("\n".join(f"注意：{w}" for w in warnings))
        self.pack_warning.setVisible(bool(warnings))

    def _failed(self, exc: BaseException) -> None:
        self.refresh.setEnabled(True)
        self.summary.setText("未能读取待办事项")
        self.runner.show_error(exc)

    def show_items(self, items: list[WorkItem]) -> None:
        self.refresh.setEnabled(True)
        self.items = items
        self._show()

    def _show(self) -> None:
        everything = self.items
        items = everything if self.all.isChecked() else [i for i in everything if i.for_actor(self.actor)]
        self.model.set_rows(items)
        overdue = sum(i.overdue for i in items)
        provisional = sum(i.provisional for i in items)
        hidden = len(everything) - len(items)
        self.summary.setText((f"待办 {len(items)} 项" + (f"，其中逾期 {overdue} 项" if overdue else "")
                              + (f"，期限暂定 {provisional} 项" if provisional else "") if items else "没有待办事项")
                             + (f"（另有 {hidden} 项须由其他角色或他人办理）" if hidden else ""))
        if items and not self.table.currentIndex().isValid():
            # Current for the keyboard (Enter opens it) but not highlighted, so red overdue rows stay visible.
            self.table.selectionModel().setCurrentIndex(self.model.index(0, 0),
                                                        QItemSelectionModel.SelectionFlag.NoUpdate)

    def run_tick(self) -> None:
        self.tick.setEnabled(False)
        self.runner.service(process_due, actor=self.actor, on_done=self._ticked, on_error=self._tick_failed)

    def _ticked(self, result) -> None:
        run = result.value
        self.tick.setEnabled(True)
        self.reload()
        self.done.setText(f"已按{run.today.isoformat()}处理：措施生效 {run.imposed} 项、期满 {run.expired} 项、"
                          f"结束 {run.ended} 项、自动修复 {run.restored} 项、登记状态变更 {run.registrations} 项、"
                          f"修复公示办结 {run.repairs_finished} 项、新增预警 {run.warnings_raised} 项")

    def _tick_failed(self, exc: BaseException) -> None:
        self.tick.setEnabled(True)
        self.runner.show_error(exc)

    def open_item(self, item: WorkItem) -> None:
        if item.subject_uuid:
            window = open_file_window(self, self.runner, self.actor, item.subject_uuid, self.windows)
            window.show_tab(FILE_TABS.get(item.kind, ""))


def make_page(runner, actor: Actor) -> QWidget:
    return WorkbenchPage(runner, actor)
