"""用户: list, add with roles, reset a password, deactivate (管理员 only; others see why not)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QFormLayout, QHBoxLayout, QInputDialog, QLineEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from models.services import users
from models.services.base import ROLES, Actor
from models.services.passwords import MIN_LENGTH
from views.case_common import allow
from views.forms import FormErrors, ServiceDialog, error_label
from views.settings_common import LazyTab
from views.table_model import Column, RowsModel
from views.table_view import RecordTable

COLUMNS = (Column("username", "用户名", lambda u: u.username), Column("name", "姓名", lambda u: u.display_name),
           Column("roles", "角色", lambda u: u.role_names), Column("active", "状态", lambda u: "启用" if u.active else "停用"))
PASSWORD_HINT = f"至少{MIN_LENGTH}位，须同时包含字母和数字"


class PasswordFields:
    """新密码 + 确认密码 on a form; the match is checked here, the strength by the service."""

    def __init__(self, errors: FormErrors, form: QFormLayout, label: str = "密码(&W)："):
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText=PASSWORD_HINT)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText="再输入一次")
        errors.add_row(form, label, self.password, "密码")
        errors.add_row(form, "确认密码(&R)：", self.again, "确认密码")
        self.errors = errors

    def value(self) -> str | None:
        if self.password.text() != self.again.text():
            self.errors.show("确认密码", "确认密码：两次输入的密码不一致")
            return None
        return self.password.text()


class UserDialog(ServiceDialog):
    """新增用户 (``username`` None) or 重置密码 of ``username``."""

    def __init__(self, runner, actor: Actor, username: str | None = None, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.target = username
        self.setWindowTitle("新增用户" if username is None else f"重置密码 — {username}")
        self.errors = FormErrors(error_label())
        form = QFormLayout()
        self.username, self.name, self.roles = QLineEdit(), QLineEdit(), {}
        if username is None:
            self.errors.add_row(form, "用户名(&U)：", self.username, "用户名")
            self.errors.add_row(form, "姓名(&N)：", self.name, "姓名")
            boxes = QHBoxLayout()
            for number, (code, name) in enumerate(ROLES.items(), start=1):
                self.roles[code] = QCheckBox(f"{name}(&{number})")
                boxes.addWidget(self.roles[code])
            holder = QWidget()
            holder.setLayout(boxes)
            self.errors.add_row(form, "角色：", holder, "角色")
        self.passwords = PasswordFields(self.errors, form, "密码(&W)：" if username is None else "新密码(&W)：")
        self.lay_out(form, "保存(&S)")
        self.setMinimumWidth(480)
        (self.username if username is None else self.passwords.password).setFocus()

    def submit(self) -> None:
        self.errors.clear()
        password = self.passwords.value()
        if password is None:
            return
        if self.target is None:
            roles = [code for code, box in self.roles.items() if box.isChecked()]
            self.run_service(users.add_user, username=self.username.text(), display_name=self.name.text(),
                             password=password, roles=roles)
        else:
            self.run_service(users.change_password, username=self.target, new_password=password)


class UsersTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.model = RowsModel(COLUMNS, parent=self)
        self.model.muted = lambda u: not u.active
        self.table = RecordTable("settings-users")
        self.table.setModel(self.model)
        self.add_button = QPushButton("新增用户(&N)…", clicked=self.add)
        self.password_button = QPushButton("重置密码(&P)…", clicked=self.reset_password)
        self.active_button = QPushButton("停用(&D)…", clicked=self.toggle_active)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.password_button, self.active_button):
            allow(button, actor, "users.manage")
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        if not allow(self.table, actor, "users.manage"):
            self.say(f"用户管理：{self.table.toolTip()}")
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        self._dialogs: list = []

    def load(self) -> None:
        if self.actor.can("users.manage"):
            self.runner.service(users.list_users, actor=self.actor, on_done=self._listed, on_error=self.refused)

    def _listed(self, rows) -> None:
        current = self.table.current_row()
        self.model.set_rows(rows)
        if rows:  # widths are kept once set: take them from real rows, not an empty table
            self.table.fit_columns()
        names = [u.username for u in rows]
        if rows:  # the user acted on stays selected after the list is read again
            self.table.selectRow(names.index(current.username) if current and current.username in names else 0)

    def _selected(self) -> None:
        user = self.table.current_row()
        self.active_button.setText("启用(&D)…" if user is not None and not user.active else "停用(&D)…")

    def _dialog(self, dialog: UserDialog, done: str) -> UserDialog:
        self._dialogs.append(dialog)
        dialog.accepted.connect(lambda: (self.say(done), self.load()))
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog))
        dialog.open()
        return dialog

    def add(self) -> UserDialog:
        return self._dialog(UserDialog(self.runner, self.actor, None, self), "已新增用户。")

    def reset_password(self) -> UserDialog | None:
        user = self.table.current_row()
        if user is not None:
            return self._dialog(UserDialog(self.runner, self.actor, user.username, self), f"已重置 {user.username} 的密码。")
        return None

    def toggle_active(self) -> None:
        user = self.table.current_row()
        if user is None:
            return
        verb = "启用" if not user.active else "停用"
        reason, ok = QInputDialog.getText(self, f"{verb}用户", f"{verb}“{user.display_name}”（{user.username}）的原因：")
        if ok:
            self.runner.service(users.set_active, actor=self.actor, username=user.username, active=not user.active,
                                reason=reason, on_done=lambda _r: (self.say(f"已{verb} {user.username}。"), self.load()),
                                on_error=self.refused)
