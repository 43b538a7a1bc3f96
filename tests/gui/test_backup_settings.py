"""帮助 → 关于, the 更新说明 after an upgrade, and 系统设置 → 数据备份 (daily copies, test restore, restore)
through the real widgets."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox

from models.db.database import open_database
from models.db import migrate
from models.services import backup, release
from models.services.base import Actor
from views import about_dialog
from views.settings_backup import KEY, BackupTab, DailyBackupSchedule
from views.settings_remembered import set_choice

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "creditdesk-0.1.0.sqlite3"
PASSWORD = "abc12345"
HEAD = "+".join(sorted(migrate.head_revisions()))


def test_about_shows_version_schema_revision_and_packs_in_force(qtbot, runner, db):
    from PySide6.QtWidgets import QWidget

    runner.db = db
    parent = QWidget()
    qtbot.addWidget(parent)
    about_dialog.show_about(runner, parent)
    qtbot.waitUntil(lambda: hasattr(parent, "about_dialog"), timeout=10000)
    text = parent.about_dialog.text.toPlainText()
    assert f"程序版本：{release.program_version()}" in text and f"数据库结构版本：{HEAD}" in text
    assert "宁阳县（370921）" in text and "〔" in text  # a pack's document number


def test_after_an_upgrade_the_first_sign_in_shows_what_changed_once(qtbot, runner, tmp_path):
    from PySide6.QtWidgets import QWidget

    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE, path)
    runner.db = db = open_database(str(path))
    parent = QWidget()
    qtbot.addWidget(parent)
    admin = Actor("admin", "系统管理员", frozenset({"admin"}))
    about_dialog.show_release_notes_when_due(runner, parent, admin)
    qtbot.waitUntil(lambda: hasattr(parent, "release_notes"), timeout=10000)
    assert parent.release_notes.windowTitle() == "更新说明" and f"{release.program_version()} 版的变化" in parent.release_notes.informativeText()
    parent.release_notes.close()
    del parent.release_notes
    about_dialog.show_release_notes_when_due(runner, parent, admin)
    runner_idle(qtbot, runner)
    assert not hasattr(parent, "release_notes")
    db.dispose()


def runner_idle(qtbot, runner):
    done = []
    runner.run(lambda: None, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)


def test_the_daily_copy_is_made_at_sign_in_into_the_chosen_folder(qtbot, runner, db, admin, tmp_path):
    runner.db = db
    folder = tmp_path / "nas"
    set_choice(f"{KEY}/enabled", "1")
    set_choice(f"{KEY}/folder", str(folder))
    set_choice(f"{KEY}/keep_days", "7")
    schedule = DailyBackupSchedule(runner, admin, db.sqlite_file, first_delay_ms=0)
    qtbot.waitUntil(lambda: bool(schedule.last_message), timeout=10000)
    assert [p.name for p in folder.iterdir()] == [f"信用数据每日备份-{date.today():%Y%m%d}.sqlite3"]
    tab = BackupTab(runner, admin)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10000)
    assert tab.daily_folder.text() == str(folder) and tab.keep_days.value() == 7
    assert "上次备份：" in tab.last_backup.text() and str(folder) in tab.last_backup.text()


def test_a_tampered_backup_fails_the_test_restore_with_the_reason(qtbot, runner, db, admin, tmp_path, monkeypatch):
    runner.db = db
    copy = tmp_path / "copy.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(copy))
    with sqlite3.connect(copy) as con:
        con.execute("DROP TRIGGER audit_log_no_update")
    tab = BackupTab(runner, admin)
    qtbot.addWidget(tab)
    tab.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copy), ""))
    tab.check_button.click()
    qtbot.waitUntil(lambda: "试恢复" in tab.message.text(), timeout=20000)
    assert "未通过" in tab.message.text() and "audit_log_no_update" in tab.message.text()


def test_the_administrator_restores_from_settings_and_the_program_closes(qtbot, runner, db, admin, tmp_path, monkeypatch):
    from models.services import users

    users.add_user(db, actor=users.authenticate(db, username="admin", password=PASSWORD), username="later",
                   display_name="后来的用户", password=PASSWORD, roles="录入员")
    copy = tmp_path / "before.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(copy))
    users.add_user(db, actor=users.authenticate(db, username="admin", password=PASSWORD), username="after",
                   display_name="备份之后", password=PASSWORD, roles="录入员")
    runner.db = db
    tab = BackupTab(runner, admin)
    qtbot.addWidget(tab)
    tab.show()
    answers = iter([("硬盘故障", True), (PASSWORD, True)])
    shown, quit_called = [], []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copy), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(QApplication.instance(), "quit", lambda: quit_called.append(True))
    tab.restore_button.click()
    qtbot.waitUntil(lambda: bool(quit_called), timeout=20000)
    assert "已用" in shown[0] and "请重新启动" in shown[0]
    with sqlite3.connect(db.sqlite_file) as con:
        names = {r[0] for r in con.execute("SELECT username FROM users")}
    assert "later" in names and "after" not in names
