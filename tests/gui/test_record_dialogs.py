"""新增信用主体, 录入信用信息 and 更正, driven through the real dialogs.

A correction supersedes and never overwrites (鲁医保发〔2024〕25号: the original stays in the
file as 已被更正); refusals appear under the field the service names.
"""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from stdnum.cn import ric

from models.services import records
from tests.gui.boxes import press
from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    actor, demo_db, demo_template, practitioner_with_registration, sql, type_text, wait_loaded,
)
from points_path import confirmed_points
from views.file_window import FileWindow
from views.page_files import FilesPage
from views.record_dialog import CorrectDialog, RecordDialog
from views.subject_dialog import SubjectDialog

CASE_NO = "宁医保协〔2026〕901号"


def id_numbers() -> tuple[str, str]:
    """A valid GB 11643 number and the same number with a wrong check digit."""
    body = "37092119850615702"
    good = body + ric.calc_check_digit(body + "0")
    wrong = body + ("1" if good[-1] != "1" else "2")
    return good, wrong


def file_window(qtbot, runner, db, username: str, subject: str) -> FileWindow:
    runner.db = db
    window = FileWindow(runner, actor(username), subject)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None)
    return window


def loaded(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: dialog.kind.count() > 0 and dialog.save.isEnabled())


def select_record(window: FileWindow, uuid: str) -> None:
    table = window.table("records")
    row = next(n for n, r in enumerate(table.model().rows) if r["uuid"] == uuid)
    table.setCurrentIndex(table.model().index(row, 0))


def test_a_clerk_adds_an_insured_person_a_wrong_check_digit_is_refused_under_the_id_field(qtbot, runner, demo_db):
    """GB 11643 check digit: refused inline under 身份证号, nothing stored; the corrected number is saved."""
    good, wrong = id_numbers()
    runner.db = demo_db
    page = FilesPage(runner, actor("clerk"))
    qtbot.addWidget(page)
    page.show()
    wait_loaded(qtbot, page.model)
    assert page.add_subject.isEnabled()
    page.add_subject.click()
    dialog = page.dialog
    assert isinstance(dialog, SubjectDialog)
    dialog.set_type("insured")
    assert dialog.insured.isVisibleTo(dialog) and dialog.person.isVisibleTo(dialog)
    assert not dialog.institution.isVisibleTo(dialog) and not dialog.practitioner.isVisibleTo(dialog)
    dialog.activateWindow()
    dialog.name.setFocus()
    type_text(qtbot, dialog.name, "柳青测")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # Enter moves on to the next field
    assert dialog.focusWidget() is dialog.id_number
    qtbot.keyClicks(dialog.id_number, wrong)
    dialog.insurance_type.setCurrentText("居民")
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.errors.message("身份证号") != "")
    assert dialog.errors.message("身份证号").startswith("身份证号：")
    assert "校验位" in dialog.errors.message("身份证号")
    assert dialog.isVisible() and dialog.result_info is None
    assert sql(demo_db, "SELECT count(*) FROM subjects WHERE name = '柳青测'")[0][0] == 0

    dialog.id_number.setText(good)
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.result_info is not None)
    assert not dialog.isVisible()
    assert sql(demo_db, "SELECT type, id_number, insurance_type FROM subjects WHERE name = '柳青测'") == [
        ("insured", good, "居民")]
    qtbot.waitUntil(lambda: "柳青测" in [r.name for r in page.model.rows])
    row = next(r for r in page.model.rows if r.name == "柳青测")
    page.open_file(row)
    window = page.windows[row.uuid]
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None)
    assert window.name.text() == "柳青测"


def test_a_practitioner_needs_an_institution_picked_by_credit_code(qtbot, runner, demo_db):
    """济医保发〔2025〕6号 四(三): a practitioner is registered at one or more institutions."""
    target = practitioner_with_registration(demo_db)
    good, _wrong = id_numbers()
    runner.db = demo_db
    dialog = SubjectDialog(runner, actor("clerk"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_type("practitioner")
    assert dialog.practitioner.isVisibleTo(dialog) and not dialog.insured.isVisibleTo(dialog)
    dialog.name.setText("柳医师")
    dialog.id_number.setText(good)
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.errors.message("执业机构") != "")
    qtbot.keyClicks(dialog.institutions, target["credit_code"].lower())
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.result_info is not None)
    assert sql(demo_db, """SELECT i.credit_code FROM registrations r JOIN subjects p ON p.id = r.practitioner_id
                           JOIN subjects i ON i.id = r.institution_id WHERE p.uuid = ?""",
               dialog.result_info.uuid) == [(target["credit_code"],)]


