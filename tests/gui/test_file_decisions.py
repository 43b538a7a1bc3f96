"""Decisions taken from the credit file on the row they concern (issue 13): 登记纠正失信行为, 减免记分, 缩减期限,
采取 and 提前结束 a measure, 起草 a record's notice. Nothing is typed to name a record; each asks first, saying
what it will do, and says after what was done."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.boxes import message_box, press
from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    actor, demo_db, demo_template, nine_points, sql, type_text,
)
from views.file_window import FileWindow


def open_file(qtbot, runner, db, username: str, subject: str) -> FileWindow:
    runner.db = db
    window = FileWindow(runner, actor(username), subject)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None and window.refresh.isEnabled(), timeout=20_000)
    return window


def select(window: FileWindow, key: str, match) -> dict:
    table = window.table(key)
    row = next(n for n, r in enumerate(table.model().rows) if match(r))
    table.setCurrentIndex(table.model().index(row, 0))
    return table.model().rows[row]


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def opened(qtbot, owner, button):
    """Clicks ``button`` and returns the dialog it opened (kept by ``owner`` as ``dialog``), once it shows."""
    click(qtbot, button)
    qtbot.waitUntil(lambda: getattr(owner, "dialog", None) is not None and owner.dialog.isVisible(), timeout=20_000)
    return owner.dialog


def reload_done(qtbot, window: FileWindow, check) -> None:
    qtbot.waitUntil(lambda: window.data is not None and window.refresh.isEnabled() and check(window.data),
                    timeout=20_000)


def test_a_reviewer_reduces_points_from_the_points_tab_and_the_year_total_follows(qtbot, runner, demo_db):
    """减免记分 (济医保发〔2025〕6号 四（七））: the prompt names the points before and after."""
    target = nine_points(demo_db)
    window = open_file(qtbot, runner, demo_db, "reviewer2", target["uuid"])
    window.show_tab("记分与评价")
    select(window, "points.entries", lambda e: e["case_no"] == "宁医保罚〔2026〕960号")
    dialog = opened(qtbot, window, window.actions.reduce)
    dialog.points.selectAll()
    type_text(qtbot, dialog.points, "3")
    type_text(qtbot, dialog.reason, "主动退回违规费用并配合调查")
    click(qtbot, dialog.ok)
    text = press(qtbot, "减免记分")
    assert "减免3分（由9分减为6分）" in text and "本年度累计记分由9分变为6分" in text
    assert message_box(qtbot).text().startswith("已对")
    reload_done(qtbot, window, lambda d: d["points"]["total"] == 6)
    assert sql(demo_db, "SELECT kind, points_reduction, decided_by FROM repairs") == [("points", 3, "reviewer2")]


def test_the_clerk_who_entered_the_record_cannot_reduce_its_points(qtbot, runner, demo_db):
    """双人复核: a reviewer who also entered the case sees why before meeting the refusal."""
    target = nine_points(demo_db)
    window = open_file(qtbot, runner, demo_db, "clerk", target["uuid"])
    window.show_tab("记分与评价")
    select(window, "points.entries", lambda e: e["case_no"] == "宁医保罚〔2026〕960号")
    assert not window.actions.reduce.isEnabled()
    assert window.actions.reduce.toolTip().startswith("需要角色：审核员、签发人")


def test_a_suspension_is_shortened_from_the_measures_tab(qtbot, runner, demo_db):
    """缩减暂停期限: 3 months become 1 from the same start; someone other than the decider decides."""
    from models.services import measures

    target = nine_points(demo_db)
    record = sql(demo_db, """SELECT r.uuid FROM credit_records r JOIN subjects s ON s.id = r.subject_id
                             WHERE r.case_no = '宁医保罚〔2026〕960号' AND s.uuid = ?""", target["uuid"])[0][0]
    measures.choose_measure(demo_db, actor=actor("reviewer"), record=record, months=3, reason="情节较轻")
    window = open_file(qtbot, runner, demo_db, "reviewer2", target["uuid"])
    window.show_tab("措施与名单")
    select(window, "measure_history", lambda m: m["state"] == "生效" and m["months"] == 3)
    assert not window.actions.lift.isEnabled()  # a rule's measure ends through repair, not by lifting
    dialog = opened(qtbot, window, window.actions.shorten)
    dialog.months.selectAll()
    type_text(qtbot, dialog.months, "1")
    type_text(qtbot, dialog.reason, "已整改并消除影响")
    click(qtbot, dialog.ok)
    assert "由3个月缩减为1个月" in press(qtbot, "缩减期限")
    assert message_box(qtbot).text().startswith("已将")
    reload_done(qtbot, window, lambda d: any(m["months"] == 1 and m["state"] == "生效" for m in d["measure_history"]))


def test_a_clerk_records_a_rectification_on_a_bad_record(qtbot, runner, demo_db):
    """鲁医保发〔2024〕25号 第十二条: the correction date and commitment, asked and then said."""
    target = nine_points(demo_db)
    window = open_file(qtbot, runner, demo_db, "clerk", target["uuid"])
    window.show_tab("信用信息")
    select(window, "records", lambda r: r["case_no"] == "宁医保罚〔2026〕960号")
    dialog = opened(qtbot, window, window.actions.rectify)
    type_text(qtbot, dialog.commitment, "今后严格遵守医保协议")
    click(qtbot, dialog.ok)
    assert "纠正案件 宁医保罚〔2026〕960号所涉失信行为" in press(qtbot, "登记纠正")
    assert message_box(qtbot).text().startswith("已登记")
    assert sql(demo_db, "SELECT commitment, entered_by FROM rectifications") == [("今后严格遵守医保协议", "clerk")]
    reload_done(qtbot, window, lambda d: any(a["action"] == "record.rectify" for a in d["audit"]))


def test_a_measure_the_grade_allows_is_imposed_and_lifted_by_another_reviewer(qtbot, runner, demo_db):
    """磐医保〔2021〕43号 第二十条: 可给予 measures exist once decided, and end early only by someone else."""
    poor = sql(demo_db, """SELECT s.uuid FROM subjects s JOIN subject_standing st ON st.subject_id = s.id
                           WHERE st.grade IN ('较差', '差') ORDER BY s.id""")
    window = None
    for (uuid,) in poor:
        window = open_file(qtbot, runner, demo_db, "reviewer", uuid)
        if any(m["status"] == "optional" for m in window.data["measures"]):
            break
    else:
        pytest.fail("the demo county has no subject graded 较差 or 差 with an optional measure")
    window.show_tab("措施与名单")
    offered = select(window, "measures", lambda m: m["status"] == "optional")
    dialog = opened(qtbot, window, window.actions.impose)
    type_text(qtbot, dialog.reason, "信用等级为差")
    click(qtbot, dialog.ok)
    assert f"采取“{offered['name']}”" in press(qtbot, "采取措施")
    message_box(qtbot).accept()
    reload_done(qtbot, window, lambda d: any(m["kind"] == offered["kind"] for m in d["measure_history"]))
    window.hide()

    other = open_file(qtbot, runner, demo_db, "reviewer2", uuid)
    other.show_tab("措施与名单")
    select(other, "measure_history", lambda m: m["kind"] == offered["kind"] and m["state"] == "生效")
    dialog = opened(qtbot, other, other.actions.lift)
    type_text(qtbot, dialog.reason, "已按期整改")
    click(qtbot, dialog.ok)
    assert "提前结束" in press(qtbot, "提前结束")
    assert "提前结束" in message_box(qtbot).text()
    reload_done(qtbot, other, lambda d: any(m["kind"] == offered["kind"] and m["state"] == "撤销"
                                            for m in d["measure_history"]))


def set_notice_settings(db) -> None:
    """A notice states the remedy and whom to call: a draft is refused until the bureau has set them."""
    from models.services import notices
    from models.services.base import Actor

    notices.set_settings(db, actor=Actor("admin", "管理员", frozenset({"admin"})), changes={
        "appeal_days": 15, "phone": "0538-5621234", "address": "宁阳县医疗保障局信用管理科"}, reason="局务会议决定")


def test_a_records_own_notice_is_offered_from_its_row(qtbot, runner, demo_db):
    """A scored record offers its 记分告知书 (济医保发〔2025〕6号 四（六）), named by case number, no UUID."""
    target = nine_points(demo_db)
    set_notice_settings(demo_db)
    window = open_file(qtbot, runner, demo_db, "clerk", target["uuid"])
    record = select(window, "records", lambda r: r["case_no"] == "宁医保罚〔2026〕960号")
    dialog = opened(qtbot, window, window.actions.draft_record)
    offered = [dialog.document.itemText(i) for i in range(dialog.document.count())]
    assert offered and all("宁医保罚〔2026〕960号" in text for text in offered)
    assert offered[0].startswith("记分告知书") and not any(record["uuid"] in t for t in offered)
    click(qtbot, dialog.ok)
    assert "已起草记分告知书" in message_box(qtbot).text()
    assert sql(demo_db, "SELECT type FROM notices WHERE case_uuid = ?", f"points_notice:{record['uuid']}") == [
        ("points_notice",)]


def test_a_record_without_a_notice_of_its_own_offers_the_credit_result_notice(qtbot, runner, demo_db):
    """A good record (e.g. 表彰奖励) counts in the evaluation: its notice is the 信用评价结果告知书."""
    subject = sql(demo_db, """SELECT s.uuid FROM subjects s JOIN credit_records r ON r.subject_id = s.id
                              WHERE r.good = 1 ORDER BY s.id LIMIT 1""")[0][0]
    window = open_file(qtbot, runner, demo_db, "clerk", subject)
    select(window, "records", lambda r: r["good"])
    dialog = opened(qtbot, window, window.actions.draft_record)
    assert dialog.document.count() == 1 and dialog.document.currentText().startswith("信用结果告知书")


def test_a_confirmed_findings_row_offers_the_notices_of_its_responsible_persons(qtbot, runner, demo_db):
    """违规录入: 起草告知书 on a confirmed finding offers each scored person's notice by name and case number."""
    from views.page_findings import FindingsPage

    target = nine_points(demo_db)
    set_notice_settings(demo_db)
    runner.db = demo_db
    page = FindingsPage(runner, actor("clerk"))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.state.setCurrentIndex(page.state.findData("已确认"))
    qtbot.waitUntil(lambda: any(f.case_no == "宁医保罚〔2026〕960号" for f in page.model.rows), timeout=20_000)
    row = next(n for n, f in enumerate(page.model.rows) if f.case_no == "宁医保罚〔2026〕960号")
    page.table.setCurrentIndex(page.model.index(row, 0))
    dialog = opened(qtbot, page, page.draft)  # the choices are read on the worker first
    offered = [dialog.document.itemText(i) for i in range(dialog.document.count())]
    assert offered[0].startswith(f"{target['name']}：记分告知书") and "宁医保罚〔2026〕960号" in offered[0]
    click(qtbot, dialog.ok)
    assert "已起草记分告知书" in message_box(qtbot).text()
    assert sql(demo_db, "SELECT count(*) FROM notices WHERE type = 'points_notice' AND case_uuid LIKE 'points_notice:%'"
               )[0][0] >= 1
