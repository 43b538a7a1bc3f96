"""抽查 on the small demo county, driven through the real widgets: a draw with a given seed
reproduces (鲁政办 2019 意见 二（一）: the result must be re-derivable and publishable), bad input is
shown under its field and stores nothing, roles decide who draws and who keeps the roster."""
from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QFileDialog

from models.services import inspections
from tests.gui.boxes import press
from test_distribution import ADMIN, CLERK, REVIEWER, demo_copy, evaluated_template  # noqa: F401  (fixture)
from views.inspection_draw_dialog import DrawDialog
from views.page_inspection import InspectionPage

ROSTER = (("张建国", "37092120190001"), ("李明", "37092120190002"), ("王芳", "37092120190003"))


@pytest.fixture
def db(evaluated_template):
    db = demo_copy(evaluated_template)
    for name, number in ROSTER:
        inspections.add_inspector(db, actor=ADMIN, name=name, certificate_no=number, unit="基金监管科")
    yield db
    db.dispose()


def make_page(qtbot, runner, db, actor):
    runner.db = db
    page = InspectionPage(runner, actor)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    return page


@pytest.fixture
def page(qtbot, runner, db):
    return make_page(qtbot, runner, db, REVIEWER)


def visible(kind):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def draw_through_the_dialog(qtbot, page, seed: str, ratio: str = "50%") -> str:
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    (dialog,) = visible(DrawDialog)
    qtbot.waitUntil(lambda: dialog.inspectors.count() == len(ROSTER) and dialog.institutions.count() > 0)
    dialog.ratio.selectAll()
    qtbot.keyClicks(dialog.ratio, ratio)
    qtbot.keyClicks(dialog.seed, seed)
    qtbot.keyClick(dialog.seed, Qt.Key.Key_Return)  # Enter draws, once confirmed
    prompt = press(qtbot, "抽取")
    assert f"按种子 {seed}" in prompt and "不能更改或重新抽取" in prompt
    qtbot.waitUntil(lambda: dialog.drawn is not None, timeout=10000)
    number = dialog.drawn.number
    assert f"已抽取并登记 {number}" in press(qtbot, "确定")
    qtbot.waitUntil(lambda: page.current is not None and page.current.number == number, timeout=10000)
    qtbot.waitUntil(lambda: page.items.total == page.current.selected and len(page.items.rows) == page.current.selected)
    return number


def selection(page):
    return [(row[-1], row[6]) for row in page.items.rows]


def test_a_draw_with_a_given_seed_reproduces(qtbot, page):
    first = draw_through_the_dialog(qtbot, page, "20261122")
    chosen = selection(page)
    assert chosen and all(len(certs.split("、")) == 2 for _uuid, certs in chosen)
    assert "20261122" in page.facts.text() and first in page.heading.text()
    second = draw_through_the_dialog(qtbot, page, "20261122")
    assert second != first and selection(page) == chosen
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "一致" in page.message.text())
    assert page.draws.rowCount() == 2


def test_a_bad_ratio_is_shown_under_its_field_and_nothing_is_drawn(qtbot, page, db):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    (dialog,) = visible(DrawDialog)
    dialog.ratio.selectAll()
    qtbot.keyClicks(dialog.ratio, "0.1x")
    qtbot.waitUntil(lambda: "不是有效比例" in dialog.preview.text())  # the preview already says so
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    press(qtbot, "抽取")
    qtbot.waitUntil(lambda: bool(dialog.errors.message("基础抽查比例")))
    assert "应写作 0.1 或 10%" in dialog.errors.message("基础抽查比例")
    assert dialog.isVisible() and dialog.focusWidget() is dialog.ratio  # back in the refused field
    for n in range(dialog.inspectors.count()):
        dialog.inspectors.item(n).setCheckState(Qt.CheckState.Unchecked)
    dialog.ratio.setText("10%")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    press(qtbot, "抽取")
    qtbot.waitUntil(lambda: bool(dialog.errors.message("执法检查人员")))
    assert "不得少于两人" in dialog.errors.message("执法检查人员")
    assert inspections.list_draws(db) == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not visible(DrawDialog)


