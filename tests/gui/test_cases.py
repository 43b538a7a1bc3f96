"""异议与修复: filing and deciding objections (鲁医保发〔2024〕25号 第十条) and repair applications
(第十一条, 磐医保〔2021〕43号 第二十四条), with the four-eyes rule and role checks visible on the buttons."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from models.queries.subject_list import SubjectQuery, subject_page
from models.services import objections, repairs
from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    actor, demo_db, demo_template, sql, type_text, wait_loaded,
)
from views.case_forms import DecideObjectionDialog, DecideRepairDialog, ObjectionDialog, RepairDialog
from views.page_cases import CasesPage

# Delivered and received while 鲁医保发〔2024〕25号 (2024-08-10 to 2026-08-09) was in force: 15 working days.
DELIVERED, RECEIVED, LATE = date(2026, 1, 5), date(2026, 1, 6), date(2026, 3, 2)


def bad_record(db) -> tuple[str, str, str, str]:
    """(record uuid, subject uuid, subject name, initials) of a practitioner's bad record."""
    return sql(db, """SELECT r.uuid, s.uuid, s.name, s.initials FROM credit_records r JOIN subjects s
                      ON s.id = r.subject_id WHERE r.good = 0 AND s.type = 'practitioner'
                      ORDER BY r.decision_date LIMIT 1""")[0]


def cases_page(qtbot, runner, db, username: str) -> CasesPage:
    runner.db = db
    page = CasesPage(runner, actor(username))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    wait_loaded(qtbot, page.objections.model)
    wait_loaded(qtbot, page.repairs.model)
    return page


def file_objection(db, username: str = "clerk", received: date = RECEIVED) -> str:
    record, subject, _name, _initials = bad_record(db)
    return objections.file(db, actor=actor(username), subject=subject, record=record, delivered_on=DELIVERED,
                           received_on=received, reason="责任程度认定过重").value.uuid


def choose_subject(qtbot, dialog, db) -> str:
    record, subject, name, _initials = bad_record(db)
    row = next(r for r in subject_page(db, actor=dialog.actor, q=SubjectQuery(text=name, type="practitioner"))
               if r.uuid == subject)
    dialog.picked.choose(row)
    qtbot.waitUntil(lambda: dialog.picked.record.findData(record) >= 0)
    dialog.picked.record.setCurrentIndex(dialog.picked.record.findData(record))
    return record


