"""信用档案: search the county's subjects, open a file, export the list; the table models pass qtmodeltester."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.gui.boxes import message_box, press
from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    PASSWORD, actor, demo_db, demo_template, practitioner_with_registration, sql, type_text, wait_loaded,
)
from views.page_files import FilesPage
from views.subject_table import export_subjects


@pytest.fixture
def page(qtbot, runner, demo_db):
    runner.db = demo_db
    page = FilesPage(runner, actor("clerk"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    wait_loaded(qtbot, page.model)
    return page


def search(qtbot, page, text: str) -> None:
    page.search.clear()
    type_text(qtbot, page.search, text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.query.text == text)
    wait_loaded(qtbot, page.model)


def test_signed_in_clerk_finds_a_practitioner_by_pinyin_initials_and_opens_the_file(qtbot, runner, demo_db):
    """The everyday path: sign in, type 拼音首字母, Enter on the row, read the file with grade and points."""
    from desktop.mainwindow import MainWindow
    from views.login import LoginDialog

    runner.db = demo_db
    login = LoginDialog(runner, "宁阳县", "clerk")
    qtbot.addWidget(login)
    login.show()
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.actor is not None)
    window = MainWindow(runner, login.actor, "宁阳县", "t", None)
    qtbot.addWidget(window)
    window.show()
    window.show_section("信用档案")
    page = window.pages.currentWidget()
    wait_loaded(qtbot, page.model)

    target = practitioner_with_registration(demo_db)
    search(qtbot, page, target["initials"])
    names = [r.name for r in page.model.rows]
    assert target["name"] in names
    assert all(r.type == "practitioner" or r.name for r in page.model.rows)
    assert page.model.total == sql(demo_db, "SELECT count(*) FROM subjects WHERE initials LIKE ?",
                                   target["initials"] + "%")[0][0]
    row = names.index(target["name"])
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    window_of_file = page.windows[page.model.rows[row].uuid]
    qtbot.addWidget(window_of_file)
    qtbot.waitUntil(lambda: window_of_file.data is not None)
    assert window_of_file.name.text() == target["name"]
    assert window_of_file.summary["grade"].text() == f"信用等级：{target['grade']}"
    # 磐医保〔2021〕43号 第十五条 (参照) is the basis of the grade; hovering says so.
    assert "第十五条" in window_of_file.summary["grade"].toolTip()
    assert window_of_file.table("registrations").model().rowCount() >= 1
    qtbot.keyClick(window_of_file, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: target["uuid"] not in page.windows)


def test_id_numbers_are_masked_for_a_clerk_and_shown_to_a_reviewer(qtbot, runner, demo_db, page):
    target = practitioner_with_registration(demo_db)
    search(qtbot, page, target["id_number"])
    # One person may be both practitioner and insured: two subjects with one ID number.
    assert {r.name for r in page.model.rows} == {target["name"]}
    assert "practitioner" in {r.type for r in page.model.rows}
    shown = page.model.data(page.model.index(0, 2))
    assert shown == target["id_number"][:4] + "*" * 10 + target["id_number"][-4:]
    assert "审核员" in page.model.data(page.model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    reviewer = FilesPage(runner, actor("reviewer"))
    qtbot.addWidget(reviewer)
    reviewer.show()
    search(qtbot, reviewer, target["id_number"][:14])
    assert target["id_number"] in [r.number for r in reviewer.model.rows]


def test_name_contains_and_credit_code_prefix(qtbot, demo_db, page):
    name = sql(demo_db, "SELECT name FROM subjects WHERE type = 'insured' AND length(name) = 3 LIMIT 1")[0][0]
    search(qtbot, page, name[1:])
    assert name in [r.name for r in page.model.rows]
    assert all(name[1:] in r.name for r in page.model.rows)
    code, inst = sql(demo_db, "SELECT credit_code, name FROM subjects WHERE type = 'institution' LIMIT 1")[0]
    search(qtbot, page, code[:12].lower())
    assert inst in [r.name for r in page.model.rows]


def test_type_and_grade_filters_are_queries(qtbot, demo_db, page):
    page.type.setCurrentIndex(page.type.findData("practitioner"))
    page.grade.setCurrentIndex(page.grade.findData("优秀"))
    wait_loaded(qtbot, page.model)
    expected = sql(demo_db, """SELECT count(*) FROM subjects s JOIN subject_standing st ON st.subject_id = s.id
                               WHERE s.type = 'practitioner' AND st.grade = '优秀'""")[0][0]
    assert expected > 0 and page.model.total == expected
    assert {(r.type, r.grade) for r in page.model.rows} == {("practitioner", "优秀")}
    assert "共 " in page.count.text()


def test_sorting_by_score_orders_on_the_server_and_pages_do_not_overlap(qtbot, demo_db, page):
    page.model.page_size = 50  # several pages from a small county
    page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # 信用分
    wait_loaded(qtbot, page.model)
    while page.model.canFetchMore():
        page.model.fetchMore()
        wait_loaded(qtbot, page.model)
    rows = page.model.rows
    assert len(rows) == page.model.total == sql(demo_db, "SELECT count(*) FROM subjects")[0][0]
    assert len({r.uuid for r in rows}) == len(rows)
    scores = [r.score for r in rows if r.score is not None]
    assert scores == sorted(scores, reverse=True) and scores[0] == max(scores)
    assert all(r.score is None for r in rows[len(scores):])  # not evaluated: last, either way


def test_subject_list_model_passes_qtmodeltester(qtbot, qtmodeltester, page):
    page.model.page_size = 40
    page.model.reload()
    wait_loaded(qtbot, page.model)
    qtmodeltester.check(page.model)
    # Scroll to the end, a page at a time, with the tester watching every insertion.
    wait_loaded(qtbot, page.model)
    while page.model.canFetchMore():
        page.model.fetchMore()
        wait_loaded(qtbot, page.model)
    assert len(page.model.rows) == page.model.total
    assert len({r.uuid for r in page.model.rows}) == page.model.total
    qtmodeltester.check(page.model)


def test_export_writes_the_current_list_with_id_numbers_as_text(qtbot, demo_db, page, tmp_path):
    from python_calamine import CalamineWorkbook

    page.type.setCurrentIndex(page.type.findData("insured"))
    wait_loaded(qtbot, page.model)
    path = tmp_path / "list.xlsx"
    done = []
    page.runner.service(export_subjects, actor=page.actor, q=page.model.current_query(), columns=page.visible_columns(),
                        path=str(path), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    insured = sql(demo_db, "SELECT count(*) FROM subjects WHERE type = 'insured'")[0][0]
    assert done == [insured]
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[1][:3] == ["名称/姓名", "类型", "证件号码"]
    assert len(sheet) == insured + 2  # title and header rows
    numbers = [r[2] for r in sheet[2:]]
    assert all(isinstance(n, str) and len(n) == 18 and "*" in n for n in numbers)  # masked for a clerk, as text


def test_a_cancelled_export_leaves_no_file(qtbot, runner, demo_db, page, tmp_path):
    """Long work can be stopped (取消); a half-written workbook is not left behind."""
    import sqlite3
    import uuid

    with sqlite3.connect(demo_db.sqlite_file) as con:  # enough rows for the writer to report progress
        con.executemany(
            "INSERT INTO subjects (uuid, type, name, initials, id_number, created_at, updated_at, sync_pending) "
            "VALUES (?, 'insured', ?, 'cs', ?, '2026-01-01', '2026-01-01', 1)",
            [(str(uuid.uuid4()), f"测试{n}", f"370921199001{n:06d}") for n in range(4500)])
    path = tmp_path / "cancelled.xlsx"
    task = page.start_export(str(path))
    runner.cancel(task)  # what 取消 in the progress dialog does
    qtbot.waitUntil(lambda: "取消" in page.count.text(), timeout=30000)
    assert page.count.text() == "已取消导出，未保存文件"
    assert not path.exists()


def test_chosen_columns_and_widths_are_remembered(qtbot, runner, demo_db, page):
    page.table.setColumnHidden(1, True)
    page.table.setColumnWidth(0, 234)
    page.table.save_columns()
    assert QSettings().value("tables/subjects/header") is not None
    again = FilesPage(runner, actor("clerk"))
    qtbot.addWidget(again)
    assert again.table.isColumnHidden(1)
    assert again.table.columnWidth(0) == 234
    again.table.setColumnHidden(1, False)
    again.table.save_columns()


def test_file_window_shows_a_corrected_record_as_superseded_with_its_basis(qtbot, runner, demo_db):
    """Panan 第十二条: a correction is a new record; the old one stays, shown as 已被更正."""
    from models.services import records
    from views.file_window import FileWindow

    old = sql(demo_db, """SELECT r.uuid, s.uuid FROM credit_records r JOIN subjects s ON s.id = r.subject_id
                          WHERE r.good = 0 AND r.responsibility = '一般' LIMIT 1""")[0]
    records.correct_record(demo_db, actor=actor("reviewer"), record=old[0], data={"responsibility": "重要"},
                           reason="复核发现责任程度认定有误")
    runner.db = demo_db
    window = FileWindow(runner, actor("reviewer"), old[1])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None)
    table = window.table("records")
    model = table.model()
    rows = {r["uuid"]: n for n, r in enumerate(model.rows)}
    superseded = model.index(rows[old[0]], 0)
    assert model.data(model.index(rows[old[0]], 7)) == "已被更正"
    assert model.data(superseded, Qt.ItemDataRole.FontRole).strikeOut()
    assert model.data(superseded, Qt.ItemDataRole.ToolTipRole).startswith("依据：")
    table.setCurrentIndex(superseded)
    assert "已被记录更正" in window.detail.toPlainText() and "依据" in window.detail.toPlainText()
    assert window.table("evaluations").model().rowCount() >= 1


def test_a_reviewer_chooses_the_suspension_period_inside_the_range_from_the_file(qtbot, runner, demo_db):
    """累计9分以上、不满12分: 暂停 1—6 months at the handler's choice, with the reason; refused outside the range."""
    from tests.gui.test_files_support import nine_points
    from views.case_forms import ChooseMeasureDialog
    from views.file_window import FileWindow

    target = nine_points(demo_db, case_no="宁医保罚〔2026〕950号")
    runner.db = demo_db
    window = FileWindow(runner, actor("reviewer"), target["uuid"])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.data is not None)
    assert not window.choose.isEnabled()
    window.show_tab("措施与名单")
    measures = window.table("measures")
    row = next(n for n, m in enumerate(measures.model().rows) if m["status"] == "pending_choice")
    measures.setCurrentIndex(measures.model().index(row, 0))
    assert window.choose.isEnabled()
    window.choose.click()
    dialog = window.dialog
    assert isinstance(dialog, ChooseMeasureDialog) and "1以上、6以下" in dialog.intro.text()
    dialog.months.setValue(7)
    dialog.reason.insertPlainText("情节严重")
    dialog.ok.click()
    press(qtbot, "确定期限")
    qtbot.waitUntil(lambda: dialog.errors.message("处理期限") != "", timeout=10000)
    assert "不在允许的幅度内" in dialog.errors.message("处理期限")
    dialog.months.setValue(3)
    dialog.ok.click()
    prompt = message_box(qtbot)  # says what will happen before it does (issue 13)
    assert "暂停医保支付资格”3个月" in prompt.text()
    press(qtbot, "确定期限")
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert message_box(qtbot).text().startswith("已确定")
    qtbot.waitUntil(lambda: any(m["state"] == "生效" for m in window.data["measure_history"]), timeout=10000)
    assert [(m["kind"], m["months"]) for m in window.data["measure_history"]] == [("suspend_payment_qualification", 3)]
    assert {r["status"] for r in window.data["registrations"]} == {"暂停"}  # 状态联动 at every institution


def test_a_clerk_cannot_choose_a_period(qtbot, runner, demo_db):
    from views.file_window import FileWindow

    runner.db = demo_db
    window = FileWindow(runner, actor("clerk"), practitioner_with_registration(demo_db)["uuid"])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None)
    assert not window.choose.isEnabled() and window.choose.toolTip().startswith("需要角色：审核员、签发人")


def test_every_table_of_the_file_window_passes_qtmodeltester(qtbot, qtmodeltester, runner, demo_db):
    from views.file_window import FileWindow

    runner.db = demo_db
    subject = sql(demo_db, """SELECT s.uuid FROM subjects s JOIN credit_records r ON r.subject_id = s.id
                              WHERE s.type = 'practitioner' GROUP BY s.uuid ORDER BY count(*) DESC LIMIT 1""")[0][0]
    window = FileWindow(runner, actor("reviewer"), subject)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None)
    assert window.table("records").model().rowCount() >= 1
    for _spec, table in window.tables:
        qtmodeltester.check(table.model())
