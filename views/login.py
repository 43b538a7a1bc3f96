"""Signing in. The password check (scrypt) runs on the worker so the window never freezes."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from views.forms import FormErrors, error_label, heading, later, set_busy
from views.qtcompat import emit

authenticate = later("models.services.users", "authenticate")


class LoginDialog(QDialog):
    """Accepted once signed in; ``actor`` then holds the signed-in user."""

    painted = Signal()  # once, when the dialog is first on screen (start-up opens the database then)

    def __init__(self, runner, county_name: str | None, username: str = "", parent: QWidget | None = None):
        """``county_name`` None: the database is still opening; ``database_ready`` follows."""
        super().__init__(parent)
        self.runner = runner
        self.actor = None
        self._waiting = False  # submitted before the database was open
        self._painted = False
        self.setWindowTitle("登录")
        self.setMinimumWidth(400)

        self.username = QLineEdit(username)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.errors = FormErrors(error_label())
        form = QFormLayout()
        self.errors.add_row(form, "用户名(&U)：", self.username, "用户名")
        self.errors.add_row(form, "密码(&P)：", self.password, "密码")

        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("登录(&L)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("退出(&Q)", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("医保信用管理系统"))
        self.county = QLabel(county_name or "正在打开数据库…")
        layout.addWidget(self.county)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.errors.area)
        layout.addWidget(self.buttons)
        # A returning user types only the password.
        (self.password if username else self.username).setFocus()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            emit(self.painted)

    def reject(self) -> None:
        if not self.runner.busy:
            super().reject()

    def database_ready(self, county_name: str) -> None:
        self.county.setText(county_name)
        if self._waiting:
            self._waiting = False
            self._authenticate()

    def _submit(self) -> None:
        self.errors.clear()
        if not self.username.text().strip():
            self.errors.show("用户名", "用户名：请输入用户名")
            return
        set_busy(self, True)
        if self.runner.db is None:
            self._waiting = True
            return
        self._authenticate()

    def _authenticate(self) -> None:
        self.runner.service(
            authenticate, username=self.username.text(), password=self.password.text(),
            on_done=self._signed_in, on_error=self._refused,
        )

    def _signed_in(self, actor) -> None:
        set_busy(self, False)
        self.actor = actor
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        set_busy(self, False)
        # Disabling the default button while busy made QDialog forget it: Enter then did nothing.
        self.ok.setDefault(True)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
            return
        # "用户名或密码错误" names neither field on purpose; the password is what gets retyped.
        self.password.clear()
        self.password.setFocus()
