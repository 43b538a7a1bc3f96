"""年度评价 and inspection outcomes on the small demo county, through the real widgets: the yearly rating goes
draft → review → sign-off → publish with a different person at each step (磐医保〔2021〕43号 第十四、二十一条),
and an outcome recorded against a draw of institutions becomes a record of the institution."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models.services import inspections
from models.services.base import Actor
from tests.gui.boxes import press
from test_distribution import ADMIN, CLERK, REVIEWER, demo_copy, evaluated_template  # noqa: F401  (fixture)
from views.inspection_outcome import OutcomeDialog
from views.page_inspection import InspectionPage
from views.page_ratings import DraftDialog, PublishDialog, RatingsPage

SIGNER = Actor("sun", "孙签发", frozenset({"signer"}))


@pytest.fixture
def db(evaluated_template):
    db = demo_copy(evaluated_template)
    yield db
    db.dispose()


def visible(kind):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def ratings_page(qtbot, runner, db, actor) -> RatingsPage:
    runner.db = db
    page = RatingsPage(runner, actor)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    return page


def test_a_yearly_rating_passes_four_eyes_from_draft_to_publication_panan_14(qtbot, runner, db, monkeypatch, tmp_path):
    page = ratings_page(qtbot, runner, db, CLERK)
    qtbot.waitUntil(lambda: "尚无年度评价结果" in page.facts.text())
    qtbot.mouseClick(page.draft_button, Qt.MouseButton.LeftButton)
    (dialog,) = visible(DraftDialog)
    dialog.year.setValue(date.today().year)
    qtbot.keyClick(dialog.year, Qt.Key.Key_Return)  # Enter drafts
    qtbot.waitUntil(lambda: page.current is not None and page.lines.rowCount() > 0, timeout=20000)
    assert page.current.state == "草稿" and "请另一名审核员复核" in page.message.text()
    assert not page.step_button.isEnabled()  # the clerk who drafted cannot review
    assert {row[5] for row in page.lines.rows} <= {"优秀", "良好", "中等", "较差", "差", "无等级"}

    for actor, verb, state in ((REVIEWER, "复核", "已复核"), (SIGNER, "签发", "已签发")):
        other = ratings_page(qtbot, runner, db, actor)
        qtbot.waitUntil(lambda other=other: other.current is not None and other.step_button.isEnabled())
        qtbot.mouseClick(other.step_button, Qt.MouseButton.LeftButton)
        assert "不能撤回" in press(qtbot, verb)
        qtbot.waitUntil(lambda other=other, state=state: other.current.state == state)

    assert other.publish_button.isEnabled()
    qtbot.mouseClick(other.publish_button, Qt.MouseButton.LeftButton)
    (publish,) = visible(PublishDialog)
    qtbot.keyClick(publish.on, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: other.current.state == "已发布", timeout=20000)
    assert "有效期" in other.message.text() and "有效期" in other.facts.text()

    path = tmp_path / "rating.xlsx"
    monkeypatch.setattr("views.page_ratings.save_file_name", lambda *a: str(path))
    qtbot.mouseClick(other.xlsx_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已导出" in other.message.text(), timeout=20000)
    sheet = load_workbook(path).active
    assert "信用评价结果" in sheet["A1"].value and sheet["F2"].value == "信用等级"
    assert sheet.max_row == 2 + page.lines.rowCount()


def test_an_inspection_outcome_is_recorded_against_the_draw_and_reaches_the_file(qtbot, runner, db):
    for name, number in (("张建国", "37092120190001"), ("李明", "37092120190002")):
        inspections.add_inspector(db, actor=ADMIN, name=name, certificate_no=number, unit="基金监管科")
    drawn = inspections.draw(db, actor=REVIEWER, subject_type="institution", base_ratio="1", seed="7").value
    runner.db = db
    page = InspectionPage(runner, CLERK)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    qtbot.waitUntil(lambda: page.current is not None and page.current.number == drawn.number and bool(page.items.rows))
    assert not page.outcome_button.isEnabled()  # nothing selected yet
    assert "已登记 0/" in page.facts.text()
    page.item_table.selectRow(0)
    qtbot.mouseClick(page.outcome_button, Qt.MouseButton.LeftButton)
    (dialog,) = visible(OutcomeDialog)
    qtbot.waitUntil(lambda: dialog.kind.count() > 0)
    assert not dialog.kind.isEnabled()  # 合格 is not recorded in the file
    dialog.outcome.setFocus()
    qtbot.keyClick(dialog.outcome, Qt.Key.Key_Down)  # 不合格
    assert dialog.kind.isEnabled() and dialog.kind.currentData() == "inst_agreement_handling"
    qtbot.keyClicks(dialog.amount, "12.345")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.errors.message("金额")))  # refused under its field, nothing stored
    assert dialog.isVisible()
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "12.34")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "已记入其信用档案" in page.message.text(), timeout=20000)
    qtbot.waitUntil(lambda: "已登记 1/" in page.facts.text())
    page.item_table.selectRow(0)
    qtbot.mouseClick(page.outcome_button, Qt.MouseButton.LeftButton)
    assert "不能重复登记" in page.message.text() and not visible(OutcomeDialog)
