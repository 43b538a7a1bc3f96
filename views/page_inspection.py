"""抽查: “双随机、一公开” draws (鲁政办 2019 意见 二（一）) — the register of draws on the left,
the selected draw on the right with its parameters, seed and selection; new draws, the inspector
roster, re-checking a draw by its seed, Excel, print and PDF for publication."""
from __future__ import annotations

import html
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QPushButton, QWidget,
)

from collections import Counter

from models.services import inspection_outcomes, inspections
from models.services.base import Actor
from views.case_common import allow, section_header
from views.file_dialogs import save_file_name
from views.forms import heading
from views.inspection_draw_dialog import DrawDialog
from views.inspection_outcome import OutcomeDialog
from views.inspection_publish import document, export_draw, print_preview, publication, save_pdf
from views.inspection_roster import RosterDialog
from views.list_detail_page import ListDetailPage
from views.table_model import Column, PagedTableModel, RowsModel
from views.table_view import RecordTable, copy_action
from views.people import named
from views.sections import PURPOSES

SECTION = "抽查"
PURPOSE = PURPOSES[SECTION]
KEY = "pages/inspection"
DRAW_COLUMNS = (Column("number", "抽查编号", lambda d: d.number), Column("title", "抽查事项", lambda d: d.title),
                Column("selected", "抽中/候选", lambda d: f"{d.selected}/{d.population}", numeric=True),
                Column("drawn_at", "抽取时间", lambda d: f"{d.drawn_at.astimezone():%Y-%m-%d %H:%M}"),
                Column("drawn_by", "抽取人", lambda d: d.drawn_by))
ITEM_COLUMNS = tuple(Column(f"c{n}", title, (lambda row, n=n: row[n]), numeric=n == 0, hidden=title == "UUID")
                     for n, title in enumerate(inspections.ITEM_COLUMNS))


class ItemsModel(PagedTableModel):
    """The subjects a draw selected, a page at a time (a county-wide draw of insured persons is large)."""

    def __init__(self, runner, actor: Actor, parent=None):
        super().__init__(runner, ITEM_COLUMNS, parent=parent)
        self.actor = actor

    def sortable(self) -> bool:
        return False  # the draw's own order (序号) is the published one

    def show_draw(self, number: str) -> None:
        def fetch(db, *, offset, limit, sort=None, descending=False):
            return inspections.draw_items(db, actor=self.actor, draw=number, offset=offset, limit=limit)

        def count(db):
            return inspections.get_draw(db, draw=number).selected

        self.set_query(fetch, count)


def describe(info: inspections.DrawInfo, by_grade: dict, outcomes: list | None = None) -> str:
    e = html.escape
    grades = "；".join(f"{g} {c} 个中抽中 {s} 个（{round(100 * s / c) if c else 0}%）" for g, (c, s) in by_grade.items())
    rows = [("范围", info.scope_text), ("候选/抽中", f"{info.population} 个 / {info.selected} 个（{grades}）"),
            ("基础抽查比例", f"{info.ratio_text}；每个对象选派 {info.per_subject} 名执法人员"),
            # in groups of 16, so the long value wraps instead of squeezing the labels to one character a line
            ("随机种子", info.seed), ("候选名单校验值", " ".join(textwrap.wrap(info.candidates_sha256, 16))),
            ("抽取", f"{info.drawn_by}，{info.drawn_at.astimezone():%Y-%m-%d %H:%M}"), ("依据", "；".join(info.basis))]
    if info.note:
        rows.append(("备注", info.note))
    if outcomes is not None:
        done = Counter(o.outcome for o in outcomes if o.outcome)
        parts = "、".join(f"{k} {n} 个" for k, n in done.items())
        rows.append(("检查结果", f"已登记 {sum(done.values())}/{len(outcomes)} 个" + (f"（{parts}）" if parts else "")))
    return "<table cellspacing='0' cellpadding='1'>" + "".join(
        f"<tr><td style='color:#555; white-space:nowrap'>{e(k)}：</td><td>{e(v)}</td></tr>" for k, v in rows) + "</table>"


def load_draw(db, *, draw: str) -> tuple:
    """Runs on the worker: the draw's header, how its selection followed the grades, the outcomes recorded."""
    return (named(db, query=inspections.get_draw, fields=("drawn_by",), draw=draw),
            inspections.selected_by_grade(db, draw=draw),
            inspection_outcomes.outcomes(db, draw=draw))


