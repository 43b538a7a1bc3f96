"""Start-up as a user meets it: a new database leads through first run and login to the window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from desktop import settings
from desktop.gui import Launcher
from desktop.mainwindow import MainWindow
from tests.gui.conftest import ADMIN_PASSWORD
from views.first_run import FirstRunDialog
from views.login import LoginDialog


@pytest.fixture
def start(qtbot, runner):
    app = QApplication.instance()
    launchers = []

    def start(path) -> Launcher:
        launcher = Launcher(app, runner, str(path))
        launchers.append(launcher)
        launcher.start()
        return launcher

    yield start
    for launcher in launchers:
        for widget in (launcher.dialog, launcher.window):
            if widget is not None:
                widget.hide()
        if launcher.opened is not None:
            launcher.opened.db.dispose()
    app.setQuitOnLastWindowClosed(True)


def sign_in(qtbot, launcher, username: str) -> MainWindow:
    qtbot.waitUntil(lambda: isinstance(launcher.dialog, LoginDialog) and launcher.dialog.isVisible(),
                    timeout=10_000)
    launcher.dialog.username.setText(username)
    qtbot.keyClicks(launcher.dialog.password, ADMIN_PASSWORD)
    qtbot.keyClick(launcher.dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: launcher.window is not None and launcher.window.isVisible(), timeout=10_000)
    return launcher.window


def test_a_new_database_leads_through_first_run_and_login_to_the_main_window(qtbot, start, tmp_path, profile):
    launcher = start(tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: isinstance(launcher.dialog, FirstRunDialog) and launcher.dialog.isVisible(),
                    timeout=10_000)
    first = launcher.dialog
    first.code.setText("370921")
    first.name.setText("宁阳县")
    first.username.setText("chief")
    first.password.setText(ADMIN_PASSWORD)
    first.password2.setText(ADMIN_PASSWORD)
    first.ok.click()
    qtbot.waitUntil(lambda: isinstance(launcher.dialog, LoginDialog), timeout=10_000)
    assert launcher.dialog.username.text() == "chief"  # the administrator just created
    window = sign_in(qtbot, launcher, "chief")
    assert window.windowTitle() == "宁阳县"
    assert settings.last_username() == "chief"


def test_an_initialised_database_goes_straight_to_login(qtbot, start, db, tmp_path):
    launcher = start(tmp_path / "t.sqlite3")
    window = sign_in(qtbot, launcher, "admin")
    assert window.actor.username == "admin"
    assert window.current_section() == "工作台"


def test_standings_that_expired_while_the_program_was_closed_are_brought_up_to_date_at_sign_in(
        qtbot, start, db, tmp_path):
    """The workbench, lists and notices read the stored standing: a row that no longer holds today (a measure
    ended, a year began, new rules) is recomputed before anything is read."""
    from sqlalchemy import func, select, update

    from models.db.tables import SubjectStanding
    from models.services import subjects, users

    admin = users.authenticate(db, username="admin", password=ADMIN_PASSWORD)
    users.add_user(db, actor=admin, username="clerk", display_name="录入员", password=ADMIN_PASSWORD, roles="录入员")
    clerk = users.authenticate(db, username="clerk", password=ADMIN_PASSWORD)
    subjects.add_subject(db, actor=clerk, data={"type": "insured", "name": "王五", "id_number": "370921199003074511",
                                                "insurance_type": "居民"})
    with db.session() as s:
        s.execute(update(SubjectStanding).values(dirty=True))
        s.commit()
    launcher = start(db.url.removeprefix("sqlite:///"))
    window = sign_in(qtbot, launcher, "admin")

    def dirty() -> int:
        with db.session() as s:
            return s.scalar(select(func.count()).where(SubjectStanding.dirty.is_(True)))

    qtbot.waitUntil(lambda: dirty() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: "已更新 1 个信用主体" in window.statusBar().currentMessage(), timeout=10_000)


def test_a_returning_user_sees_the_sign_in_dialog_before_the_database_is_open(qtbot, start, db, tmp_path):
    """Start-up: the dialog paints at once and the password typed meanwhile is checked once the file is open."""
    settings.set_last_username("admin")
    launcher = start(tmp_path / "t.sqlite3")
    assert isinstance(launcher.dialog, LoginDialog) and launcher.dialog.isVisible()
    assert launcher.dialog.county.text() == "正在打开数据库…"  # the dialog itself says why 登录 may wait
    window = sign_in(qtbot, launcher, "admin")
    assert window.windowTitle() == "宁阳县"


def test_switch_user_ctrl_l_lets_the_next_person_sign_in_without_restarting(qtbot, start, db, tmp_path, admin):
    """Four-eyes on one PC: the reviewer signs in after the clerk, and the screens are theirs."""
    from models.services import users

    users.add_user(db, actor=admin, username="lihua", display_name="李华", password=ADMIN_PASSWORD, roles=["审核员"])
    launcher = start(tmp_path / "t.sqlite3")
    first = sign_in(qtbot, launcher, "admin")
    first.activateWindow()
    qtbot.waitUntil(first.isActiveWindow)  # a window shortcut acts only in the active window
    qtbot.keyClick(first, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(launcher.dialog, LoginDialog) and launcher.dialog.isVisible())
    assert launcher.window is None and not first.isVisible()
    assert launcher.dialog.username.text() == ""  # the next person types their own name
    second = sign_in(qtbot, launcher, "lihua")
    assert second is not first and second.actor.username == "lihua"
    shown = " ".join(label.text() for label in second.statusBar().findChildren(QLabel))
    assert "李华（lihua）" in shown and "角色：审核员" in shown


def test_sign_out_returns_to_the_sign_in_dialog_for_the_same_user(qtbot, start, db, tmp_path):
    launcher = start(tmp_path / "t.sqlite3")
    window = sign_in(qtbot, launcher, "admin")
    sign_out = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "注销(&O)")
    sign_out.trigger()
    qtbot.waitUntil(lambda: isinstance(launcher.dialog, LoginDialog) and launcher.dialog.isVisible())
    assert launcher.dialog.username.text() == "admin" and launcher.dialog.password.text() == ""
    again = sign_in(qtbot, launcher, "admin")
    assert again.actor.username == "admin"
