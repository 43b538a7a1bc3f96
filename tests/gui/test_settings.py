"""系统设置 through the real widgets: what a clerk may not do is disabled and names the role; the
administrator adds users, resets passwords, deactivates, changes the profile with a reason, loads the
bureau's own indicator tree (磐医保〔2021〕43号 第十三条) and a later year's holidays, backs up."""
from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from models.services import users
from models.services.base import ServiceError
from test_distribution import ADMIN, CLERK, demo_copy, evaluated_template  # noqa: F401  (fixture)
from views.page_settings import SettingsPage

PASSWORD = "abc12345"


@pytest.fixture
def demo_db(evaluated_template):
    db = demo_copy(evaluated_template)
    yield db
    db.dispose()


def make_page(qtbot, runner, db, actor, tab: int):
    runner.db = db
    page = SettingsPage(runner, actor)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.tabs.setCurrentIndex(tab)
    page.show()
    return page


def audit(db, action):
    with sqlite3.connect(db.sqlite_file) as con:
        return con.execute("SELECT actor, reason, after FROM audit_log WHERE action = ?", (action,)).fetchall()


def test_settings_a_clerk_may_not_change_are_disabled_and_name_the_role(qtbot, runner, demo_db):
    page = make_page(qtbot, runner, demo_db, CLERK, 0)
    refused = [page.users.add_button, page.users.password_button, page.users.active_button, page.users.table,
               page.county.change_box, page.indicators.load_button, page.calendar.load_button, page.backup.backup_button]
    for widget in refused:
        assert not widget.isEnabled(), widget
        assert "需要角色：管理员" in widget.toolTip() and "录入员" in widget.toolTip()
    assert "需要角色：管理员" in page.users.message.text()
    assert page.indicators.export_button.isEnabled()  # reading the tree is open to everyone
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: page.indicators.tree.topLevelItemCount() == 2)


def test_the_administrator_adds_a_user_with_roles_who_can_then_sign_in(qtbot, runner, demo_db):
    page = make_page(qtbot, runner, demo_db, ADMIN, 0)
    qtbot.waitUntil(lambda: page.users.model.rowCount() == 1)
    dialog = page.users.add()
    qtbot.keyClicks(dialog.username, "zhang")
    dialog.name.setText("张审核")
    dialog.roles["reviewer"].setChecked(True)
    dialog.roles["signer"].setChecked(True)
    qtbot.keyClicks(dialog.passwords.password, PASSWORD)
    qtbot.keyClicks(dialog.passwords.again, PASSWORD + "x")
    qtbot.keyClick(dialog.passwords.again, Qt.Key.Key_Return)
    assert dialog.errors.message("确认密码") == "确认密码：两次输入的密码不一致" and dialog.isVisible()
    dialog.passwords.again.setText(PASSWORD)
    qtbot.keyClick(dialog.passwords.again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.users.model.rowCount() == 2)
    row = page.users.model.rows[1]
    assert (row.username, row.role_names, row.active) == ("zhang", "审核员、签发人", True)
    assert users.authenticate(demo_db, username="zhang", password=PASSWORD).roles == {"reviewer", "signer"}


def test_a_user_without_a_role_is_refused_under_the_roles(qtbot, runner, demo_db):
    page = make_page(qtbot, runner, demo_db, ADMIN, 0)
    dialog = page.users.add()
    qtbot.keyClicks(dialog.username, "wang")
    dialog.passwords.password.setText(PASSWORD)
    dialog.passwords.again.setText(PASSWORD)
    dialog.ok.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.message("角色")))
    assert "至少选择一个角色" in dialog.errors.message("角色")
    with pytest.raises(ServiceError):
        users.authenticate(demo_db, username="wang", password=PASSWORD)
    dialog.reject()


def test_reset_password_and_deactivate_with_a_reason(qtbot, runner, demo_db, monkeypatch):
    users.add_user(demo_db, actor=ADMIN, username="li", display_name="李录入", password=PASSWORD, roles="录入员")
    page = make_page(qtbot, runner, demo_db, ADMIN, 0)
    qtbot.waitUntil(lambda: page.users.model.rowCount() == 2)
    page.users.table.selectRow(1)
    dialog = page.users.reset_password()
    dialog.passwords.password.setText("new12345")
    dialog.passwords.again.setText("new12345")
    dialog.ok.click()
    qtbot.waitUntil(lambda: "已重置 li 的密码" in page.users.message.text())
    assert users.authenticate(demo_db, username="li", password="new12345").username == "li"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("调离本局", True))
    page.users.active_button.click()
    qtbot.waitUntil(lambda: not page.users.model.rows[1].active)
    with pytest.raises(ServiceError, match="已停用"):
        users.authenticate(demo_db, username="li", password="new12345")
    assert [(a, r) for a, r, _after in audit(demo_db, "user.active")] == [("admin", "调离本局")]
    page.users.table.selectRow(0)  # one's own account
    page.users.active_button.click()
    qtbot.waitUntil(lambda: "不能停用自己的账号" in page.users.message.text())


