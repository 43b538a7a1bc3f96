"""信用预警 and the institution screens as a user meets them on the small demo county: the workbench raises warnings
when due work is processed, a reviewer acknowledges one with a note and drafts a 信用提醒 from the file, an
institution's file shows its staff's standing, and 等级分布 covers institutions by kind with warnings by level."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.gui.boxes import message_box, press
from tests.gui.test_files_support import actor, demo_db, demo_template, sql  # noqa: F401  (fixtures)
from views.file_window import FileWindow
from views.page_distribution import DistributionPage
from views.page_workbench import WorkbenchPage
from views.warning_dialog import AcknowledgeWarningDialog


def ticked_workbench(qtbot, runner, demo_db) -> WorkbenchPage:
    """A reviewer's workbench after 处理到期事项 (Alt+T): the warnings of the county are up to date."""
    runner.db = demo_db
    page = WorkbenchPage(runner, actor("reviewer"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: page.refresh.isEnabled(), timeout=10000)
    qtbot.keyClick(page, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "已按" in page.done.text(), timeout=60000)
    qtbot.waitUntil(lambda: any(i.kind == "warning" for i in page.model.rows), timeout=10000)
    return page


def open_warning_from_workbench(qtbot, page: WorkbenchPage) -> tuple[FileWindow, object]:
    row = next(n for n, i in enumerate(page.model.rows) if i.kind == "warning")
    item = page.model.rows[row]
    page.table.setCurrentIndex(page.model.index(row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: item.subject_uuid in page.windows, timeout=10000)
    window = page.windows[item.subject_uuid]
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    assert window.tabs.tabText(window.tabs.currentIndex()).startswith("信用预警")
    table = window.table("warnings")
    table.setCurrentIndex(table.model().index(next(n for n, w in enumerate(table.model().rows)
                                                   if w["uuid"] == item.case), 0))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    table.setFocus()
    return window, item


def test_a_reviewer_acknowledges_a_warning_from_the_workbench_with_a_note(qtbot, runner, demo_db):
    page = ticked_workbench(qtbot, runner, demo_db)
    assert "新增预警" in page.done.text()
    window, item = open_warning_from_workbench(qtbot, page)
    assert item.kind_name == "信用预警" and item.title.startswith(("提示：", "关注：", "警示："))
    assert window.acknowledge.isEnabled(), window.acknowledge.toolTip()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(getattr(window, "dialog", None), AcknowledgeWarningDialog),
                    timeout=10000)  # a mnemonic clicks after a short animation
    dialog = window.dialog
    assert isinstance(dialog, AcknowledgeWarningDialog) and "依据" in dialog.intro.text()
    dialog.activateWindow()  # keys go to the active window; a busy machine may not have switched yet
    qtbot.waitUntil(dialog.isActiveWindow, timeout=10000)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # no note yet: refused, nothing written
    qtbot.waitUntil(lambda: "处理意见" in dialog.errors.message("处理意见"), timeout=10000)
    assert dialog.isVisible()
    dialog.note.insertPlainText("已电话提醒，要求自查整改")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert press(qtbot, "确定").startswith("已确认")
    qtbot.waitUntil(lambda: any(w["uuid"] == item.case and w["state"] == "已确认"
                                for w in window.table("warnings").model().rows), timeout=10000)
    assert sql(demo_db, "SELECT acknowledged_by, note FROM credit_warnings WHERE uuid = ?", item.case) == [
        ("reviewer", "已电话提醒，要求自查整改")]
    assert any(r["action"] == "warning.ack" for r in window.data["audit"])
    page.reload()
    qtbot.waitUntil(lambda: page.refresh.isEnabled() and item.case not in {i.case for i in page.model.rows},
                    timeout=10000)


def test_a_credit_reminder_is_drafted_from_the_warning_in_the_file(qtbot, runner, demo_db):
    page = ticked_workbench(qtbot, runner, demo_db)
    window, item = open_warning_from_workbench(qtbot, page)
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert "起草一份信用提醒" in press(qtbot, "起草")
    assert message_box(qtbot).text().startswith("已起草信用提醒")
    press(qtbot, "确定")
    assert sql(demo_db, "SELECT type, state FROM notices WHERE case_uuid = ?", f"credit_warning:{item.case}") == [
        ("credit_warning", "draft")]


def test_an_institutions_file_shows_its_staff_with_their_standing_and_a_practitioners_file_does_not(
        qtbot, runner, demo_db):
    (inst,) = sql(demo_db, """SELECT i.uuid FROM subjects i JOIN registrations r ON r.institution_id = i.id
                              JOIN subject_standing st ON st.subject_id = r.practitioner_id
                              WHERE st.sanction = 1 ORDER BY i.id LIMIT 1""")[0]  # one with a suspended or terminated person
    runner.db = demo_db
    window = FileWindow(runner, actor("reviewer"), inst)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    tab = window._tab_index("人员信用")
    assert window.tabs.isTabVisible(tab)
    staff = window.table("staff").model().rows
    expected = dict(sql(demo_db, """SELECT p.uuid, st.points_total FROM registrations r
                                    JOIN subjects p ON p.id = r.practitioner_id JOIN subjects i ON i.id = r.institution_id
                                    JOIN subject_standing st ON st.subject_id = p.id WHERE i.uuid = ?""", inst))
    assert {r["uuid"]: r["points_total"] for r in staff} == expected
    sanctioned = {p for (p,) in sql(demo_db, """SELECT p.uuid FROM registrations r JOIN subjects p ON p.id = r.practitioner_id
                                                JOIN subjects i ON i.id = r.institution_id
                                                JOIN subject_standing st ON st.subject_id = p.id
                                                WHERE i.uuid = ? AND (st.sanction = 1 OR r.status != '正常')""", inst)}
    model = window.table("staff").model()
    assert sanctioned and {r["uuid"] for r in staff if model.alarm(r)} == sanctioned  # incentives are no alarm
    assert any(r["measures"] and not model.alarm(r) for r in staff)
    person = staff[0]["uuid"]
    other = FileWindow(runner, actor("reviewer"), person)
    qtbot.addWidget(other)
    other.show()
    qtbot.waitUntil(lambda: other.data is not None, timeout=10000)
    assert not other.tabs.isTabVisible(other._tab_index("人员信用"))


@pytest.fixture
def distribution(qtbot, runner, demo_db):
    from models.services import warnings

    warnings.refresh_county(demo_db)  # as 处理到期事项 does
    runner.db = demo_db
    page = DistributionPage(runner, actor("reviewer"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: page.distribution is not None, timeout=10000)
    return page


def test_the_distribution_counts_institutions_by_kind_and_lists_those_of_a_kind(qtbot, distribution):
    page = distribution
    page.dimension.setCurrentIndex(page.dimension.findData("kind"))
    qtbot.waitUntil(lambda: page.distribution.dimension == "kind", timeout=10000)
    assert not page.subject_type.isEnabled()
    frame = page.distribution.frame
    assert list(frame.index[:2]) == ["定点医疗机构", "定点零售药店"]
    counts = dict(sql(page.runner.db, """SELECT CASE WHEN institution_kind = 'pharmacy' THEN '定点零售药店'
                                         ELSE '定点医疗机构' END, COUNT(*) FROM subjects WHERE type = 'institution'
                                         GROUP BY 1"""))
    assert {k: int(frame.loc[k].sum()) for k in counts} == counts
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(1, len(page.model.columns) - 1))  # 定点零售药店, 合计
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(page.lists), timeout=10000)
    dialog = page.lists[-1]
    qtbot.waitUntil(lambda: len(dialog.model.rows) == dialog.model.total == counts["定点零售药店"], timeout=10000)
    assert {r[2] for r in dialog.model.rows} == {"定点医药机构"}
    dialog.close()
    page.subject_type.setCurrentIndex(page.subject_type.findData("institution"))
    page.dimension.setCurrentIndex(page.dimension.findData("township"))
    qtbot.waitUntil(lambda: page.distribution.dimension == "township"
                    and page.distribution.subject_type == "institution", timeout=10000)
    towns = dict(sql(page.runner.db, "SELECT COALESCE(township, ''), COUNT(*) FROM subjects WHERE type = 'institution' "
                                     "GROUP BY 1"))
    assert {k: int(v) for k, v in zip(page.distribution.keys, page.distribution.frame.sum(axis=1))} == towns


