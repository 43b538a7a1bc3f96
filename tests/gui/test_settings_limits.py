"""系统设置 → 办理时限: the bureau's own time limits (no document fixes them), changed by the administrator with a
reason, asked before and said after, audited, and read by the workbench."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from models.services import todo
from models.services.base import Actor
from tests.gui.boxes import message_box, press
from tests.gui.test_files_support import actor, demo_db, demo_template, nine_points, sql, type_text  # noqa: F401
from views.page_settings import SettingsPage

ADMIN = Actor("admin", "管理员", frozenset({"admin"}))


def limits_tab(qtbot, runner, db, who):
    runner.db = db
    page = SettingsPage(runner, who)
    qtbot.addWidget(page)
    page.resize(1024, 700)
    page.show()
    page.tabs.setCurrentIndex(page.tabs.count() - 1)
    qtbot.waitUntil(lambda: getattr(page.limits, "shown", None) is not None, timeout=20_000)
    return page


def test_the_time_limit_for_choosing_a_suspension_is_the_bureaus_own_and_the_workbench_follows_it(qtbot, runner,
                                                                                                   demo_db):
    target = nine_points(demo_db, decided=date.today() - timedelta(days=20))

    def due():
        return next(i for i in todo.work_list(demo_db) if i.kind == "measure_choice" and i.case == target["uuid"])

    before = due()
    assert "本局规定" in before.basis and "10个工作日" in before.basis
    page = limits_tab(qtbot, runner, demo_db, ADMIN)
    tab = page.limits
    spin = tab.spins["choice_days"]
    assert spin.value() == 10
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "20")
    type_text(qtbot, tab.reason, "局务会议决定延长")
    qtbot.keyClick(tab.save, Qt.Key.Key_Space)
    assert "确定处理期限的办理时限由10个工作日改为20个工作日（本局规定）" in press(qtbot, "保存")
    assert "确定处理期限的办理时限20个工作日" in message_box(qtbot).text()
    message_box(qtbot).accept()
    after = due()
    assert "20个工作日" in after.basis and after.deadline > before.deadline
    (reason, after_json), = sql(demo_db, "SELECT reason, after FROM audit_log WHERE action = 'notice.settings'")
    assert reason == "局务会议决定延长" and '"choice_days": 20' in after_json


def test_without_a_reason_nothing_is_saved_and_the_field_is_named(qtbot, runner, demo_db):
    page = limits_tab(qtbot, runner, demo_db, ADMIN)
    tab = page.limits
    tab.spins["appeal_handling_days"].stepBy(5)
    qtbot.keyClick(tab.save, Qt.Key.Key_Space)
    press(qtbot, "保存")
    qtbot.waitUntil(lambda: tab.errors.message("变更原因") != "", timeout=10_000)
    assert sql(demo_db, "SELECT count(*) FROM audit_log WHERE action = 'notice.settings'") == [(0,)]


def test_a_reviewer_sees_the_limits_but_may_not_change_them(qtbot, runner, demo_db):
    page = limits_tab(qtbot, runner, demo_db, actor("reviewer"))
    tab = page.limits
    assert not tab.box.isEnabled() and "需要角色：管理员" in tab.box.toolTip()
    assert tab.spins["appeal_handling_days"].value() == 15
    assert tab.spins["choice_days"].value() == 10
