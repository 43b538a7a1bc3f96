"""Small forms of the notices screen: drafting, a reason (退回, 作废), the certificate password, delivery, and
looking up a verification code. Each shows a service's refusal under the field it names and keeps the
input; Enter submits, Esc cancels."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from models.services import notice_code, notice_register, notices
from models.services.notices import DELIVERY_METHODS
from views.forms import FormErrors, error_label, reject_unless_typed, set_busy


class ServiceForm(QDialog):
    """A form whose OK runs a service on the worker; success closes it with the result in ``result_value``."""

    def __init__(self, runner, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.general = error_label()
        self.errors = FormErrors(self.general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QWidget()
        self.body.setLayout(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)
        layout.addWidget(self.errors.area)
        layout.addWidget(self.buttons)
        self.result_value = None
        self.setMinimumWidth(460)

    def reject(self) -> None:
        if not self.runner.busy:
            reject_unless_typed(self, super().reject)

    def call(self, fn, **kwargs) -> None:
        self.errors.clear()
        set_busy(self.body, True)
        self.ok.setEnabled(False)
        self.runner.service(fn, on_done=self._done, on_error=self._error, **kwargs)

    def _done(self, result) -> None:
        set_busy(self.body, False)
        self.ok.setEnabled(True)
        self.result_value = getattr(result, "value", result)
        self.accept()

    def _error(self, exc: BaseException) -> None:
        set_busy(self.body, False)
        self.ok.setEnabled(True)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)

    def submit(self) -> None:  # pragma: no cover - every form defines it
        raise NotImplementedError


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(q: QDateEdit) -> date:
    d = q.date()
    return date(d.year(), d.month(), d.day())


def date_edit() -> QDateEdit:
    edit = QDateEdit(qdate(date.today()))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class ReasonDialog(ServiceForm):
    """退回 or 作废: a reason is required; ``fn`` receives it as ``field``."""

    def __init__(self, runner, title: str, label: str, field: str, fn, kwargs: dict, parent=None,
                 error_field: str | None = None):
        """``error_field``: the name the service gives the reason in its refusals."""
        super().__init__(runner, title, parent)
        self.fn, self.field, self.kwargs = fn, field, kwargs
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(90)
        self.errors.add_row(self.form, label, self.reason,
                            error_field or {"note": "退回理由", "reason": "作废理由"}[field])

    def submit(self) -> None:
        self.call(self.fn, **self.kwargs, **{self.field: self.reason.toPlainText()})


class IssueDialog(ServiceForm):
    """印发: the certificate password unlocks the bureau's certificate for this run only."""

    def __init__(self, runner, actor, notices_: list[str], produce, parent=None):
        super().__init__(runner, f"印发 {len(notices_)} 份告知书", parent)
        self.actor, self.notices, self.produce = actor, notices_, produce
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.day = date_edit()
        self.form.addRow(QLabel("印发时自动编号、加盖电子印章（数字签名）并存入发文登记簿；全部成功或全部不印发。"))
        self.errors.add_row(self.form, "证书密码(&P)：", self.password, "证书密码")
        self.errors.add_row(self.form, "成文日期(&D)：", self.day, "成文日期")
        self.backdate = QLineEdit(placeholderText="成文日期早于今天超过本局设置的天数时必填，记入发文登记")
        self.errors.add_row(self.form, "倒签理由(&B)：", self.backdate, "倒签理由")

    def submit(self) -> None:
        self.errors.clear()
        self.ok.setEnabled(False)
        set_busy(self.body, True)
        self.runner.service(notices.issue, actor=self.actor, notices=self.notices, password=self.password.text(),
                            produce=self.produce, issued_on=pydate(self.day), backdate_reason=self.backdate.text(),
                            progress_title="正在印发告知书…", cancellable=True, on_done=self._done, on_error=self._error)