def test_a_clerk_enters_a_bad_record_for_a_practitioner_with_an_attachment(qtbot, runner, demo_db, tmp_path):
    """Points kinds are not offered (they come through a confirmed finding); a bad record needs its case number."""
    target = practitioner_with_registration(demo_db)
    window = file_window(qtbot, runner, demo_db, "clerk", target["uuid"])
    window.show_tab("信用信息")
    assert window.add_record.isEnabled()
    window.add_record.click()
    dialog = window.dialog
    assert isinstance(dialog, RecordDialog)
    loaded(qtbot, dialog)
    kinds = [dialog.kind.itemData(n) for n in range(dialog.kind.count())]
    assert "refuse_penalty" in kinds and "credit_commitment" in kinds  # bad and good
    assert "insured_illegal_use" not in kinds and "inst_admin_penalty" not in kinds  # other subject types
    assert "pq_agreement_minor" not in kinds and "违规认定" in dialog.intro.text()  # 济医保发〔2025〕6号 四（五）（六）
    dialog.kind.setCurrentIndex(dialog.kind.findData("refuse_penalty"))
    assert not dialog.form.isRowVisible(dialog.responsibility) and not dialog.form.isRowVisible(dialog.amount)
    huge = tmp_path / "整卷扫描.pdf"
    with huge.open("wb") as f:
        f.truncate(60 * 2**20)  # over the 50 MB an attachment may have: refused by its size, not added
    dialog.add_file(str(huge))
    said = press(qtbot, "确定")
    assert "附件：文件 整卷扫描.pdf 有 60 MB，超过 50 MB 的上限" in said and dialog.files == []
    scan = tmp_path / "处理决定书.pdf"
    scan.write_bytes(b"%PDF-1.4 decision")
    dialog.add_file(str(scan))
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.errors.message("案件编号") != "")
    assert "案件编号" in dialog.errors.message("案件编号")
    type_text(qtbot, dialog.case_no, CASE_NO)
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.result_info is not None)
    qtbot.waitUntil(lambda: CASE_NO in [r["case_no"] for r in window.table("records").model().rows])
    assert sql(demo_db, """SELECT r.kind, r.responsibility, r.entered_by, a.filename FROM credit_records r
                           JOIN attachments a ON a.record_id = r.id WHERE r.case_no = ?""", CASE_NO) == [
        ("refuse_penalty", None, "clerk", "处理决定书.pdf")]


def test_a_reviewer_corrects_a_record_and_the_original_stays_as_superseded(qtbot, runner, demo_db):
    target = practitioner_with_registration(demo_db)
    original = confirmed_points(demo_db, actor("clerk"), target["uuid"], "pq_agreement_minor", date.today(), "主要",
                                CASE_NO)
    window = file_window(qtbot, runner, demo_db, "reviewer", target["uuid"])
    window.show_tab("信用信息")
    assert not window.add_record.isEnabled() and "录入员" in window.add_record.toolTip()
    assert not window.correct.isEnabled()  # nothing selected yet
    select_record(window, original.uuid)
    assert window.correct.isEnabled()
    window.correct.click()
    dialog = window.dialog
    assert isinstance(dialog, CorrectDialog)
    loaded(qtbot, dialog)
    # The current values are shown to change.
    assert dialog.kind.currentData() == "pq_agreement_minor"
    assert dialog.responsibility.currentText() == "主要" and dialog.case_no.text() == CASE_NO
    assert dialog.source.currentData() == "supervision"
    dialog.save.click()
    assert "没有修改" in dialog.errors.message(None)
    dialog.responsibility.setCurrentText("一般")
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.errors.message("更正原因") != "")
    assert dialog.result_info is None
    type_text(qtbot, dialog.reason, "复核发现责任程度认定有误")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter on the last field saves
    qtbot.waitUntil(lambda: dialog.result_info is not None)
    qtbot.waitUntil(lambda: len([r for r in window.table("records").model().rows if r["case_no"] == CASE_NO]) == 2)
    rows = {r["uuid"]: r for r in window.table("records").model().rows}
    assert rows[original.uuid]["status"] == "已被更正"
    new = rows[dialog.result_info.uuid]
    assert new["status"] == "有效" and new["supersedes"] == original.uuid and new["responsibility"] == "一般"
    assert new["correction_reason"] == "复核发现责任程度认定有误"
    model = window.table("records").model()
    old_row = list(rows).index(original.uuid)
    assert model.data(model.index(old_row, 7)) == "已被更正"
    # The original is unchanged in the database; it cannot be corrected a second time.
    assert sql(demo_db, "SELECT responsibility FROM credit_records WHERE uuid = ?", original.uuid) == [("主要",)]
    select_record(window, original.uuid)
    assert not window.correct.isEnabled()
    select_record(window, new["uuid"])
    assert window.correct.isEnabled()


@pytest.mark.parametrize("username", ["signer", "reviewer"])
def test_roles_without_permission_see_the_buttons_disabled_with_the_roles_needed(qtbot, runner, demo_db, username):
    """subject.write: 录入员/管理员; record.write: 录入员; record.correct: 录入员/审核员."""
    runner.db = demo_db
    page = FilesPage(runner, actor(username))
    qtbot.addWidget(page)
    assert not page.add_subject.isEnabled()
    assert "需要角色：录入员、管理员" in page.add_subject.toolTip()
    target = practitioner_with_registration(demo_db)
    record = records.add_record(demo_db, actor=actor("clerk"), data={
        "subject": target["uuid"], "kind": "credit_commitment", "decision_date": date.today().isoformat()}).value
    window = file_window(qtbot, runner, demo_db, username, target["uuid"])
    window.show_tab("信用信息")
    select_record(window, record.uuid)
    assert not window.add_record.isEnabled() and "需要角色：录入员" in window.add_record.toolTip()
    assert window.correct.isEnabled() == (username == "reviewer")
    if username == "signer":
        assert "需要角色：录入员、审核员" in window.correct.toolTip()


def test_esc_on_a_filled_form_asks_before_discarding_and_saves_nothing(qtbot, runner, demo_db):
    """Issue 13: Esc on a filled form asks first; 取消 keeps what was typed, 放弃填写 closes unsaved."""
    from tests.gui.boxes import message_box

    runner.db = demo_db
    dialog = SubjectDialog(runner, actor("clerk"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Wang")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    box = message_box(qtbot)
    assert "尚未保存" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # the default is to keep filling in
    qtbot.waitUntil(lambda: not box.isVisible())
    assert dialog.isVisible() and dialog.name.text() == "Wang"
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    press(qtbot, "放弃填写")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result_info is None
    assert sql(demo_db, "SELECT count(*) FROM subjects WHERE name = 'Wang'")[0][0] == 0


def test_esc_on_an_untouched_form_closes_at_once(qtbot, runner, demo_db):
    runner.db = demo_db
    dialog = SubjectDialog(runner, actor("clerk"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result_info is None