def test_the_distribution_shows_open_warnings_by_level(qtbot, distribution):
    counts = sql(distribution.runner.db, "SELECT level, COUNT(*) FROM credit_warnings WHERE cleared_on IS NULL "
                                         "GROUP BY level")
    assert counts
    qtbot.waitUntil(lambda: "未解除的信用预警：" in distribution.warning_counts.text(), timeout=10000)
    text = distribution.warning_counts.text()
    for level, _n in counts:
        assert level in text
    qtbot.keyClick(distribution, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(distribution.lists), timeout=10000)
    dialog = distribution.lists[-1]
    qtbot.waitUntil(lambda: len(dialog.model.rows) == sum(n for _l, n in counts), timeout=10000)
    assert dialog.model.rows[0].level == "警示" or not any(level == "警示" for level, _n in counts)
    dialog.close()


def test_institution_ratings_export_to_excel_one_row_per_institution(qtbot, distribution, tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    path = tmp_path / "ratings.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    qtbot.keyClick(distribution, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(distribution.lists), timeout=10000)
    dialog = distribution.lists[-1]
    institutions = sql(distribution.runner.db, "SELECT COUNT(*) FROM subjects WHERE type = 'institution'")[0][0]
    qtbot.waitUntil(lambda: len(dialog.model.rows) == institutions, timeout=10000)
    dialog.export_button.click()
    qtbot.waitUntil(path.exists, timeout=10000)
    assert press(qtbot, "确定").startswith(f"已导出 {institutions} 行")
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[1][:3] == ["机构名称", "统一社会信用代码", "机构类别"] and len(sheet) == 2 + institutions
    assert all(isinstance(r[1], str) and len(r[1]) == 18 for r in sheet[2:])
    dialog.close()


def test_settings_show_the_sample_warning_rules_with_their_basis_and_the_admin_loads_the_bureaus(
        qtbot, runner, demo_db, tmp_path, monkeypatch):
    import json

    from PySide6.QtWidgets import QInputDialog

    from models.services import warnings
    from models.services.base import Actor
    from views.page_settings import SettingsPage

    warnings.refresh_county(demo_db)
    repeats = "SELECT COUNT(*) FROM credit_warnings WHERE rule = 'repeat_violation' AND cleared_on IS NULL"
    assert sql(demo_db, repeats)[0][0] > 0
    runner.db = demo_db
    page = SettingsPage(runner, Actor("admin", "系统管理员", frozenset({"admin"})))
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    page.tabs.setCurrentIndex(next(n for n in range(page.tabs.count()) if page.tabs.tabText(n).startswith("信用预警规则")))
    tab = page.warning_rules
    qtbot.waitUntil(lambda: tab.model.rowCount() == 4, timeout=10000)
    assert tab.banner.isVisibleTo(page) and "示例" in tab.banner.text() and "三（五）" in tab.banner.text()
    basis = [tab.model.data(tab.model.index(n, 5)) for n in range(4)]
    assert all("淮医保发〔2020〕104号" in b for b in basis)
    exported = tmp_path / "rules.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(exported), ""))
    tab.export_button.click()
    qtbot.waitUntil(exported.exists)
    content = json.loads(exported.read_text(encoding="utf-8"))
    content["rules"][3]["enabled"] = False  # the bureau does not warn on repeats
    content["note"] = "宁阳县医疗保障局信用预警办法"
    own = tmp_path / "own.json"
    own.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(own), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("局务会审定", True))
    tab.load_button.click()
    qtbot.waitUntil(lambda: "已启用本局预警规则 4 条" in tab.message.text(), timeout=20000)
    qtbot.waitUntil(lambda: not tab.banner.isVisibleTo(page))
    assert tab.model.data(tab.model.index(3, 6)) == "停用"
    assert sql(demo_db, repeats) == [(0,)]  # checked again at once under the bureau's rules
    assert sql(demo_db, "SELECT actor, reason FROM audit_log WHERE action = 'warning.rules'") == [("admin", "局务会审定")]
