"""年度评价: the yearly rating (年度信用评价结果, 磐医保〔2021〕43号 第十四、二十一条) — the ratings on the left with
their state, the selected one on the right with its grades; 起草 (录入员), 复核 (审核员), 签发 and 发布 (签发人),
each by a different person, and Excel export of the rating."""
from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget,
)

from models.services import ratings
from models.services.base import Actor
from reports.xlsx import write_table
from views.case_common import allow, section_header
from views.people import person
from views.feedback import ask
from views.file_dialogs import save_file_name
from views.forms import FormErrors, ServiceDialog, error_label, heading
from views.notice_dialogs import date_edit, pydate, qdate
from views.list_detail_page import ListDetailPage
from views.table_model import Column, RowsModel
from views.table_view import RecordTable, copy_action
from views.sections import PURPOSES

SECTION = "年度评价"
PURPOSE = PURPOSES[SECTION]
KEY = "pages/ratings"
RATING_COLUMNS = (Column("title", "评价结果", lambda r: r.title), Column("as_of", "评价日", lambda r: r.as_of.isoformat()),
                  Column("state", "状态", lambda r: r.state),
                  Column("subjects", "主体数", lambda r: r.subjects, numeric=True),
                  Column("valid", "有效期", lambda r: f"{r.valid_from} 至 {r.valid_to}" if r.valid_from else ""))
LINE_COLUMNS = tuple(Column(f"c{n}", title, (lambda row, n=n: row[n]), numeric=n == 4)
                     for n, title in enumerate(ratings.RATING_HEADERS))
STEPS = {"草稿": ("复核(&V)", ratings.review, "rating.review"), "已复核": ("签发(&S)", ratings.sign_off, "rating.sign_off")}


def describe(info: ratings.RatingInfo) -> str:
    e = html.escape
    grades = "、".join(f"{g} {n} 个" for g, n in info.by_grade.items()) or "无"
    rows = [("评价日", info.as_of.isoformat()), ("状态", info.state), ("等级", f"共 {info.subjects} 个：{grades}"),
            ("起草", person(info, info.drafted_by)), ("复核", person(info, info.reviewed_by) or "—"),
            ("签发", person(info, info.signed_by) or "—"),
            ("发布", f"{info.published_on}，有效期 {info.valid_from} 至 {info.valid_to}" if info.published_on else "—"),
            ("依据", ratings.BASIS)]
    if info.note:
        rows.append(("说明", info.note))
    return "<table cellspacing='0' cellpadding='1'>" + "".join(
        f"<tr><td style='color:#555; white-space:nowrap'>{e(k)}：</td><td>{e(str(v))}</td></tr>" for k, v in rows) + "</table>"


def export_rating(db, *, rating: str, path: str, progress=None) -> int:
    """Runs on the worker: the rating as an Excel sheet, title and basis on top."""
    info, lines = ratings.show(db, rating=rating)
    return write_table(path, ratings.RATING_HEADERS, lines, sheet=f"{info.year}年度",
                       title=f"{info.title}（评价日 {info.as_of}，{info.state}；依据 {ratings.BASIS}）",
                       progress=progress, total=len(lines))