class InspectionPage(ListDetailPage):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.current: inspections.DrawInfo | None = None
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        self.new_button = QPushButton("新建抽取(&N)…", clicked=self.new_draw)
        allow(self.new_button, actor, "inspection.draw", "按信用等级比例随机抽取检查对象和检查人员，结果登记备查")
        self.roster_button = QPushButton("执法人员名录(&M)…", clicked=self.open_roster)
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.title)
        heading_row.addStretch(1)
        heading_row.addWidget(self.new_button)
        heading_row.addWidget(self.roster_button)

        self.draws = RowsModel(DRAW_COLUMNS, parent=self)
        self.draw_table = RecordTable("inspection-draws")
        self.draw_table.setModel(self.draws)
        self.draw_table.selectionModel().currentRowChanged.connect(lambda *_: self._draw_selected())

        self.heading = heading("", 1.15)
        self.heading.setWordWrap(True)
        self.facts = QLabel("正在读取抽查记录…")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items = ItemsModel(runner, actor, parent=self)
        self.item_table = RecordTable("inspection-items")
        self.item_table.setModel(self.items)
        copy_action(self.item_table)
        # Widths from the first rows (RecordTable keeps them once set, so never from an empty table).
        self.items.loaded.connect(lambda: self.item_table.fit_columns() if 0 < len(self.items.rows) <= self.items.page_size
                                  else None)
        self.verify_button = QPushButton("按种子复核(&V)", clicked=self.verify)
        self.xlsx_button = QPushButton("导出Excel(&X)…", clicked=self.export_xlsx)
        self.print_button = QPushButton("打印(&P)…", clicked=self.print_result)
        self.pdf_button = QPushButton("导出PDF(&F)…", clicked=self.export_pdf)
        self.outcome_button = QPushButton("登记检查结果(&R)…", clicked=self.record_outcome)
        self.can_record = allow(self.outcome_button, actor, "inspection.outcome",
                                "登记所选检查对象的检查结果；不合格、违规记入其信用档案")
        self.outcome_button.setEnabled(False)  # until a drawn subject is selected
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        for button in (self.verify_button, self.xlsx_button, self.print_button, self.pdf_button):
            actions.addWidget(button)
            button.setEnabled(False)
        actions.addStretch(1)
        actions.addWidget(self.outcome_button)
        self.item_table.selectionModel().currentRowChanged.connect(
            lambda *_: self.outcome_button.setEnabled(self.can_record and self.item_table.current_row() is not None))
        self.outcomes: dict[int, object] = {}
        self.lay_out(KEY, heading_row, self.purpose, self.draw_table, [self.heading, self.facts], actions,
                     self.item_table, self.message, 380)

    def load(self, select: str | None = None) -> None:
        if self.runner.db is not None:
            self.runner.service(named, query=inspections.list_draws, fields=("drawn_by",),
                                on_done=lambda rows: self._listed(rows, select))

    def _listed(self, rows, select: str | None) -> None:
        keep = select or (self.current.number if self.current else None)
        self.draws.set_rows(rows)
        if rows:
            self.draw_table.fit_columns(widest=220)
        numbers = [d.number for d in rows]
        if rows:
            self.draw_table.selectRow(numbers.index(keep) if keep in numbers else 0)
        else:
            self.facts.setText("尚无抽查记录。" + ("点击“新建抽取”按信用等级比例随机抽取检查对象和检查人员。"
                                             if self.actor.can("inspection.draw") else self.new_button.toolTip()))

    def _draw_selected(self) -> None:
        info = self.draw_table.current_row()
        if info is None:
            return
        self.message.clear()
        self.runner.service(load_draw, draw=info.number, on_done=self._show_draw)
        self.items.show_draw(info.number)

    def _show_draw(self, loaded) -> None:
        info, by_grade, outcomes = loaded
        self.current = info
        self.outcomes = {o.position: o for o in outcomes}
        self.heading.setText(f"{info.number}　{info.title}")
        self.facts.setText(describe(info, by_grade, outcomes))
        for button in (self.verify_button, self.xlsx_button, self.print_button, self.pdf_button):
            button.setEnabled(True)

    # -- actions ------------------------------------------------------------------------------------

    def new_draw(self) -> DrawDialog:
        dialog = DrawDialog(self.runner, self.actor, self)
        dialog.accepted.connect(lambda: self._drawn(dialog.drawn))
        self._open(dialog)
        return dialog

    def _drawn(self, info: inspections.DrawInfo) -> None:
        self.load(select=info.number)
        self.message.setText(f"已完成抽取并登记：{info.number}，候选 {info.population} 个，抽中 {info.selected} 个，"
                             f"随机种子 {info.seed}。")

    def record_outcome(self) -> OutcomeDialog | None:
        row = self.item_table.current_row()
        if row is None or self.current is None:
            return None
        done = self.outcomes.get(row[0])
        if done is not None and done.outcome:
            self.message.setText(f"第{row[0]}个检查对象的检查结果已于{done.inspected_on}登记为“{done.outcome}”，不能重复登记。")
            return None
        dialog = OutcomeDialog(self.runner, self.actor, self.current, row, self)
        dialog.saved.connect(self._outcome_saved)
        self._open(dialog)
        return dialog

    def _outcome_saved(self, o) -> None:
        self.runner.service(load_draw, draw=o.draw, on_done=self._show_draw)
        self.message.setText(f"已登记第{o.position}个检查对象 {o.subject_name} 的检查结果：{o.outcome}"
                             + ("，已记入其信用档案并重新评价。" if o.record else "。"))

    def open_roster(self) -> RosterDialog:
        dialog = RosterDialog(self.runner, self.actor, self)
        self._open(dialog)
        return dialog

    def verify(self) -> None:
        self.runner.service(inspections.verify, draw=self.current.number,
                            on_done=lambda check: self.message.setText(check.message))

    def export_xlsx(self) -> None:
        path = save_file_name(self, "导出抽查结果", f"抽查结果-{self.current.number}.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            self.runner.service(export_draw, actor=self.actor, draw=self.current.number, path=path,
                                progress_title="正在导出…", cancellable=True,
                                on_done=lambda n: self.message.setText(f"已导出 {n} 个检查对象到 {path}"
                                                                       if n >= 0 else "已取消导出"))

    def _with_document(self, then) -> None:
        self.runner.service(publication, actor=self.actor, draw=self.current.number,
                            on_done=lambda data: then(document(data, self.font())))

    def print_result(self) -> None:
        self._with_document(lambda doc: self._open(print_preview(doc, self)))

    def export_pdf(self) -> None:
        path = save_file_name(self, "导出PDF", f"抽查结果公示-{self.current.number}.pdf", "PDF 文件 (*.pdf)")
        if path:
            self._with_document(lambda doc: (save_pdf(doc, path), self.message.setText(f"已导出PDF到 {path}")))


def make_page(runner, actor: Actor) -> QWidget:
    return InspectionPage(runner, actor)