def test_the_preview_shows_the_population_and_each_grades_probability(qtbot, page, db):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    (dialog,) = visible(DrawDialog)
    expected = inspections.preview(db, subject_type="practitioner", base_ratio="10%")
    qtbot.waitUntil(lambda: f"候选 {expected.population} 个" in dialog.preview.text())
    assert "优秀" in dialog.preview.text() and "3%" in dialog.preview.text()  # 30 % of 10 % (第十八条)
    dialog.subject_type.setCurrentIndex(dialog.subject_type.findData("insured"))
    assert not dialog.institution_box.isEnabled()
    dialog.reject()


def test_a_clerk_cannot_draw_or_keep_the_roster_and_is_told_which_role_can(qtbot, runner, db):
    page = make_page(qtbot, runner, db, CLERK)
    assert not page.new_button.isEnabled()
    assert "需要角色：审核员、签发人" in page.new_button.toolTip()
    qtbot.waitUntil(lambda: "尚无抽查记录" in page.facts.text())
    assert "需要角色：审核员、签发人" in page.facts.text()
    dialog = page.open_roster()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == len(ROSTER))
    assert not dialog.add_box.isEnabled() and "签发人、管理员" in dialog.role_note.text()
    dialog.reject()


def test_the_roster_adds_an_officer_and_stops_sending_one(qtbot, runner, db, monkeypatch):
    page = make_page(qtbot, runner, db, ADMIN)
    dialog = page.open_roster()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == len(ROSTER))
    dialog.name.setText("赵六")  # QTest types ASCII only
    qtbot.keyClicks(dialog.certificate, "37092120190004")
    qtbot.keyClick(dialog.certificate, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 4)
    dialog.name.setText("重复")
    qtbot.keyClicks(dialog.certificate, "37092120190004")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已在名录中" in dialog.errors.message("执法证号"))
    dialog.table.selectRow(0)
    monkeypatch.setattr("views.inspection_roster.QInputDialog.getText", lambda *a, **k: ("调离本局", True))
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [i.active for i in dialog.model.rows].count(False) == 1)
    assert [i.name for i in inspections.list_inspectors(db, active_only=True)] == ["李明", "王芳", "赵六"]
    dialog.reject()


def test_tables_pass_the_model_tester(qtbot, qtmodeltester, page):
    draw_through_the_dialog(qtbot, page, "7", ratio="100%")
    qtmodeltester.check(page.draws)
    qtmodeltester.check(page.items)
    roster = page.open_roster()
    qtbot.waitUntil(lambda: roster.model.rowCount() == len(ROSTER))
    qtmodeltester.check(roster.model)
    roster.reject()


def test_result_exported_to_excel_and_a_pdf_for_publication(qtbot, page, tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    draw_through_the_dialog(qtbot, page, "11", ratio="100%")
    xlsx, pdf = tmp_path / "draw.xlsx", tmp_path / "draw.pdf"
    answers = iter([str(xlsx), str(pdf)])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(answers), ""))
    page.xlsx_button.click()
    qtbot.waitUntil(lambda: "已导出" in page.message.text(), timeout=10000)
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 2 + page.current.selected and "随机种子 11" in sheet[0][0]
    assert all(len(row[2]) == 18 for row in sheet[2:])  # a reviewer sees whole ID numbers, kept as text
    page.pdf_button.click()
    qtbot.waitUntil(lambda: "已导出PDF" in page.message.text(), timeout=10000)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "抽查结果" in text and "随机种子" in text and page.current.candidates_sha256 in text
    first_id = sheet[2][2]
    assert first_id not in text and first_id[:4] + "**********" + first_id[-4:] in text  # hidden for publication


def test_print_opens_a_preview_of_the_result(qtbot, page):
    draw_through_the_dialog(qtbot, page, "3")
    page.print_button.click()
    qtbot.waitUntil(lambda: bool(visible(QPrintPreviewDialog)), timeout=10000)
    (preview,) = visible(QPrintPreviewDialog)
    assert "抽查结果" in preview.document.toPlainText() and page.current.number in preview.document.toPlainText()
    preview.reject()