def test_clerk_files_an_objection_and_a_late_one_is_refused_with_the_deadline(qtbot, runner, demo_db):
    page = cases_page(qtbot, runner, demo_db, "clerk")
    assert page.new_objection.isEnabled()
    dialog = ObjectionDialog(runner, actor("clerk"), page)
    qtbot.addWidget(dialog)
    dialog.show()
    record = choose_subject(qtbot, dialog, demo_db)
    for edit, day in ((dialog.delivered, DELIVERED), (dialog.received, LATE)):
        edit.clear()
        qtbot.keyClicks(edit, day.isoformat())
    dialog.reason.insertPlainText("处罚决定所列违规事实与本人无关")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.message(None) != "", timeout=10000)
    assert "已超过期限，不予受理" in dialog.errors.message(None) and "第十条" in dialog.errors.message(None)
    assert dialog.isVisible() and sql(demo_db, "SELECT count(*) FROM objections") == [(0,)]

    dialog.received.clear()
    qtbot.keyClicks(dialog.received, RECEIVED.isoformat())
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert dialog.result_value.record == record and dialog.result_value.state == "待复核"
    page.reload()
    wait_loaded(qtbot, page.objections.model)
    [row] = page.objections.model.rows
    assert (row.state, row.review_deadline is not None) == ("待复核", True)
    # Past its review deadline: the row is red (overdue).
    brush = page.objections.model.data(page.objections.model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == "#b3261e"


def test_a_clerk_cannot_decide_and_is_told_which_role_can(qtbot, runner, demo_db):
    file_objection(demo_db)
    page = cases_page(qtbot, runner, demo_db, "clerk")
    page.objections.table.selectRow(0)
    assert not page.decide_objection.isEnabled()
    assert page.decide_objection.toolTip().startswith("需要角色：审核员、签发人")


def test_the_person_who_filed_an_objection_may_not_decide_it(qtbot, runner, demo_db):
    """双人复核: a user with both roles filed it; the button is disabled and says why."""
    file_objection(demo_db, username="both")
    page = cases_page(qtbot, runner, demo_db, "both")
    page.objections.table.selectRow(0)
    assert not page.decide_objection.isEnabled()
    assert "双人复核" in page.decide_objection.toolTip()
    assert cases_page(qtbot, runner, demo_db, "reviewer").decide_objection.isEnabled()


def test_a_reviewer_upholds_an_objection_and_the_answer_becomes_a_draft_of_form_2(qtbot, runner, demo_db):
    uuid = file_objection(demo_db)
    page = cases_page(qtbot, runner, demo_db, "reviewer")
    page.objections.table.selectRow(0)
    qtbot.keyClick(page.objections.table, Qt.Key.Key_Return)  # Enter opens the decision
    qtbot.waitUntil(lambda: isinstance(getattr(page, "dialog", None), DecideObjectionDialog))
    dialog = page.dialog
    assert "责任程度认定过重" in dialog.intro.text()
    dialog.answer.insertPlainText("经核查，处罚决定认定事实清楚，维持原记录。")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert sql(demo_db, "SELECT state, outcome, decided_by FROM objections WHERE uuid = ?", uuid) == \
        [("已办结", "维持", "reviewer")]
    assert sql(demo_db, "SELECT type FROM notices WHERE case_uuid = ?", uuid) == [("objection_answer",)]
    wait_loaded(qtbot, page.objections.model)
    assert page.objections.model.rows == []  # no longer open


def test_changing_a_record_after_an_objection_needs_a_change(qtbot, runner, demo_db):
    uuid = file_objection(demo_db)
    runner.db = demo_db
    from models.queries.case_lists import objection_row

    dialog = DecideObjectionDialog(runner, actor("reviewer"), objection_row(demo_db, actor=actor("reviewer"), uuid=uuid))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.change.setChecked(True)
    dialog.answer.insertPlainText("责任程度调整为一般")
    dialog.ok.click()
    assert dialog.errors.message("更正内容").startswith("更正内容：")
    dialog.responsibility.setCurrentIndex(dialog.responsibility.findData("一般"))
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    correction = dialog.result_value.correction
    assert sql(demo_db, "SELECT responsibility FROM credit_records WHERE uuid = ?", correction) == [("一般",)]
    # The original stays in the file, superseded (磐医保〔2021〕43号 第十二条).
    record = bad_record(demo_db)[0]
    assert sql(demo_db, """SELECT count(*) FROM credit_records WHERE supersedes_id =
                           (SELECT id FROM credit_records WHERE uuid = ?)""", record) == [(1,)]


def test_repair_application_then_refusal_by_another_person(qtbot, runner, demo_db):
    page = cases_page(qtbot, runner, demo_db, "clerk")
    dialog = RepairDialog(runner, actor("clerk"), page)
    qtbot.addWidget(dialog)
    dialog.show()
    record = choose_subject(qtbot, dialog, demo_db)
    dialog.materials.insertPlainText("整改报告及培训证明")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.message("信用修复承诺") != "")  # required, checked before sending
    dialog.commitment.insertPlainText("今后严格遵守服务协议")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    repair = dialog.result_value
    assert repair.record == record and repair.state == "已受理"

    reviewer = cases_page(qtbot, runner, demo_db, "reviewer")
    reviewer.tabs.setCurrentWidget(reviewer.repairs)
    reviewer.repairs.table.selectRow(0)
    assert reviewer.refuse.isEnabled()
    assert reviewer.grant.isEnabled() == repair.eligible
    reviewer.refuse.click()
    decide = reviewer.dialog
    assert isinstance(decide, DecideRepairDialog) and decide.decision == "refuse"
    decide.reason.insertPlainText("整改材料不完整")
    qtbot.mouseClick(decide.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: decide.result_value is not None, timeout=10000)
    assert sql(demo_db, "SELECT state, decided_by FROM repairs WHERE uuid = ?", repair.uuid) == [("不予修复", "reviewer")]
    assert sql(demo_db, "SELECT type FROM notices WHERE case_uuid = ?", repair.uuid) == [("repair_refused",)]


def test_a_decision_refused_by_the_service_keeps_the_dialog_open_with_the_reason(qtbot, runner, demo_db):
    """A decision dated before the application is refused (the service checks the date) — nothing is written."""
    record, *_ = bad_record(demo_db)
    repair = repairs.apply(demo_db, actor=actor("clerk"), record=record, applied_on=date.today(), materials="整改报告",
                           commitment="承诺").value
    runner.db = demo_db
    from models.queries.case_lists import repair_row

    dialog = DecideRepairDialog(runner, actor("reviewer"), repair_row(demo_db, actor=actor("reviewer"), uuid=repair.uuid),
                                "refuse")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reason.insertPlainText("材料不全")
    dialog.day.clear()
    type_text(qtbot, dialog.day, "2020-01-01")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.errors.message("决定日期") != "", timeout=10000)
    assert "早于受理申请的日期" in dialog.errors.message("决定日期")
    assert sql(demo_db, "SELECT state FROM repairs WHERE uuid = ?", repair.uuid) == [("已受理",)]


@pytest.mark.parametrize("which", ["objections", "repairs"])
def test_case_list_models_pass_qtmodeltester(qtbot, qtmodeltester, runner, demo_db, which):
    file_objection(demo_db)
    record, *_ = bad_record(demo_db)
    repairs.apply(demo_db, actor=actor("clerk"), record=record, applied_on=date.today(), materials="整改报告",
                  commitment="承诺")
    page = cases_page(qtbot, runner, demo_db, "reviewer")
    model = getattr(page, which).model
    assert model.rowCount() == 1
    qtmodeltester.check(model)
