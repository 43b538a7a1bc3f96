"""Signing in: a wrong password is refused without closing; the right one signs in."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import ADMIN_PASSWORD
from views.login import LoginDialog


@pytest.fixture
def dialog(qtbot, runner, db):
    runner.db = db
    dialog = LoginDialog(runner, "宁阳县", "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_wrong_password_is_refused_and_the_dialog_stays_open(qtbot, dialog):
    qtbot.keyClicks(dialog.password, "wrong1234")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.message(None) != "")
    assert dialog.errors.message(None) == "用户名或密码错误"
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.password.text() == ""
    qtbot.waitUntil(lambda: dialog.ok.isEnabled())


def test_the_right_password_signs_in(qtbot, dialog):
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor.username == "admin"
    assert dialog.actor.role_names == "管理员"


def test_an_empty_username_is_refused_without_asking_the_database(qtbot, dialog, runner):
    dialog.username.clear()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "用户名" in dialog.errors.message("用户名")
    assert not runner.busy


def test_a_returning_user_starts_in_the_password_field(qtbot, runner):
    dialog = LoginDialog(runner, "宁阳县", "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.password.hasFocus)


def test_enter_signs_in_after_a_wrong_password(qtbot, dialog):
    """Issue 13: after one refusal, Enter in the password field must still submit the form."""
    qtbot.keyClicks(dialog.password, "wrong1234")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.message(None) != "" and dialog.ok.isEnabled())
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor.username == "admin"
