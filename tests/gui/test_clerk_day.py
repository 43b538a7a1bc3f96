"""A clerk's day in the window (issue 13): documents drafted from the credit file without typing any
identifier, a confirmation that says what will happen, and a result the user can see."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.boxes import message_box
from tests.gui.test_files_support import actor, demo_db, demo_template, sql  # noqa: F401  (fixtures)
from views.file_window import FileWindow


def practitioner_with_points(db) -> tuple[str, str]:
    """(uuid, name) of a practitioner with points this year, read straight from the file."""
    uuid, name = sql(db, """SELECT s.uuid, s.name FROM subjects s JOIN subject_standing st ON st.subject_id = s.id
                            WHERE s.type = 'practitioner' AND st.points_total > 0 ORDER BY s.id LIMIT 1""")[0]
    return uuid, name


@pytest.fixture
def file_window(qtbot, runner, demo_db):
    runner.db = demo_db
    uuid, name = practitioner_with_points(demo_db)
    window = FileWindow(runner, actor("clerk"), uuid)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None and window.draft.isEnabled(), timeout=20_000)
    return window


def test_a_points_notice_is_drafted_from_the_credit_file_without_typing_an_identifier(qtbot, file_window, demo_db):
    """济医保发〔2025〕6号 四（五）: the practitioner is told of the points; the clerk picks the case by its number."""
    from models.services import notices
    from models.services.base import Actor

    # A notice states the remedy and who to call: a draft is refused until the bureau has set them.
    notices.set_settings(demo_db, actor=Actor("admin", "管理员", frozenset({"admin"})), changes={
        "appeal_days": 15, "phone": "0538-5621234", "address": "宁阳县医疗保障局信用管理科"}, reason="局务会议决定")
    window = file_window
    records = window.table("records")
    points_record = next(e["record"] for e in window.data["points"]["entries"] if e.get("record"))
    case_no = next(r["case_no"] for r in window.data["records"] if r["uuid"] == points_record)
    row = next(i for i, r in enumerate(records.model().rows) if r["uuid"] == points_record)
    records.selectRow(row)
    qtbot.mouseClick(window.draft, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    qtbot.waitUntil(dialog.isVisible)
    shown = [dialog.document.itemText(i) for i in range(dialog.document.count())]
    assert dialog.document.currentText().startswith("记分告知书")  # offered by what the record is
    assert case_no in dialog.document.currentText()
    assert not any(points_record in text for text in shown)  # no UUID on the screen
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert "已起草" in box.text()
    drafted = sql(demo_db, "SELECT type, state FROM notices WHERE case_uuid = ?", f"points_notice:{points_record}")
    assert drafted == [("points_notice", "draft")]
    box.accept()


def test_a_clerk_who_sees_masked_numbers_finds_a_person_by_the_last_four_digits(qtbot, runner, demo_db):
    from tests.gui.test_files_support import type_text, wait_loaded
    from views.page_files import FilesPage

    name, number = sql(demo_db, "SELECT name, id_number FROM subjects WHERE type = 'insured' ORDER BY id LIMIT 1")[0]
    runner.db = demo_db
    page = FilesPage(runner, actor("clerk"))
    qtbot.addWidget(page)
    page.show()
    wait_loaded(qtbot, page.model)
    type_text(qtbot, page.search, number[-4:])
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.query.text == number[-4:])
    wait_loaded(qtbot, page.model)
    found = [r for r in page.model.rows if r.name == name]
    assert found and found[0].number.endswith(number[-4:]) and "*" in found[0].number


def test_names_sort_by_pinyin_not_by_code_point(qtbot, runner, demo_db):
    """陈 (chén) comes before 李 (lǐ) and 张 (zhāng), although 张 < 李 < 陈 by code point."""
    from tests.gui.test_files_support import wait_loaded
    from views.page_files import FilesPage

    runner.db = demo_db
    page = FilesPage(runner, actor("clerk"))
    qtbot.addWidget(page)
    page.show()
    wait_loaded(qtbot, page.model)
    surnames = [r.name[0] for r in page.model.rows if r.name[0] in "陈李张"]
    assert surnames and surnames == sorted(surnames, key="陈李张".index)


def test_the_credit_file_names_records_by_case_number_never_by_uuid(qtbot, file_window):
    """Issue 13: no screen shows a UUID; the engine's explanations name records, the file shows case numbers."""
    window = file_window
    shown = window.explanations.toPlainText()
    for record in window.data["records"]:
        assert record["uuid"] not in shown
    assert "案件" in shown
    records = window.table("records")
    records.selectRow(0)
    assert not any(r["uuid"] in window.detail.toPlainText() for r in window.data["records"])