def test_a_profile_change_that_would_orphan_recorded_kinds_is_refused(qtbot, runner, demo_db):
    page = make_page(qtbot, runner, demo_db, ADMIN, 1)
    county = page.county
    qtbot.waitUntil(lambda: county.code.text() == "370921" and county.profile.count() == 2)
    assert "鲁医保发〔2024〕25号" in county.packs.text()
    county.profile.setCurrentIndex(county.profile.findData("panan"))
    county.reason.setText("试用磐安配置")
    county.change_button.click()  # the demo county has insured persons' records, which panan does not know
    qtbot.waitUntil(lambda: "不能变更" in county.errors.message(None))
    assert audit(demo_db, "county.profile") == []


def test_a_profile_change_with_a_reason_is_on_the_audit_trail(qtbot, runner, db):
    page = make_page(qtbot, runner, db, ADMIN, 1)
    county = page.county
    qtbot.waitUntil(lambda: county.profile.count() == 2)
    other = next(county.profile.itemData(n) for n in range(2) if n != county.profile.currentIndex())
    county.profile.setCurrentIndex(county.profile.findData(other))
    county.change_button.click()
    qtbot.waitUntil(lambda: bool(county.errors.message("变更原因")))
    assert audit(db, "county.profile") == []
    county.reason.setText("按市局通知调整")
    county.change_button.click()
    qtbot.waitUntil(lambda: "已变更" in county.message.text())
    ((actor, reason, after),) = audit(db, "county.profile")
    assert (actor, reason, json.loads(after)) == ("admin", "按市局通知调整", {"profile": other})


def test_the_bureau_loads_its_own_indicator_tree_and_the_sample_mark_goes(qtbot, runner, demo_db, tmp_path, monkeypatch):
    page = make_page(qtbot, runner, demo_db, ADMIN, 2)
    tab = page.indicators
    qtbot.waitUntil(lambda: tab.tree.topLevelItemCount() == 2)
    assert tab.banner.isVisibleTo(page) and "示例" in tab.banner.text() and "第十三条" in tab.banner.text()
    exported = tmp_path / "tree.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(exported), ""))
    tab.export_button.click()
    qtbot.waitUntil(exported.exists)
    tree = json.loads(exported.read_text(encoding="utf-8"))
    tree.update(id="ningyang-2027", sample=False, note="宁阳县医疗保障局2027年信用评价指标")
    own = tmp_path / "own.json"
    own.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(own), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("局务会审定", True))
    tab.load_button.click()
    qtbot.waitUntil(lambda: "ningyang-2027" in tab.summary.text())
    # The new tree takes effect at once: every standing is recomputed with it (progress, cancel).
    qtbot.waitUntil(lambda: "已按新规则重新计算" in tab.message.text(), timeout=20000)
    assert not tab.banner.isVisibleTo(page) and "已载入指标体系" in tab.message.text()
    assert f"自{date.today()}起施行" in tab.message.text() and "此前的评价结果不变" in tab.message.text()
    assert audit(demo_db, "indicators.load")[0][:2] == ("admin", "局务会审定")
    broken = tmp_path / "broken.json"
    tree["indicators"][0]["weight"] = 700  # the top level no longer adds up to 1000
    broken.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(broken), ""))
    tab.load_button.click()
    qtbot.waitUntil(lambda: "指标体系文件" in tab.message.text())
    assert len(audit(demo_db, "indicators.load")) == 1


def test_a_later_years_holiday_schedule_is_loaded_from_a_file(qtbot, runner, demo_db, tmp_path, monkeypatch):
    page = make_page(qtbot, runner, demo_db, ADMIN, 3)
    tab = page.calendar
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    assert tab.model.rows[0].year == 2026 and "2027 年及以后尚未载入" in tab.summary.text()
    schedule = tmp_path / "2027.csv"
    schedule.write_text("类型,开始日期,结束日期,说明\n放假,2027-01-01,2027-01-03,元旦\n上班,2027-02-20,,春节调休\n",
                        encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(schedule), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("国务院办公厅关于2027年部分节假日安排的通知", True))
    tab.load_button.click()
    qtbot.waitUntil(lambda: tab.model.rows[0].year == 2027)
    assert (tab.model.rows[0].holidays, tab.model.rows[0].workdays) == (3, 1)
    assert "已载入 2027 年" in tab.message.text()


def test_backup_from_settings_is_listed_with_who_made_it(qtbot, runner, demo_db, tmp_path, monkeypatch):
    page = make_page(qtbot, runner, demo_db, ADMIN, 4)
    tab = page.backup
    dest = tmp_path / "copy.sqlite3"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), ""))
    tab.backup_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10000)
    assert tab.model.rows[0].path == str(dest) and tab.model.rows[0].actor == "admin" and dest.stat().st_size > 0
    assert "已备份到" in tab.message.text()


def test_tables_pass_the_model_tester(qtbot, qtmodeltester, runner, demo_db):
    page = make_page(qtbot, runner, demo_db, ADMIN, 0)
    qtbot.waitUntil(lambda: page.users.model.rowCount() == 1)
    page.tabs.setCurrentIndex(3)
    qtbot.waitUntil(lambda: page.calendar.model.rowCount() > 0)
    for model in (page.users.model, page.calendar.model, page.backup.model):
        qtmodeltester.check(model)


def test_the_open_tab_is_remembered(qtbot, runner, demo_db):
    first = make_page(qtbot, runner, demo_db, ADMIN, 3)
    qtbot.waitUntil(lambda: first.calendar.model.rowCount() > 0)
    again = SettingsPage(runner, ADMIN)
    qtbot.addWidget(again)
    assert again.tabs.currentIndex() == 3
