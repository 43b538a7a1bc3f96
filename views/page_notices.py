"""告知书: the notice register with filters; draft, review, sign-off, issue, void; preview, print one or many
(a reprint is marked 副本), delivery records, and the verification-code lookup."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from models.services import notice_register, notices
from models.services.base import PERMISSIONS, ROLES, Actor
from views.file_dialogs import save_file_name
from views.forms import heading
from views.feedback import ask, tell
from views.notice_dialogs import (CodeDialog, DeliveryDialog, IssueDialog, NoticeSettingsDialog, ReasonDialog,
                                  settings_with_fonts)
from views.notice_draft import DraftDialog
from views.table_export import export_table
from views.table_view import RecordTable
from views.notice_model import NoticeRegisterModel
from views.notice_print import PreviewDialog, print_preview
from views.sections import PURPOSES

SECTION = "告知书"
STEP_NAMES = {"review": "审核", "return": "退回", "sign_off": "签发", "issue": "印发", "void": "作废", "print": "打印"}
# The navigation's own words for the section (views/sections.py); the register line below says more.
PURPOSE = PURPOSES[SECTION]
REGISTER = "发文登记簿：起草、审核、签发、印发（编号并加盖电子印章）、预览打印、登记送达和验证码查验。"


def _load_for_print(db, *, notices_: list[str]) -> list[tuple[str, bytes, bool]]:
    """On the worker: each issued PDF, and whether printing it now makes a copy (recorded once printed)."""
    flags = notices.print_copies(db, notices=notices_)
    out = []
    for uuid in notices_:
        number, data = notice_register.pdf(db, notice=uuid)
        out.append((number, data, flags[uuid]))
    return out


class NoticesPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.dialogs: set[QDialog] = set()
        self.title = heading(SECTION, 1.4)
        self.purpose = QLabel(PURPOSE)
        self.purpose.setWordWrap(True)
        self.purpose.setToolTip(REGISTER)

        self.type = QComboBox()
        self.type.addItem("全部文书", None)
        for code, (name, _series) in notices.DOC_TYPES.items():
            self.type.addItem(name, code)
        self.state = QComboBox()
        self.state.addItem("全部状态", None)
        for code, name in notices.STATES.items():
            self.state.addItem(name, code)
        self.year = QSpinBox(minimum=0, maximum=2100, specialValueText="全部年度")
        self.year.setValue(0)
        for combo in (self.type, self.state):  # long document names must not widen the whole page
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.text = QLineEdit(placeholderText="姓名、文号或验证码，回车查询", clearButtonEnabled=True)
        self.count = QLabel()
        filters, search = QHBoxLayout(), QHBoxLayout()  # two rows: the page must fit beside the navigation
        for label, widget in (("文书(&W)：", self.type), ("状态(&Z)：", self.state), ("年度(&Y)：", self.year)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addStretch(1)
        search.addWidget(self.text, 1)
        search.addWidget(self.count)

        self.model = NoticeRegisterModel(runner, self)
        # Columns the user can widen, move and hide, remembered (at 1366 px nothing is cut to "…").
        self.table = RecordTable("notices")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # 打印所选
        self.table.opened.connect(lambda _row: self.preview())
        self.detail = QLabel("选择一份告知书查看办理过程。")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A fixed height: a longer history must not push the button rows from under the pointer.
        self.detail.setFixedHeight(4 * self.detail.fontMetrics().lineSpacing() + 6)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.buttons = {}
        row1, row2, row3 = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        for row, key, text, slot, permission in (
                (row1, "draft", "起草(&N)…", self.draft, "notice.draft"),
                (row1, "preview", "预览(&P)", self.preview, None),
                (row1, "review", "审核通过(&R)", lambda: self.step(notices.review, "审核"), "notice.review"),
                (row1, "sign_off", "签发(&S)", lambda: self.step(notices.sign_off, "签发"), "notice.sign_off"),
                (row2, "return", "退回(&B)…", self.return_, None),
                (row2, "issue", "印发(&I)…", self.issue, "notice.issue"),
                (row2, "void", "作废(&X)…", self.void, "notice.void"),
                (row3, "print", "打印所选(&T)…", self.print_selected, None),
                (row3, "export", "导出PDF(&E)…", self.export, None),
                (row3, "excel", "导出Excel(&L)…", lambda: export_table(self, self.runner, self.table, "告知书登记簿"), None),
                (row3, "deliver", "登记送达(&D)…", self.deliver, "notice.deliver"),
                (row3, "code", "验证码查验(&V)…", self.lookup, None),
                (row3, "settings", "告知书设置(&G)…", self.settings, "notice.settings")):
            button = QPushButton(text, clicked=slot)
            if permission and not actor.can(permission):
                button.setEnabled(False)
                roles = "、".join(ROLES[r] for r in ROLES if r in PERMISSIONS[permission])
                button.setToolTip(f"需要角色：{roles}")
            self.buttons[key] = button
            row.addWidget(button)
        for row in (row1, row2, row3):
            row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addLayout(filters)
        layout.addLayout(search)
        layout.addWidget(self.table, 1)
        for row in (row1, row2, row3):
            layout.addLayout(row)
        layout.addWidget(self.detail)

        for combo in (self.type, self.state):
            combo.currentIndexChanged.connect(self.refresh)
        self.year.valueChanged.connect(self.refresh)
        self.text.returnPressed.connect(self.refresh)
        self.model.loaded.connect(self._counted)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.refresh)
        self._started = False

    # -- register --------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._started and self.runner.db is not None:
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        self.model.set_filter(notice_register.RegisterFilter(self.type.currentData(), self.state.currentData(),
                                                             self.year.value() or None, self.text.text()))

    def _counted(self) -> None:
        total = self.model.total
        self.count.setText("" if total is None else f"共{total}份")

    def selected(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows if r < len(self.model.rows)]

    def current(self):
        rows = self.selected()
        if not rows:
            self.detail.setText("请先在登记簿中选择一份告知书。")
            return None
        return rows[0]

    def _selected(self) -> None:
        row = self.selected()[0] if self.selected() else None
        if row is not None:
            self.runner.service(notice_register.detail, notice=row.uuid, on_done=self._show_detail)

    def _show_detail(self, d: dict) -> None:
        name = d.get("people", {})
        steps = "；".join(f"{STEP_NAMES.get(s['step'], s['step'])}（{name.get(s['actor'], s['actor'])}"
                         f"{'：' + s['note'] if s['note'] else ''}）" for s in d["steps"])
        issue = d["issue"]
        delivery = d["delivery"]
        text = f"<b>{d['type_name']}</b>　{d['subject'] or '公告'}　{d['state_name']}　起草：{name.get(d['created_by'], d['created_by'])}"
        if issue:
            text += f"<br>文号：{issue['doc_number']}　成文日期：{issue['issued_on']}　验证码：{issue['verify_code']}"
        if delivery:
            provisional = "（暂定）" if delivery["provisional"] else ""
            text += (f"<br>送达：{delivery['delivered_on']} {delivery['method']}　"
                     f"期限至：{delivery['deadline'] or '—'}{provisional}　{delivery['basis']}")
        if steps:
            text += f"<br>办理过程：{steps}"
        self.detail.setText(text)
        self.detail.setToolTip(text)

    def _changed(self, _result=None) -> None:
        self.refresh()

    def _open(self, dialog: QDialog, on_accept=None) -> None:
        """Non-blocking dialogs, kept alive here until they close; an accepted form refreshes the register."""
        self.dialogs.add(dialog)

        def finished(code: int) -> None:
            self.dialogs.discard(dialog)
            if code == QDialog.DialogCode.Accepted:
                (on_accept or self._changed)()

        dialog.finished.connect(finished)
        dialog.open()

    # -- steps -----------------------------------------------------------------------------------

    def draft(self) -> None:
        dialog = DraftDialog(self.runner, self.actor, self)
        self._open(dialog, lambda: (self._changed(), tell(self, "起草告知书", dialog.done_message())))

    # What each step leads to, said before it is taken (the step cannot be taken back, only 退回 later).
    STEP_EFFECTS = {"审核": "审核通过后，该告知书交签发人签发；审核记录写明由您审核。",
                    "签发": "签发后，该告知书可以编号印发；签发记录写明由您签发。"}

    def step(self, fn, verb: str) -> None:
        row = self.current()
        if row is None:
            return
        what = f"{row.type_name}（{row.subject or '公告'}）"

        def done(_result) -> None:
            self._changed()
            tell(self, f"{verb}告知书", f"已{verb}{what}。")

        ask(self, f"{verb}告知书", f"{verb}{what}？\n\n{self.STEP_EFFECTS[verb]}", f"{verb}通过" if verb == "审核" else verb,
            lambda: self.runner.service(fn, actor=self.actor, notice=row.uuid, on_done=done))

    def return_(self) -> None:
        row = self.current()
        if row is None:
            return
        fn = notices.sign_off if row.state_name == notices.STATES["reviewed"] else notices.review
        self._open(ReasonDialog(self.runner, "退回告知书", "退回理由(&R)：", "note", fn,
                                {"actor": self.actor, "notice": row.uuid, "approve": False}, self))

    def issue(self) -> None:
        from reports.issuing import produce  # reportlab (~0.3 s) loads on first use, not when the page opens

        rows = [r.uuid for r in self.selected()]
        if not rows:
            self.detail.setText("请先选择要印发的告知书（可多选）。")
            return
        self._open(IssueDialog(self.runner, self.actor, rows, produce, self))

    def void(self) -> None:
        row = self.current()
        if row is not None:
            self._open(ReasonDialog(self.runner, f"作废 {row.doc_number}", "作废理由(&R)：", "reason", notices.void,
                                    {"actor": self.actor, "notice": row.uuid}, self))

    def deliver(self) -> None:
        row = self.current()
        if row is not None:
            self._open(DeliveryDialog(self.runner, self.actor, row.uuid, correcting=row.delivered_on is not None,
                                      parent=self))

    def lookup(self) -> None:
        self._open(CodeDialog(self.runner, self))

    def settings(self) -> None:
        self.runner.service(settings_with_fonts, on_done=lambda found: self._open(
            NoticeSettingsDialog(self.runner, self.actor, *found, self)))

    # -- preview, print, export ------------------------------------------------------------------

    def preview(self) -> None:
        from reports.issuing import preview  # reportlab (~0.3 s) loads on first use, not when the page opens

        row = self.current()
        if row is None:
            return
        title = row.doc_number or f"{row.type_name}（草稿）"
        issued = bool(row.doc_number)
        self.runner.service(preview, notice=row.uuid, on_done=lambda data: self._preview(title, data, row, issued))

    def _preview(self, title: str, data: bytes, row, issued: bool) -> None:
        on_print = (lambda draw: self.runner.service(notices.record_print, actor=self.actor, notices=[row.uuid],
                                                     on_done=lambda r: draw(r.value[row.uuid]))) if issued else None
        self._open(PreviewDialog(title, data, on_print=on_print, parent=self), on_accept=lambda: None)

    def print_selected(self) -> None:
        """Batch printing: the files come from the worker; a print preview shows every page as it will print
        (seal, 副本 marks), and only what the user then prints is recorded."""
        rows = [r for r in self.selected() if r.doc_number]
        if not rows:
            self.detail.setText("请选择已印发的告知书（可多选）；草稿请先预览。")
            return
        uuids = [r.uuid for r in rows]
        self.runner.service(_load_for_print, notices_=uuids, on_done=lambda items: self._preview_print(uuids, items))

    def _preview_print(self, uuids: list[str], items: list) -> None:
        dialog = print_preview(items, self)
        self._open(dialog, on_accept=lambda: self.runner.service(
            notices.record_print, actor=self.actor, notices=uuids, on_done=lambda _r: self._printed(dialog.pages, items)))

    def _printed(self, pages: int, items: list) -> None:
        copies = sum(1 for _l, _d, copy in items if copy)
        self.detail.setText(f"已打印{pages}页（{len(items)}份，其中副本{copies}份）。")
        self.refresh()

    def export(self) -> None:
        row = self.current()
        if row is None or not row.doc_number:
            self.detail.setText("只能导出已印发的告知书（签章PDF，可用于电子送达）。")
            return
        path = save_file_name(self, "导出PDF", f"{row.doc_number}.pdf", "PDF 文件 (*.pdf)")
        if path:
            self.runner.service(notice_register.pdf, notice=row.uuid,
                                on_done=lambda r: self._write(path, r[1]))

    def _write(self, path: str, data: bytes) -> None:
        with open(path, "wb") as f:
            f.write(data)
        self.detail.setText(f"已导出到 {path}（{date.today().isoformat()}）")


def make_page(runner, actor: Actor) -> QWidget:
    return NoticesPage(runner, actor)
