"""异议与修复: objections, repair applications and appeals with their state and deadlines, and the actions on them.

Filing is for the clerk (录入员); decisions are for a reviewer or signer other than the person who
entered the case (双人复核). Buttons a role may not use are disabled with the reason on hover. An appeal
is filed, referred and decided in the credit file, beside the record or measure it is against and the
points it would change; here the bureau sees every appeal with its deadline and opens the file from it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from models.queries import case_lists
from models.queries.case_lists import AppealRow, ObjectionRow, RepairRow
from models.services.base import Actor
from views.appeal_forms import appeal_name
from views.case_common import allow, four_eyes_block, iso, section_header
from views.people import person
from views.case_forms import (
    DecideObjectionDialog, DecideRepairDialog, ObjectionDialog, RepairDialog, objection_summary, repair_summary,
)
from views.file_window import open_file_window
from views.table_export import export_table
from views.table_model import Column, PagedTableModel
from views.table_view import RecordTable, copy_action
from views.sections import PURPOSES

SECTION = "异议与修复"
PURPOSE = PURPOSES[SECTION]


def _due(deadline: date | None, provisional: bool, extended: bool = False) -> str:
    if deadline is None:
        return "未计算"
    return iso(deadline) + ("（已延长）" if extended else "") + ("（暂定）" if provisional else "")


def _overdue(deadline: date | None, open_: bool) -> bool:
    return open_ and deadline is not None and deadline < date.today()


OBJECTION_COLUMNS = (
    Column("received_on", "收到日期", lambda o: o.received_on, sort="received"),
    Column("subject", "信用主体", lambda o: o.subject),
    Column("target", "异议对象", lambda o: o.target + (f" {o.case_no}" if o.case_no else "")),
    Column("deadline", "复核期限", lambda o: _due(o.review_deadline, o.provisional), sort="deadline",
           tooltip=lambda o: f"依据：{o.basis}"),
    Column("state", "状态", lambda o: o.state),
    Column("outcome", "复核结果", lambda o: o.outcome),
    Column("entered_by", "录入人", lambda o: person(o, o.entered_by)),
    Column("decided_by", "决定人", lambda o: person(o, o.decided_by), hidden=True),
)
REPAIR_COLUMNS = (
    Column("applied_on", "受理日期", lambda r: r.applied_on, sort="applied"),
    Column("subject", "信用主体", lambda r: r.subject),
    Column("kind", "类别", lambda r: r.kind_name),
    Column("case_no", "所涉案件", lambda r: r.case_no),
    Column("eligible", "修复条件", lambda r: "符合" if r.eligible else "不符合",
           tooltip=lambda r: "；".join(r.reasons) or None),
    Column("deadline", "处理期限", lambda r: _due(r.extended_to or r.decision_deadline, r.provisional,
                                                 bool(r.extended_to)), sort="deadline",
           tooltip=lambda r: f"依据：{r.basis}"),
    Column("notice_end", "公示截止", lambda r: r.notice_end),
    Column("state", "状态", lambda r: r.state),
    Column("entered_by", "录入人", lambda r: person(r, r.entered_by)),
)
APPEAL_COLUMNS = (
    Column("received_on", "收到日期", lambda a: a.received_on, sort="received"),
    Column("subject", "信用主体", lambda a: a.subject),
    Column("matter", "申诉事项", lambda a: a.matter),
    Column("against", "所申诉的决定", lambda a: (a.measure_name or "记分") + (f" {a.case_no}" if a.case_no else "")),
    Column("deadline", "办理期限", lambda a: _due(a.deadline, a.provisional), sort="deadline",
           tooltip=lambda a: a.deadline_basis),
    Column("state", "状态", lambda a: a.state),
    Column("outcome", "决定", lambda a: a.outcome),
    Column("entered_by", "录入人", lambda a: person(a, a.entered_by)),
    Column("decided_by", "决定人", lambda a: person(a, a.decided_by), hidden=True),
)


def appeal_summary(a: AppealRow) -> str:
    who = a.appellant + (f"（{a.institution}）" if a.institution else "")
    parts = [f"{a.subject}：{appeal_name(asdict(a))}，申诉人{who}。理由：{a.reason}",
             f"办理期限：{_due(a.deadline, a.provisional)}，{a.deadline_basis}。"]
    if a.assessor:
        parts.append(f"已送{a.assessor}评估鉴定。")
    if a.outcome:
        parts.append(f"决定：{a.outcome}，{a.effect or ''}（{person(a, a.decided_by)}）。")
    elif a.state in case_lists.OPEN_APPEALS:
        parts.append("送评估鉴定、登记鉴定结论和作出决定在信用档案的“异议与修复”页办理（按回车键打开）。")
    return "\n".join(parts)


class CaseList(QWidget):
    """One list (objections or repairs): table, summary of the selected case and its action buttons."""

    def __init__(self, page: CasesPage, key: str, columns, fetch: Callable, count: Callable,
                 summary: Callable[[object], str]):
        super().__init__()
        self.page, self.fetch_fn, self.count_fn, self.summary = page, fetch, count, summary
        self.model = PagedTableModel(page.runner, columns, parent=self)
        self.table = RecordTable(f"cases/{key}")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        copy_action(self.table)
        self.detail = QLabel(wordWrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.detail.fontMetrics().height() * 3)
        self.buttons = QHBoxLayout()
        self.open = QPushButton("打开信用档案(&O)", clicked=self._open_file)
        self.export = QPushButton("导出Excel…", clicked=lambda: export_table(self, page.runner, self.table,
                                                                            {"objections": "异议", "repairs": "信用修复", "appeals": "申诉"}.get(key, key)))
        self.buttons.addWidget(self.export)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.open)
        self.model.loaded.connect(self._loaded)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.selected_changed())
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(self.buttons)
        self.actions: list[tuple[QPushButton, Callable[[object], str | None]]] = []

    def action(self, text: str, permission: str, why_not: Callable[[object], str | None], run: Callable) -> QPushButton:
        button = QPushButton(text, clicked=lambda: self.current() and run(self.current()))
        button.setProperty("permission", permission)
        self.buttons.insertWidget(self.buttons.count() - 1, button)
        self.actions.append((button, why_not))
        return button

    def reload(self) -> None:
        actor, open_only = self.page.actor, self.page.open_only()

        def fetch(db, *, offset, limit, sort, descending):
            return self.fetch_fn(db, actor=actor, open_only=open_only, offset=offset, limit=limit, sort=sort,
                                 descending=descending)

        self.model.set_query(fetch, lambda db: self.count_fn(db, actor=actor, open_only=open_only))
        self.selected_changed()

    def current(self):
        return self.table.current_row()

    def _loaded(self) -> None:
        if self.model.rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.page.counted()

    def selected_changed(self) -> None:
        row = self.current()
        self.detail.setText(self.summary(row) if row else "")
        self.open.setEnabled(row is not None)
        for button, why_not in self.actions:
            if not allow(button, self.page.actor, button.property("permission")):
                continue
            problem = "请先在列表中选中一项" if row is None else why_not(row)
            button.setEnabled(problem is None)
            button.setToolTip(problem or "")

    def _open_file(self) -> None:
        row = self.current()
        if row is not None:
            window = open_file_window(self.page, self.page.runner, self.page.actor, row.subject_uuid, self.page.windows)
            window.show_tab("异议与修复")


class CasesPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.windows: dict = {}
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        self.scope = QComboBox()
        self.scope.addItem("在办", True)
        self.scope.addItem("全部（含已办结）", False)
        self.scope.currentIndexChanged.connect(self.reload)
        self.new_objection = QPushButton("登记异议(&N)…", clicked=lambda: self._new(ObjectionDialog))
        self.new_repair = QPushButton("登记修复申请(&P)…", clicked=lambda: self._new(RepairDialog))
        allow(self.new_objection, actor, "objection.write", "受理信用主体书面提出的异议（附件1）")
        allow(self.new_repair, actor, "repair.write", "受理信用修复申请（附件3）")

        self.objections = CaseList(self, "objections", OBJECTION_COLUMNS, case_lists.objection_page,
                                   case_lists.objection_count, objection_summary)
        self.decide_objection = self.objections.action(
            "复核决定(&D)…", "objection.decide", self._objection_blocked,
            lambda o: self._decide(DecideObjectionDialog, o))
        self.repairs = CaseList(self, "repairs", REPAIR_COLUMNS, case_lists.repair_page, case_lists.repair_count,
                                repair_summary)
        self.grant = self.repairs.action("予以修复(&G)…", "repair.decide", lambda r: self._repair_blocked(r, "grant"),
                                         lambda r: self._decide(DecideRepairDialog, r, "grant"))
        self.refuse = self.repairs.action("不予修复(&R)…", "repair.decide", lambda r: self._repair_blocked(r, "refuse"),
                                          lambda r: self._decide(DecideRepairDialog, r, "refuse"))
        self.extend = self.repairs.action("延长期限(&E)…", "repair.decide", lambda r: self._repair_blocked(r, "extend"),
                                          lambda r: self._decide(DecideRepairDialog, r, "extend"))
        # Enter or double-click: decide where the user may, otherwise read the file.
        self.appeals = CaseList(self, "appeals", APPEAL_COLUMNS, case_lists.appeal_page, case_lists.appeal_count,
                                appeal_summary)
        self.objections.table.opened.connect(
            lambda _o: (self.decide_objection if self.decide_objection.isEnabled() else self.objections.open).click())
        self.repairs.table.opened.connect(lambda _r: self.repairs.open.click())
        self.appeals.table.opened.connect(lambda _a: self.appeals.open.click())
        for cases in self.lists():
            cases.model.alarm = self._overdue

        self.tabs = QTabWidget()
        self.tabs.addTab(self.objections, "异议(&1)")
        self.tabs.addTab(self.repairs, "信用修复(&2)")
        self.tabs.addTab(self.appeals, "申诉(&3)")
        self.count = QLabel()
        bar = QHBoxLayout()
        label = QLabel("显示(&W)：")
        label.setBuddy(self.scope)
        bar.addWidget(label)
        bar.addWidget(self.scope)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.new_objection)
        bar.addWidget(self.new_repair)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.reload)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()

    def open_only(self) -> bool:
        return bool(self.scope.currentData())

    def lists(self) -> tuple[CaseList, ...]:
        return self.objections, self.repairs, self.appeals

    def reload(self) -> None:
        if self.runner.db is not None:
            for cases in self.lists():
                cases.reload()

    def counted(self) -> None:
        names = ("异议", "信用修复", "申诉")
        parts = [f"{name} {cases.model.total} 项" for name, cases in zip(names, self.lists())
                 if cases.model.total is not None]
        self.count.setText("，".join(parts))

    @staticmethod
    def _overdue(row) -> bool:
        if isinstance(row, ObjectionRow):
            return _overdue(row.review_deadline, row.state == "待复核")
        if isinstance(row, AppealRow):
            return _overdue(row.deadline, row.state in case_lists.OPEN_APPEALS)
        return _overdue(row.extended_to or row.decision_deadline, row.state == "已受理")

    def _objection_blocked(self, o: ObjectionRow) -> str | None:
        if o.state != "待复核":
            return f"该异议已于{iso(o.decided_on)}办结（{o.outcome}）"
        return four_eyes_block(self.actor, o.entered_by, "异议", "作出复核决定")

    def _repair_blocked(self, r: RepairRow, decision: str) -> str | None:
        if r.state != "已受理":
            return f"该申请状态为“{r.state}”，已作出过决定"
        if decision == "extend":
            if r.extended_to:
                return f"处理期限已延长过一次（至{iso(r.extended_to)}）"
            return None if r.latest_deadline else "适用的规定未允许延长处理期限"
        if decision == "grant" and not r.eligible:
            return "不符合信用修复条件：" + "；".join(r.reasons)
        return four_eyes_block(self.actor, r.entered_by, "信用修复申请", "作出修复决定")

    def _new(self, dialog_class) -> None:
        dialog = dialog_class(self.runner, self.actor, self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        self.dialog = dialog

    def _decide(self, dialog_class, row, *args) -> None:
        dialog = dialog_class(self.runner, self.actor, row, *args, parent=self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        self.dialog = dialog


def make_page(runner, actor: Actor) -> QWidget:
    return CasesPage(runner, actor)
