"""The credit file window (一医一档): basic data, evaluation with its basis, and every part of the file.

Opened from a list row. Everything shown comes from one read on the worker: the evaluation as
of today and the file (``models.queries.credit_file.file_with_evaluation``, the same data as
``credit-desk show --json``). Each computed value carries its legal basis on hover; the panel on
the right shows the selected row in full with its basis.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QTextBrowser,
    QVBoxLayout, QWidget,
)

from models.queries.credit_file import file_with_evaluation
from models.queries.subject_list import column_basis
from models.services import notices, users
from models.services.base import Actor
from views.case_common import allow
from views.case_forms import ChooseMeasureDialog
from views.file_actions import FileActions
from views.file_tabs import TABS, FileTable
from views.feedback import ask, tell
from views.forms import ERROR_STYLE, heading
from views.notice_draft import DraftDialog
from views.record_dialog import CorrectDialog, RecordDialog
from views.warning_dialog import AcknowledgeWarningDialog
from views.table_model import RowsModel, shown
from views.table_view import RecordTable, copy_action

TYPE_NAMES = {"practitioner": "医保医（药）师", "insured": "参保人", "institution": "定点医药机构"}
BASIC_FIELDS = (("id_number", "身份证号"), ("credit_code", "统一社会信用代码"), ("insurance_code", "医保机构编码"),
                ("institution_kind", "机构类别"), ("profession", "人员类别"), ("practice_reg_no", "执业注册号"),
                ("insurance_type", "参保类型"), ("other_id", "其他证件"), ("township", "乡镇（街道）"),
                ("phone", "联系电话"), ("address", "地址"), ("origin_county", "档案所属地"))
# Row fields worth reading in full in the side panel, beyond the table's columns.
DETAIL_FIELDS = (("basis", "依据"), ("article", "违反条款"), ("reason", "理由"), ("reasons", "不予修复情形"),
                 ("answer", "复核意见"), ("decision_reason", "决定理由"), ("correction_reason", "更正原因"),
                 ("extension_reason", "延长理由"), ("materials", "申请材料"), ("commitment", "修复承诺"),
                 ("supersedes", "更正了记录"), ("superseded_by", "已被记录更正"), ("record", "所涉记录"),
                 ("case_no", "案件编号"), ("deadline_basis", "办理期限"), ("question", "鉴定事项"),
                 ("conclusion", "鉴定结论"), ("decision_basis", "决定依据"), ("effect", "执行情况"))


# Who did something, by login name in the data; the screen shows the display name beside it (``<key>_name``).
PEOPLE_FIELDS = ("entered_by", "decided_by", "computed_by", "created_by", "acknowledged_by", "confirmed_by",
                 "referred_by", "actor")


def name_people(db, data: dict) -> None:
    rows = [r for v in data.values() if isinstance(v, list) for r in v if isinstance(r, dict)]
    names = users.names(db, usernames={r[k] for r in rows for k in PEOPLE_FIELDS if isinstance(r.get(k), str)})
    for r in rows:
        for k in PEOPLE_FIELDS:
            if r.get(k) in names:
                r[f"{k}_name"] = names[r[k]]


def load_file(db, *, actor: Actor, subject: str) -> dict:
    """Runs on the worker: the file with today's evaluation, and the basis of grades and points in force."""
    data = file_with_evaluation(db, actor=actor, subject=subject)
    data["column_basis"] = column_basis(db)
    name_people(db, data)
    names = {r["uuid"]: r["kind_name"] for r in data["records"]}
    cases = {r["uuid"]: r["case_no"] for r in data["records"]}
    for entry in data["points"]["entries"]:
        entry["kind_name"], entry["case_no"] = names.get(entry["record"]), cases.get(entry["record"])
    return data


def record_names(data: dict) -> dict[str, str]:
    """Record UUID → what a user calls the record: its case number, else its kind and date."""
    return {r["uuid"]: f"案件 {r['case_no']}" if r.get("case_no") else f"{r.get('kind_name', '')}（{r.get('decision_date')}）"
            for r in data.get("records", ())}


def readable(text: str, names: dict[str, str]) -> str:
    """The engine's explanations name records by UUID; a user knows them by case number."""
    for uuid, name in names.items():
        text = text.replace(uuid, name)
    return text


