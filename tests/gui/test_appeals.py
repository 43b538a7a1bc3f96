"""申诉 in the window (济医保发〔2025〕6号 四（八））: filed from the row of a record or a measure, listed in the file
and on the workbench with its deadline, decided in a dialog that says the consequence before and the result
after. Keys as a user presses them; nothing names a record by UUID."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from models.services import appeals
from tests.gui.boxes import message_box, press
from tests.gui.test_file_decisions import click, open_file, opened, reload_done, select
from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    actor, demo_db, demo_template, nine_points, sql, type_text,
)
from tests.gui.test_workbench import workbench

CASE = "宁医保罚〔2026〕960号"


def points_record(db, target) -> str:
    return sql(db, "SELECT r.uuid FROM credit_records r JOIN subjects s ON s.id = r.subject_id "
                   "WHERE s.uuid = ? AND r.case_no = ?", target["uuid"], CASE)[0][0]


def test_jinan_4_8_a_clerk_files_an_appeal_from_the_record_row_for_the_institution(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    window = open_file(qtbot, runner, demo_db, "clerk", target["uuid"])
    select(window, "records", lambda r: r["case_no"] == CASE)
    dialog = opened(qtbot, window, window.actions.appeal_record)
    assert CASE in dialog.intro.text() and points_record(demo_db, target) not in dialog.intro.text()
    dialog.appellant.setFocus()
    qtbot.keyClick(dialog.appellant, Qt.Key.Key_Down)  # 所在机构：the institution where the person is registered
    assert dialog.appellant.currentText() == f"所在机构：{target['institution_name']}"
    type_text(qtbot, dialog.reason, "本人并非主要责任者")
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Return)
    said = message_box(qtbot).text()
    assert said.startswith(f"已登记{target['name']}对案件 {CASE}的申诉") and "本局规定的办理期限" in said
    message_box(qtbot).accept()
    reload_done(qtbot, window, lambda d: len(d["appeals"]) == 1)
    (row,) = window.data["appeals"]
    assert (row["appellant"], row["institution"], row["state"]) == ("所在机构", target["institution_name"], "待处理")
    window.show_tab("异议与修复")
    model = window.table("appeals").model()
    shown = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert CASE in shown and target["institution_name"] in shown and not any(row["uuid"] in str(v) for v in shown)


def test_jinan_4_8_an_empty_reason_is_named_under_its_field_and_nothing_is_filed(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    window = open_file(qtbot, runner, demo_db, "clerk", target["uuid"])
    select(window, "records", lambda r: r["case_no"] == CASE)
    dialog = opened(qtbot, window, window.actions.appeal_record)
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Return)
    assert dialog.errors.message("申诉理由").startswith("申诉理由") and dialog.isVisible()
    assert sql(demo_db, "SELECT count(*) FROM appeals") == [(0,)]


def file(db, target, **kw):
    return appeals.file(db, actor=actor("clerk"), record=points_record(db, target), received_on=date.today(),
                        reason="不服", **kw).value


def decide_dialog(qtbot, runner, db, username, target):
    window = open_file(qtbot, runner, db, username, target["uuid"])
    window.show_tab("异议与修复")
    select(window, "appeals", lambda r: r["state"] != "已办结")
    return window, opened(qtbot, window, window.actions.decide_appeal)


def test_jinan_4_8_a_revocation_says_the_points_it_removes_before_and_what_was_done_after(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    file(demo_db, target)
    window, dialog = decide_dialog(qtbot, runner, demo_db, "reviewer2", target)
    dialog.outcome.setFocus()
    qtbot.keyClick(dialog.outcome, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.outcome, Qt.Key.Key_Down)
    assert dialog.outcome.currentData() == "撤销"
    type_text(qtbot, dialog.answer, "责任认定证据不足，撤销记分")
    type_text(qtbot, dialog.basis, "济医保发〔2025〕6号 四（八）")
    click(qtbot, dialog.ok)
    text = press(qtbot, "作出决定")
    assert f"撤销{target['name']}因案件 {CASE}所记的9分（全部减免），本年度累计记分由9分变为0分" in text
    done = message_box(qtbot).text()
    assert done.startswith("已对") and "撤销" in done and "全部9分" in done
    message_box(qtbot).accept()
    reload_done(qtbot, window, lambda d: d["points"]["total"] == 0 and d["appeals"][0]["state"] == "已办结")


def test_jinan_4_8_a_change_by_points_states_the_points_before_and_after(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    file(demo_db, target)
    window, dialog = decide_dialog(qtbot, runner, demo_db, "reviewer2", target)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("变更"))
    assert dialog.reduce.isEnabled() and dialog.change_kind.currentData() == "points"
    dialog.reduce.selectAll()
    type_text(qtbot, dialog.reduce, "3")
    type_text(qtbot, dialog.answer, "改为重要责任")
    type_text(qtbot, dialog.basis, "条例第三十八条")
    click(qtbot, dialog.ok)
    assert "减免3分（由9分减为6分），本年度累计记分由9分变为6分" in press(qtbot, "作出决定")
    message_box(qtbot).accept()
    reload_done(qtbot, window, lambda d: d["points"]["total"] == 6)


def test_jinan_4_8_cancelling_the_prompt_decides_nothing(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    file(demo_db, target)
    _window, dialog = decide_dialog(qtbot, runner, demo_db, "reviewer2", target)
    type_text(qtbot, dialog.answer, "维持")
    type_text(qtbot, dialog.basis, "条例")
    click(qtbot, dialog.ok)
    assert "维持原决定" in press(qtbot, "取消")
    assert dialog.isVisible() and sql(demo_db, "SELECT state FROM appeals") == [("待处理",)]


def test_jinan_4_8_the_clerk_who_filed_it_sees_why_they_cannot_decide(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    appeals.file(demo_db, actor=actor("both"), record=points_record(demo_db, target), received_on=date.today(),
                 reason="不服")
    _window, dialog = decide_dialog(qtbot, runner, demo_db, "both", target)
    assert not dialog.ok.isEnabled() and "双人复核：该申诉由“周兼任”（当前用户）录入" in dialog.ok.toolTip()


def test_jinan_4_8_an_appeal_at_the_expert_panel_is_decided_only_after_its_conclusion(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    filed = file(demo_db, target)
    window = open_file(qtbot, runner, demo_db, "reviewer", target["uuid"])
    window.show_tab("异议与修复")
    select(window, "appeals", lambda r: r["uuid"] == filed.uuid)
    dialog = opened(qtbot, window, window.actions.refer)
    type_text(qtbot, dialog.assessor, "市医学会专家组")
    type_text(qtbot, dialog.question, "诊疗行为是否合理")
    click(qtbot, dialog.ok)
    assert "登记鉴定结论之前不能作出申诉决定" in press(qtbot, "送评估鉴定")
    message_box(qtbot).accept()
    reload_done(qtbot, window, lambda d: d["appeals"][0]["state"] == "评估鉴定中")
    select(window, "appeals", lambda r: r["uuid"] == filed.uuid)
    assert not window.actions.decide_appeal.isEnabled() and "鉴定结论" in window.actions.decide_appeal.toolTip()
    dialog = opened(qtbot, window, window.actions.conclude)
    type_text(qtbot, dialog.conclusion, "诊疗合理")
    click(qtbot, dialog.ok)
    press(qtbot, "登记结论")
    message_box(qtbot).accept()
    reload_done(qtbot, window, lambda d: d["appeals"][0]["state"] == "待处理")
    select(window, "appeals", lambda r: r["uuid"] == filed.uuid)
    assert window.actions.decide_appeal.isEnabled()


def test_jinan_4_8_the_workbench_lists_an_open_appeal_with_its_deadline_and_red_when_overdue(qtbot, runner, demo_db):
    from views.table_model import OVERDUE

    target = nine_points(demo_db, decided=date.today() - timedelta(days=60))
    filed = appeals.file(demo_db, actor=actor("clerk"), record=points_record(demo_db, target),
                         received_on=date.today() - timedelta(days=50), reason="不服").value
    page = workbench(qtbot, runner, demo_db, "reviewer2")
    row = next(n for n, i in enumerate(page.model.rows) if i.case == filed.uuid)
    item = page.model.rows[row]
    assert item.kind_name == "申诉" and item.deadline == filed.deadline and item.overdue and item.workdays_left < 0
    assert page.model.data(page.model.index(row, 0), Qt.ItemDataRole.ForegroundRole).color() == OVERDUE
    assert "本局规定" in page.model.data(page.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    clerk_page = workbench(qtbot, runner, demo_db, "clerk")
    assert not any(i.case == filed.uuid for i in clerk_page.model.rows)  # a clerk does not decide appeals


def test_jinan_4_8_a_suspension_is_appealed_from_its_row_and_changed_to_fewer_months(qtbot, runner, demo_db):
    from models.services import measures

    target = nine_points(demo_db)
    measures.choose_measure(demo_db, actor=actor("reviewer"), record=points_record(demo_db, target), months=3,
                            reason="情节较轻")
    window = open_file(qtbot, runner, demo_db, "clerk", target["uuid"])
    window.show_tab("措施与名单")
    select(window, "measure_history", lambda m: m["state"] == "生效" and m["months"] == 3)
    dialog = opened(qtbot, window, window.actions.appeal_measure)
    assert dialog.matter.currentText() == "医保支付资格处理"
    type_text(qtbot, dialog.reason, "暂停期限过长")
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Return)
    assert "暂停医保支付资格" in message_box(qtbot).text()
    message_box(qtbot).accept()
    _window, dialog = decide_dialog(qtbot, runner, demo_db, "reviewer2", target)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("变更"))
    assert dialog.months.isEnabled() and dialog.months.maximum() == 2  # fewer months than the 3 decided
    type_text(qtbot, dialog.answer, "情节轻微")
    type_text(qtbot, dialog.basis, "条例")
    click(qtbot, dialog.ok)
    assert "由3个月变更为2个月" in press(qtbot, "作出决定")
    assert "由3个月变更为2个月" in message_box(qtbot).text()


def test_jinan_4_8_the_cases_page_lists_appeals_with_their_deadline_and_enter_opens_the_file(qtbot, runner, demo_db):
    from tests.gui.test_cases import cases_page
    from tests.gui.test_files_support import wait_loaded

    target = nine_points(demo_db)
    filed = file(demo_db, target)
    page = cases_page(qtbot, runner, demo_db, "reviewer")
    wait_loaded(qtbot, page.appeals.model)
    page.tabs.setCurrentWidget(page.appeals)
    assert page.tabs.tabText(2) == "申诉(&3)" and "申诉 1 项" in page.count.text()
    model = page.appeals.model
    shown = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert target["name"] in shown and f"记分 {CASE}" in shown and "待处理" in shown
    assert filed.deadline.isoformat() in " ".join(map(str, shown)) and not any(filed.uuid in str(v) for v in shown)
    assert "按回车键打开" in page.appeals.detail.text() and "本局规定" in page.appeals.detail.text()
    page.appeals.table.setFocus()
    qtbot.keyClick(page.appeals.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(page.windows), timeout=10_000)
    (window,) = page.windows.values()
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None and window.refresh.isEnabled(), timeout=20_000)
    assert window.data["subject"]["uuid"] == target["uuid"]
    assert window.tabs.tabText(window.tabs.currentIndex()).startswith("异议与修复")


def test_the_appeal_list_model_passes_qtmodeltester(qtbot, qtmodeltester, runner, demo_db):
    from tests.gui.test_cases import cases_page

    file(demo_db, nine_points(demo_db))
    page = cases_page(qtbot, runner, demo_db, "reviewer")
    qtbot.waitUntil(lambda: page.appeals.model.rowCount() == 1, timeout=10_000)
    qtmodeltester.check(page.appeals.model)
