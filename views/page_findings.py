"""违规录入: a clerk enters findings; a second person (审核员) confirms them.

Confirmation writes the credit records, points, measures and points notifications
(models/services/findings.py). The service enforces four-eyes; this screen disables the button
for the person who entered the case and says why, rather than letting them meet a refusal.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter, QTextBrowser, QVBoxLayout,
    QWidget,
)

from models.queries.finding_list import FindingRow, finding_count, finding_page
from models.services import findings
from models.services.base import Actor
from views.case_common import allow, four_eyes_block, section_header
from views.people import person
from views.feedback import ask, tell
from views.finding_edit import AmendFindingDialog
from views.finding_form import FindingForm
from views.notice_dialogs import ReasonDialog
from views.notice_draft import DraftDialog, finding_choices
from views.table_export import export_table
from views.table_model import Column, PagedTableModel, shown
from views.table_view import RecordTable, copy_action
from views.sections import PURPOSES

SECTION = "违规录入"
PURPOSE = PURPOSES[SECTION]
STATES = (("待确认", "待确认"), ("已确认", "已确认"), ("已撤回", "已撤回"), ("全部", None))
COLUMNS = (
    Column("decision_date", "决定日期", lambda f: f.decision_date, sort="decision_date"),
    Column("case_no", "案件编号", lambda f: f.case_no, sort="case_no"),
    Column("institution", "机构", lambda f: f.institution),
    Column("decision_type", "决定类型", lambda f: f.decision_type),
    Column("persons", "责任人员", lambda f: "、".join(p.name for p in f.persons) or "（无）"),
    Column("state", "状态", lambda f: f.state),
    Column("entered_by", "录入人", lambda f: person(f, f.entered_by)),
    Column("confirmed_by", "确认人", lambda f: person(f, f.confirmed_by), hidden=True),
)


def describe(f: FindingRow) -> str:
    people = "".join(
        f"<li>{html.escape(p.name)}（{html.escape(p.number)}）：{p.responsibility}责任者，{html.escape(p.kind_name)}"
        + (f"，记分分档{p.band[0]}—{p.band[1]}分" if p.band else "")
        + f"；录入人 {html.escape(person(f, p.entered_by))}</li>"
        for p in f.persons)
    return (f"<h3>{html.escape(f.case_no)}</h3><p>{html.escape(f.institution)}，{f.decision_type}，"
            f"决定日期 {f.decision_date.isoformat()}" + (f"，基金损失 {shown(f.amount)} 元" if f.amount else "")
            + f"</p><p><b>违反条款：</b>{html.escape(f.article)}</p>"
            + (f"<p><b>责任人员：</b></p><ul>{people}</ul>" if people else "<p>未认定责任人员。</p>")
            + f"<p>状态：{f.state}；录入人 {html.escape(person(f, f.entered_by))}"
            + (f"；{f.confirmed_on} 由 {html.escape(person(f, f.confirmed_by))} 确认" if f.confirmed_by else "")
            + "</p>")


class FindingsPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        self.form = FindingForm(runner, actor)
        self.form.saved.connect(lambda _f: self.reload())
        self.form.saved.connect(lambda _f: self.status.clear())

        self.state = QComboBox()
        for text, value in STATES:
            self.state.addItem(text, value)
        self.state.currentIndexChanged.connect(self.reload)
        self.model = PagedTableModel(runner, COLUMNS, parent=self)
        self.table = RecordTable("findings")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        copy_action(self.table)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.table.opened.connect(lambda _row: self.confirm.click() if self.confirm.isEnabled() else None)
        self.model.loaded.connect(self._loaded)
        self.detail = QTextBrowser()
        self.detail.setPlaceholderText("选中一项违规认定，在此查看责任人员")
        self.confirm = QPushButton("审核确认(&Q)", clicked=self._confirm)
        self.amend = QPushButton("修改(&E)…", clicked=self._amend)
        self.amend.setToolTip("录入人可在审核确认前修改本人录入的处理决定，须写明原因")
        self.withdraw = QPushButton("撤回(&H)…", clicked=self._withdraw)
        self.withdraw.setToolTip("录入人可在审核确认前撤回本人录入的违规认定，须写明原因")
        self.draft = QPushButton("起草告知书(&T)…", clicked=self._draft)
        self.why = QLabel(wordWrap=True)
        self.why.setStyleSheet("color: #555;")
        self.count = QLabel()
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #1b5e20;")

        top = QHBoxLayout()
        label = QLabel("显示(&W)：")
        label.setBuddy(self.state)
        top.addWidget(label)
        top.addWidget(self.state)
        top.addWidget(self.count, 1)
        self.export = QPushButton("导出Excel(&E)…", clicked=lambda: export_table(self, self.runner, self.table, "违规认定"))
        top.addWidget(self.export)
        review = QGroupBox("审核确认（须由录入人以外的审核员办理）")
        review_layout = QVBoxLayout(review)
        review_layout.addLayout(top)
        review_layout.addWidget(self.table, 3)
        review_layout.addWidget(self.detail, 2)
        actions = QHBoxLayout()
        actions.addWidget(self.why, 1)
        actions.addWidget(self.draft)
        actions.addWidget(self.amend)
        actions.addWidget(self.withdraw)
        actions.addWidget(self.confirm)
        review_layout.addLayout(actions)
        review_layout.addWidget(self.status)

        # On a 768-pixel screen the form may not fit: it scrolls rather than cut off its buttons.
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.splitter = QSplitter()
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(review)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addWidget(self.splitter, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.reload)
        self._selected()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.runner.db is not None:
            self.form.load_kinds()
            self.reload()

    def reload(self) -> None:
        if self.runner.db is None:
            return
        actor, state = self.actor, self.state.currentData()

        def fetch(db, *, offset, limit, sort, descending):
            return finding_page(db, actor=actor, state=state, offset=offset, limit=limit, sort=sort,
                                descending=descending)

        self.model.set_query(fetch, lambda db: finding_count(db, actor=actor, state=state))
        self._selected()

    def _loaded(self) -> None:
        if self.model.total is not None:
            self.count.setText(f"共 {self.model.total} 项")
        if self.model.rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def selected(self) -> FindingRow | None:
        return self.table.current_row()

    def _selected(self) -> None:
        f = self.selected()
        self.detail.setHtml(describe(f) if f else "")
        if allow(self.draft, self.actor, "notice.draft"):
            self.draft.setEnabled(f is not None and f.state == "已确认")
            self.draft.setToolTip("为责任人员起草记分告知书或措施告知书" if self.draft.isEnabled()
                                  else "选中一项已确认的违规认定")
        for button in (self.amend, self.withdraw):
            button.setVisible(self.actor.can("finding.write"))
            button.setEnabled(self._withdraw_allowed(f))
        if not allow(self.confirm, self.actor, "finding.confirm"):
            self.why.setText(self.confirm.toolTip())
            return
        problem = None
        if f is None:
            problem = "请先在列表中选中一项待确认的违规认定"
        elif f.state == "已撤回":
            problem = "该违规认定已由录入人撤回"
        elif f.state != "待确认":
            problem = f"该违规认定已于{f.confirmed_on}由{person(f, f.confirmed_by)}确认"
        else:
            problem = next(filter(None, (four_eyes_block(self.actor, who, "违规认定", "审核确认")
                                         for who in sorted(f.entrants))), None)
        self.confirm.setEnabled(problem is None)
        self.confirm.setToolTip(problem or "确认后生成信用信息、计算记分和措施，并向责任人员登记备案的每个机构发出记分通知")
        self.why.setText(problem or "")

    def _draft(self) -> None:
        """起草告知书 for the persons the confirmed finding scored: the kind follows their records."""
        f = self.selected()
        if f is None or f.state != "已确认":
            return
        self.draft.setEnabled(False)
        self.runner.service(finding_choices, actor=self.actor, finding=f.uuid,
                            on_done=lambda choices: self._draft_dialog(f, choices), on_error=self._refused)

    def _draft_dialog(self, f: FindingRow, choices: list) -> None:
        self._selected()
        if not choices:
            tell(self, "起草告知书", f"{f.case_no} 没有需要向责任人员出具的记分或措施告知书。")
            return
        self.dialog = DraftDialog(self.runner, self.actor, self, subject=("", f"{f.case_no}（{f.institution}）"),
                                  choices=choices, subject_label="案件：")
        dialog = self.dialog
        dialog.accepted.connect(lambda: self._done("起草告知书", dialog.done_message()))
        dialog.open()

    def _withdraw_allowed(self, f: FindingRow | None) -> bool:
        return (f is not None and f.state == "待确认" and f.entered_by == self.actor.username
                and self.actor.can("finding.write"))

    def _amend(self) -> None:
        f = self.selected()
        if not self._withdraw_allowed(f):
            return
        self.dialog = AmendFindingDialog(self.runner, self.actor, f, self)
        self.dialog.saved.connect(lambda info: self._amended(info))
        self.dialog.open()

    def _amended(self, info) -> None:
        self._done("修改违规认定", f"已修改 {info.case_no} 的处理决定，修改原因已记入操作记录。")

    def _done(self, title: str, text: str) -> None:
        """What was done, on the status line and in a box the user acknowledges; the list follows."""
        self.status.setText(text)
        tell(self, title, text)
        self.reload()

    def _withdraw(self) -> None:
        f = self.selected()
        if not self._withdraw_allowed(f):
            return
        self.dialog = ReasonDialog(self.runner, "撤回违规认定",
                                   f"撤回 {f.case_no} 的原因(&R)：", "reason", findings.withdraw_finding,
                                   {"actor": self.actor, "finding": f.uuid}, self, error_field="撤回原因")
        self.dialog.accepted.connect(lambda: self._withdrawn(f))
        self.dialog.open()

    def _withdrawn(self, f: FindingRow) -> None:
        self._done("撤回违规认定", f"已撤回 {f.case_no}：不再等待审核确认，未生成任何信用信息；撤回原因已记入操作记录。")

    def _confirm(self) -> None:
        """Asks first, saying what the confirmation will do to whom (the engine's figures)."""
        f = self.selected()
        if f is None:
            return
        self.confirm.setEnabled(False)
        self.runner.service(findings.confirmation_preview, actor=self.actor, finding=f.uuid,
                            on_done=lambda lines: self._ask(f, lines), on_error=self._refused)

    def _ask(self, f: FindingRow, lines: list[str]) -> None:
        text = (f"确认违规认定 {f.case_no} 后：\n\n" + "\n".join(f"• {line}" for line in lines)
                + "\n\n信用信息将写入信用档案，并向责任人员登记备案的每个机构发出记分通知。确认后不能撤回，"
                  "只能通过异议、更正或信用修复改变。")
        self.prompt = ask(self, "审核确认", text, "确认并记分(&Y)", lambda: self._run_confirm(f), on_no=self._selected)

    def _run_confirm(self, f: FindingRow) -> None:
        self.status.setText(f"正在确认 {f.case_no} 并重新评价所涉人员…")
        self.runner.service(findings.confirm_finding, actor=self.actor, finding=f.uuid, on_done=self._confirmed,
                            on_error=self._refused)

    def _confirmed(self, result) -> None:
        info = result.value
        self._done("审核确认", f"已确认 {info.case_no}：{len(info.persons)}名责任人员的记分和措施已计入信用档案，"
                           "并已通知其登记备案的机构")

    def _refused(self, exc: BaseException) -> None:
        self.status.clear()
        self._selected()
        self.runner.show_error(exc)


def make_page(runner, actor: Actor) -> QWidget:
    return FindingsPage(runner, actor)