def describe(table: FileTable, row: dict, names: dict[str, str] | None = None) -> str:
    """The side panel's HTML for one row: every column, then the basis and the texts behind it."""
    parts = [f"<h3>{html.escape(table.title)}</h3><table cellspacing='4'>"]
    for column in table.columns:
        value = shown(column.value(row))
        if value:
            parts.append(f"<tr><td style='color:#555'>{html.escape(column.title)}</td><td>{html.escape(value)}</td></tr>")
    parts.append("</table>")
    for key, label in DETAIL_FIELDS:
        value = row.get(key)
        if value:
            text = readable("；".join(map(str, value)) if isinstance(value, list) else str(value), names or {})
            parts.append(f"<p><b>{label}：</b>{html.escape(text)}</p>")
    for step in row.get("history") or ():  # a registration's status history
        parts.append(f"<p>{html.escape(step['effective_on'])} {html.escape(step['status'])}："
                     f"{html.escape(step['reason'])}（{html.escape(step['actor'])}）</p>")
    return "".join(parts)


class FileWindow(QWidget):
    def __init__(self, runner, actor: Actor, subject: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runner, self.actor, self.subject = runner, actor, subject
        self.data: dict | None = None
        self.setWindowTitle("信用档案 — 正在读取…")
        # Never wider or taller than the screen (1024×700 office PCs).
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(1180, screen.width() - 20), min(700, screen.height() - 40))

        self.name = heading("正在读取信用档案…", 1.5)
        self.identity = QLabel()
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = {key: QLabel() for key in ("grade", "score", "points", "inspection", "measures")}
        self.warning = QLabel(styleSheet=ERROR_STYLE, wordWrap=True)
        self.warning.hide()
        figures = QHBoxLayout()
        for label in self.summary.values():
            label.setStyleSheet("padding: 4px 10px; border: 1px solid #c8d0da; border-radius: 3px;")
            figures.addWidget(label)
        figures.addStretch(1)

        self.tabs = QTabWidget()
        self.tables: list[tuple[FileTable, RecordTable]] = []
        self.tabs.addTab(self._overview(), "概况(&B)")
        for title, tables in TABS:
            self.tabs.addTab(self._tab(tables), title)
        self.detail = QTextBrowser()
        self.detail.setPlaceholderText("选中一行，在此查看全部内容及其依据")
        side = QGroupBox("依据与说明")
        QVBoxLayout(side).addWidget(self.detail)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([840, 300])

        buttons = QDialogButtonBox()
        self.choose = buttons.addButton("确定处理期限(&Q)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.choose.clicked.connect(self._choose_measure)
        self.draft = buttons.addButton("起草告知书(&D)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.draft.clicked.connect(self._draft_notice)
        allow(self.draft, actor, "notice.draft")
        self.draft.setEnabled(False)  # until the file is read
        self.refresh = buttons.addButton("刷新（F5）", QDialogButtonBox.ButtonRole.ActionRole)
        self.refresh.clicked.connect(self.load)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.load)

        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.identity)
        layout.addLayout(figures)
        layout.addWidget(self.warning)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(buttons)
        self.table("measures").selectionModel().currentRowChanged.connect(lambda *_: self._measure_selected())
        self._record_buttons()
        self._warning_buttons()
        self._measure_selected()
        self.load()

    # -- building -------------------------------------------------------------------------------

    def _overview(self) -> QWidget:
        page = QWidget()
        self.basic = QFormLayout()
        self.basic.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        basic_box = QGroupBox("基础信息")
        basic_box.setLayout(self.basic)
        self.explanations = QTextBrowser()
        explain_box = QGroupBox("评价说明（记分、等级、措施及其依据）")
        QVBoxLayout(explain_box).addWidget(self.explanations)
        layout = QHBoxLayout(page)
        layout.addWidget(basic_box, 2)
        layout.addWidget(explain_box, 3)
        return page

    def _tab(self, tables: tuple[FileTable, ...]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        for spec in tables:
            table = RecordTable(f"file/{spec.key}")
            model = RowsModel(spec.columns, parent=table)
            model.muted, model.alarm = spec.muted, spec.alarm
            table.setModel(model)
            table.setAccessibleName(spec.title)
            copy_action(table)
            table.selectionModel().currentRowChanged.connect(
                lambda current, _previous, s=spec, t=table: self._selected(s, t))
            if len(tables) > 1:
                layout.addWidget(QLabel(f"<b>{spec.title}</b>"))
            layout.addWidget(table)
            self.tables.append((spec, table))
        return page

    # -- data -----------------------------------------------------------------------------------

    def load(self) -> None:
        self.refresh.setEnabled(False)
        self.runner.service(load_file, actor=self.actor, subject=self.subject, on_done=self.show_file,
                            on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.refresh.setEnabled(True)
        self.runner.show_error(exc)

    def show_file(self, data: dict) -> None:
        self.data = data
        self.refresh.setEnabled(True)
        s = data["subject"]
        self.setWindowTitle(f"信用档案 — {s['name']}")
        self.name.setText(s["name"])
        number = s.get("id_number") or s.get("credit_code") or ""
        self.identity.setText(f"{TYPE_NAMES[s['type']]}　{number}　评价日期 {data['as_of']}")
        self._summary(data)
        self._basic(s)
        names = record_names(data)
        self.explanations.setHtml("".join(f"<p>{html.escape(readable(t, names))}</p>" for t in data["explanations"])
                                  or "<p>没有需要说明的记分、等级或措施。</p>")
        for spec, table in self.tables:
            table.model().set_rows(spec.rows(data))
        self.tabs.setTabVisible(self._tab_index("人员信用"), s["type"] == "institution")
        self.detail.clear()
        self._warning_selected()
        self._measure_selected()
        self._record_selected()
        if allow(self.draft, self.actor, "notice.draft"):
            self.draft.setEnabled(True)

    def _summary(self, data: dict) -> None:
        basis = data["column_basis"]
        sample = "（示例指标体系，须由本局按实际制定）" if data.get("score_is_sample") else ""
        grade, score, points = data.get("grade"), data.get("score"), data["points"]
        self.summary["grade"].setText(f"信用等级：{grade or '—'}")
        self.summary["grade"].setToolTip(f"依据：{basis.get('grade') or '无有效规定'}{sample}")
        self.summary["score"].setText(f"信用分：{score or '—'}")
        self.summary["score"].setToolTip(f"千分制信用评价{sample}；等级依据：{basis.get('grade') or '无'}")
        self.summary["points"].setText(f"{points['year']}年记分：{points['total']}")
        self.summary["points"].setToolTip("；".join(f"{e['date']} {e['points']}分，依据{e['basis']}"
                                                   for e in points["entries"]) or f"依据：{basis.get('points') or '无'}")
        ratio = data.get("inspection_ratio")
        self.summary["inspection"].setVisible(bool(ratio))
        if ratio:
            self.summary["inspection"].setText(f"抽查：{ratio['text']}")
            self.summary["inspection"].setToolTip(f"依据：{ratio['basis']}")
        effect = [m for m in data["measures"] if m["status"] == "in_effect"]
        self.summary["measures"].setText(f"执行中的措施：{len(effect)}")
        self.summary["measures"].setToolTip("\n".join(f"{m['name']}（依据{m['basis']}）" for m in effect) or "无")
        uncovered = data["rule_status"]["status"] != "in_force"
        self.warning.setVisible(uncovered)
        if uncovered:
            self.warning.setText("注意：部分决定作出之日没有有效的政策规定，相关措施未计算，须加载后续政策包（见评价说明）。")

    def _basic(self, s: dict) -> None:
        while self.basic.rowCount():
            self.basic.removeRow(0)
        self.basic.addRow("名称/姓名：", QLabel(s["name"]))
        for key, label in BASIC_FIELDS:
            if s.get(key):
                value = QLabel(str(s[key]))
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.basic.addRow(f"{label}：", value)

    def _selected(self, spec: FileTable, table: RecordTable) -> None:
        row = table.current_row()
        if row is not None:
            self.detail.setHtml(describe(spec, row, record_names(self.data or {})))

    def _record_buttons(self) -> None:
        """录入 and 更正 on the 信用信息 tab; a correction supersedes, it never overwrites."""
        self.add_record = QPushButton("录入信用信息(&L)…", clicked=self._add_record)
        self.correct = QPushButton("更正(&G)…", clicked=self._correct_record)
        row = QHBoxLayout()
        row.addWidget(self.add_record)
        row.addWidget(self.correct)
        row.addStretch(1)
        self.table("records").parentWidget().layout().addLayout(row)
        self.table("records").selectionModel().currentRowChanged.connect(lambda *_: self._record_selected())
        self.actions = FileActions(self, row)
        self._record_selected()

    def _record_selected(self) -> None:
        self.actions.update()
        if allow(self.add_record, self.actor, "record.write"):
            self.add_record.setEnabled(self.data is not None)
        if allow(self.correct, self.actor, "record.correct"):
            row = self.table("records").current_row()
            ok = row is not None and row.get("status") != "已被更正"
            self.correct.setEnabled(ok)
            self.correct.setToolTip("" if ok else "选中一条有效（未被更正）的信用信息")

    def _add_record(self) -> None:
        if self.data is not None:
            self.dialog = RecordDialog(self.runner, self.actor, self.data["subject"], self)
            self.dialog.saved.connect(lambda _info: self.load())
            self.dialog.open()

    def _correct_record(self) -> None:
        row = self.table("records").current_row()
        if self.data is not None and row is not None and row.get("status") != "已被更正":
            self.dialog = CorrectDialog(self.runner, self.actor, self.data["subject"], row, self)
            self.dialog.saved.connect(lambda _info: self.load())
            self.dialog.open()

    def _draft_notice(self) -> None:
        """起草告知书 for this subject; the record selected in 信用信息 preselects its notice."""
        if self.data is None:
            return
        row = self.table("records").current_row()
        subject = self.data["subject"]
        self.dialog = DraftDialog(self.runner, self.actor, self, subject=(subject["uuid"], subject["name"]),
                                  data=self.data, record=row["uuid"] if row else None)
        dialog = self.dialog
        dialog.accepted.connect(lambda: (self.load(), tell(self, "起草告知书", dialog.done_message())))
        dialog.open()

    def _pending(self) -> dict | None:
        row = self.table("measures").current_row()
        return row if row and row.get("status") == "pending_choice" else None

    def _measure_selected(self) -> None:
        """累计9分 etc.: the rule leaves the length to the handler within a range (审核员/签发人)."""
        if allow(self.choose, self.actor, "measure.choose"):
            ok = self._pending() is not None
            self.choose.setEnabled(ok)
            self.choose.setToolTip("" if ok else "在“措施与名单”中选中一项“待选择期限”的措施")

    def _choose_measure(self) -> None:
        measure = self._pending()
        if measure is not None:
            self.dialog = ChooseMeasureDialog(self.runner, self.actor, measure, self)
            dialog = self.dialog
            self.dialog.accepted.connect(lambda: (self.load(), tell(self, "确定处理期限", dialog.done_message())))
            self.dialog.open()

    def _warning_buttons(self) -> None:
        """确认 a warning with a note, or draft a 信用提醒 from it, on the 信用预警 tab."""
        self.acknowledge = QPushButton("确认预警(&K)…", clicked=self._acknowledge)
        self.remind = QPushButton("起草信用提醒(&T)…", clicked=self._draft_reminder)
        self._button_row("warnings", self._warning_selected, self.acknowledge, self.remind)

    def _button_row(self, key: str, selected, *buttons: QPushButton) -> None:
        """Buttons under a table, enabled by ``selected()`` as its current row changes."""
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        self.table(key).parentWidget().layout().addLayout(row)
        self.table(key).selectionModel().currentRowChanged.connect(lambda *_: selected())
        selected()

    def _warning_selected(self) -> None:
        row = self.table("warnings").current_row()
        if allow(self.acknowledge, self.actor, "warning.ack"):
            ok = row is not None and row.get("state") == "待确认"
            self.acknowledge.setEnabled(ok)
            self.acknowledge.setToolTip("" if ok else "选中一条待确认的预警")
        if allow(self.remind, self.actor, "notice.draft"):
            ok = row is not None and row.get("state") != "已解除"
            self.remind.setEnabled(ok)
            self.remind.setToolTip("" if ok else "选中一条未解除的预警")

    def _acknowledge(self) -> None:
        row = self.table("warnings").current_row()
        if row is not None and row.get("state") == "待确认":
            self.dialog = AcknowledgeWarningDialog(self.runner, self.actor, row, self)
            dialog = self.dialog
            dialog.accepted.connect(lambda: (self.load(), tell(self, "确认信用预警", dialog.done_message())))
            dialog.open()

    def _draft_reminder(self) -> None:
        row = self.table("warnings").current_row()
        if row is None or row.get("state") == "已解除":
            return
        ask(self, "起草信用提醒", f"将根据这条预警（{row['level']}：{row['text']}）起草一份信用提醒，"
                            "经审核、签发后印发。", "起草(&Y)",
            lambda: self.runner.service(notices.draft, actor=self.actor, type="credit_warning", warning=row["uuid"],
                                        on_done=self._reminder_drafted))

    def _reminder_drafted(self, result) -> None:
        self.load()
        tell(self, "起草信用提醒", f"已起草{result.value.type_name}（{result.value.subject}），"
                               "请在“告知书”栏目中审核、签发和印发。")

    def _tab_index(self, title: str) -> int:
        return next(n for n in range(self.tabs.count()) if self.tabs.tabText(n).startswith(title))

    def show_tab(self, title: str) -> None:
        """Bring the tab whose title starts with ``title`` to the front (e.g. 异议与修复 from that section)."""
        for number in range(self.tabs.count()):
            if self.tabs.tabText(number).startswith(title):
                self.tabs.setCurrentIndex(number)

    def table(self, key: str) -> RecordTable:
        return next(t for s, t in self.tables if s.key == key)


def open_file_window(parent: QWidget, runner, actor: Actor, subject: str, windows: dict) -> QWidget:
    """One window per subject: opening it again brings the open one to the front, refreshed."""
    window = windows.get(subject)
    if window is None:
        window = FileWindow(runner, actor, subject, parent)
        windows[subject] = window
        window.destroyed.connect(lambda *_: windows.pop(subject, None))
    else:
        window.load()
    window.show()
    window.raise_()
    window.activateWindow()
    return window