class DraftDialog(ServiceDialog):
    """起草: the year, the subjects rated and the day whose standing is fixed."""

    def __init__(self, runner, actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.setWindowTitle("起草年度信用评价结果")
        self.errors = FormErrors(error_label())
        last = date.today().year - 1
        self.year = QSpinBox(minimum=2000, maximum=date.today().year, value=last)
        self.kind = QComboBox()
        self.kind.addItem("定点医药机构", "institution")
        self.kind.addItem("医保医（药）师", "practitioner")
        self.as_of = date_edit()
        self.as_of.setDate(qdate(date(last, 12, 31)))
        self.year.valueChanged.connect(lambda y: self.as_of.setDate(qdate(min(date(y, 12, 31), date.today()))))
        self.note = QLineEdit(placeholderText="可不填")
        form = QFormLayout()
        form.addRow(QLabel("按评价日的信用状况确定各主体的信用分和等级；起草后须由另一名审核员复核、签发人签发后发布。",
                           wordWrap=True))
        self.errors.add_row(form, "年度(&Y)：", self.year, "年度")
        self.errors.add_row(form, "评价对象(&T)：", self.kind, "评价对象")
        self.errors.add_row(form, "评价日期(&D)：", self.as_of, "评价日期")
        self.errors.add_row(form, "说明(&N)：", self.note, "说明")
        self.lay_out(form, "起草(&O)")

    def submit(self) -> None:
        self.errors.clear()
        self.run_service(ratings.draft, year=self.year.value(), subject_type=self.kind.currentData(),
                         as_of=pydate(self.as_of), note=self.note.text())


class PublishDialog(ServiceDialog):
    """发布: the day of publication and the validity period (default one year from publication)."""

    def __init__(self, runner, actor, info: ratings.RatingInfo, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.info = info
        self.setWindowTitle("发布年度信用评价结果")
        self.errors = FormErrors(error_label())
        self.on = date_edit()
        self.valid_from = date_edit()
        self.valid_to = date_edit()
        today = date.today()
        self.valid_to.setDate(qdate(today.replace(year=today.year + 1)).addDays(-1))
        form = QFormLayout()
        form.addRow(heading(info.title, 1.1))
        form.addRow(QLabel("发布后在有效期内，红名单按已发布的年度结果认定，抽查按其等级确定比例；发布不能撤回，"
                           "如有错误须重新起草同一年度的结果，新结果发布时原结果有效期随之截止。", wordWrap=True))
        self.errors.add_row(form, "发布日期(&P)：", self.on, "发布日期")
        self.errors.add_row(form, "有效期起(&F)：", self.valid_from, "有效期")
        self.errors.add_row(form, "有效期止(&T)：", self.valid_to, "有效期")
        self.lay_out(form, "发布(&O)")

    def submit(self) -> None:
        self.errors.clear()
        self.run_service(ratings.publish, rating=self.info.uuid, on=pydate(self.on),
                         valid_from=pydate(self.valid_from), valid_to=pydate(self.valid_to))


class RatingsPage(ListDetailPage):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.current: ratings.RatingInfo | None = None
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        self.draft_button = QPushButton("起草(&N)…", clicked=self.new_draft)
        allow(self.draft_button, actor, "rating.draft", "按评价日的信用状况起草某年度的评价结果")
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.title)
        heading_row.addStretch(1)
        heading_row.addWidget(self.draft_button)

        self.list = RowsModel(RATING_COLUMNS, parent=self)
        self.list_table = RecordTable("ratings")
        self.list_table.setModel(self.list)
        self.list_table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.heading = heading("", 1.15)
        self.facts = QLabel("正在读取年度评价结果…", wordWrap=True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lines = RowsModel(LINE_COLUMNS, parent=self)
        self.line_table = RecordTable("rating-lines")
        self.line_table.setModel(self.lines)
        copy_action(self.line_table)
        self.step_button = QPushButton("复核(&V)", clicked=self.step)
        self.publish_button = QPushButton("发布(&P)…", clicked=self.publish)
        self.xlsx_button = QPushButton("导出Excel(&X)…", clicked=self.export_xlsx)
        self.message = QLabel(wordWrap=True)
        actions = QHBoxLayout()
        for button in (self.step_button, self.publish_button, self.xlsx_button):
            actions.addWidget(button)
            button.setEnabled(False)
        actions.addStretch(1)
        self.lay_out(KEY, heading_row, self.purpose, self.list_table, [self.heading, self.facts], actions,
                     self.line_table, self.message, 420)

    def load(self, select: str | None = None) -> None:
        if self.runner.db is not None:
            self.runner.service(ratings.list_ratings, on_done=lambda rows: self._listed(rows, select))

    def _listed(self, rows, select: str | None) -> None:
        keep = select or (self.current.uuid if self.current else None)
        self.list.set_rows(rows)
        if rows:
            self.list_table.fit_columns(widest=260)
            uuids = [r.uuid for r in rows]
            self.list_table.selectRow(uuids.index(keep) if keep in uuids else 0)
        else:
            self.facts.setText("尚无年度评价结果。" + ("点击“起草”按评价日的信用状况确定某年度的评价结果。"
                                               if self.actor.can("rating.draft") else self.draft_button.toolTip()))

    def _selected(self) -> None:
        info = self.list_table.current_row()
        if info is not None:
            self.runner.service(ratings.show, rating=info.uuid, on_done=self._show)

    def _show(self, shown) -> None:
        info, lines = shown
        self.current = info
        self.heading.setText(info.title)
        self.facts.setText(describe(info))
        self.lines.set_rows(lines)
        if lines:
            self.line_table.fit_columns(widest=260)
        step = STEPS.get(info.state)
        self.step_button.setText(step[0] if step else "复核(&V)")
        self.step_button.setEnabled(bool(step) and self.actor.can(step[2]) and self.actor.username not in (
            info.drafted_by, info.reviewed_by))
        self.publish_button.setEnabled(info.state == "已签发" and self.actor.can("rating.sign_off"))
        self.xlsx_button.setEnabled(True)

    def new_draft(self) -> DraftDialog:
        dialog = DraftDialog(self.runner, self.actor, self)
        dialog.saved.connect(lambda info: (self.load(select=info.uuid), self.message.setText(
            f"已起草{info.title}（{info.subjects} 个主体），请另一名审核员复核。")))
        self._open(dialog)
        return dialog

    def step(self):
        info = self.current
        label, fn, _permission = STEPS[info.state]
        verb = label.split("(")[0]
        return ask(self, f"{verb}年度评价结果", f"{verb}“{info.title}”（评价日 {info.as_of}，{info.subjects} 个主体）。"
                   f"{verb}后不能撤回，记入审计日志。", f"{verb}(&Y)",
                   lambda: self.runner.service(fn, actor=self.actor, rating=info.uuid, on_done=lambda r: (
                       self.load(select=r.value.uuid), self.message.setText(f"已{verb}：{r.value.title}。"))))

    def publish(self) -> PublishDialog:
        dialog = PublishDialog(self.runner, self.actor, self.current, self)
        dialog.saved.connect(lambda info: (self.load(select=info.uuid), self.message.setText(
            f"已发布{info.title}，有效期 {info.valid_from} 至 {info.valid_to}；相关主体的信用状况已更新。")))
        self._open(dialog)
        return dialog

    def export_xlsx(self) -> None:
        info = self.current
        path = save_file_name(self, "导出年度评价结果", f"{info.title}.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            self.runner.service(export_rating, rating=info.uuid, path=path, progress_title="正在导出…",
                                cancellable=True, on_done=lambda n: self.message.setText(
                                    f"已导出 {n} 个主体到 {path}" if n >= 0 else "已取消导出"))


def make_page(runner, actor: Actor) -> QWidget:
    return RatingsPage(runner, actor)