class DeliveryDialog(ServiceForm):
    def __init__(self, runner, actor, notice: str, correcting: bool, parent=None):
        super().__init__(runner, "更正送达记录" if correcting else "登记送达", parent)
        self.actor, self.notice, self.correcting = actor, notice, correcting
        self.day = date_edit()
        self.method = QComboBox()
        self.method.addItems(DELIVERY_METHODS)
        self.recipient = QLineEdit()
        self.note = QLineEdit()
        self.errors.add_row(self.form, "送达日期(&D)：", self.day, "送达日期")
        self.errors.add_row(self.form, "送达方式(&M)：", self.method, "送达方式")
        self.errors.add_row(self.form, "签收人(&R)：", self.recipient, "签收人")
        self.errors.add_row(self.form, "备注(&N)：", self.note, "备注")

    def submit(self) -> None:
        self.call(notices.deliver, actor=self.actor, notice=self.notice, delivered_on=pydate(self.day),
                  method=self.method.currentText(), recipient=self.recipient.text(), note=self.note.text(),
                  correcting=self.correcting)


class CodeDialog(ServiceForm):
    """验证码查验: typed or scanned (a USB scanner types the QR text and Enter)."""

    def __init__(self, runner, parent=None):
        super().__init__(runner, "验证码查验", parent)
        self.code = QLineEdit(placeholderText="如 ABCD-EFGH，或扫描告知书下方的二维码")
        self.errors.add_row(self.form, "验证码(&V)：", self.code, "验证码")
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.form.addRow(self.answer)
        self.ok.setText("查验")

    def submit(self) -> None:
        self.errors.clear()
        text = self.code.text()
        if notice_code.is_payload(text):  # a scanned QR: checked with the signing county's key, offline
            self.runner.service(notice_code.check, text=text, on_done=self._checked, on_error=self._error)
            return
        self.runner.service(notice_register.lookup, code=text, on_done=self._found, on_error=self._error)

    def _checked(self, verdict) -> None:
        self.answer.setText(verdict.text())

    def _found(self, entry) -> None:
        if entry is None:
            self.answer.setText("发文登记簿中没有这个验证码：该文书不是本局印发的。")
            return
        voided = f"<br><b style='color:#b3261e'>已作废：{entry['voided']}</b>" if entry.get("voided") else ""
        self.answer.setText(f"<b>{entry['doc_number']}</b>《{entry['title']}》<br>对象：{entry['subject'] or '公告'}"
                            f"<br>决定内容：{entry['decided']}"
                            f"<br>成文日期：{entry['issued_on']}　共{entry['pages']}页<br>"
                            f"文件SHA-256：{entry['sha256'][:16]}…{voided}")


def fonts_in_use(_db) -> str:
    """Runs on the worker: which GB/T 9704 fonts print the notices on this PC, and what stands in for those it
    lacks (finding and registering them reads the font files)."""
    from reports.fonts import font_set

    return font_set().fallback_text()


def settings_with_fonts(db) -> tuple[dict, str]:
    """Runs on the worker: the notice settings and the fonts statement the 告知书设置 dialog shows."""
    return notices.get_settings(db), fonts_in_use(db)


class NoticeSettingsDialog(ServiceForm):
    """告知书设置: what no document fixes and the bureau decides (申诉期限, 经办人电话, 受理地点, 倒签天数,
    时间戳服务), each change with its reason; and which fonts print the documents on this PC."""

    FIELDS = (("appeal_days", "申诉期限（工作日）", "申诉期限"), ("phone", "经办人电话", "经办人电话"),
              ("address", "受理地点", "受理地点"), ("backdate_days", "成文日期可提前天数", "成文日期可提前天数"),
              ("timestamp_url", "时间戳服务地址", "时间戳服务地址"))

    def __init__(self, runner, actor, current: dict, fonts_text: str, parent=None):
        super().__init__(runner, "告知书设置", parent)
        self.actor = actor
        self.edits = {}
        for key, label, field in self.FIELDS:
            value = current.get(key)
            self.edits[key] = QLineEdit("" if value is None else str(value))
            self.errors.add_row(self.form, f"{label}：", self.edits[key], field)
        self.reason = QLineEdit(placeholderText="如：局务会议决定")
        self.errors.add_row(self.form, "变更原因(&R)：", self.reason, "变更原因")
        fonts = QLabel(f"字体：{fonts_text}")
        fonts.setWordWrap(True)
        self.form.addRow(fonts)

    def submit(self) -> None:
        changes = {key: edit.text() for key, edit in self.edits.items()}
        self.call(notices.set_settings, actor=self.actor, changes=changes, reason=self.reason.text())
