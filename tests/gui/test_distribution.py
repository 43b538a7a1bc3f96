"""等级分布 on the small demo county: a click on a bar lists exactly those subjects, the county-wide
evaluation runs from the page and the chart is redrawn, exports are real files."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlalchemy import text

from models.services.base import Actor
from views.chart_subjects import SubjectListDialog
from views.page_distribution import DistributionPage

# Signed-in users as the services see them; the other GUI tests of these screens import them too.
ADMIN = Actor("admin", "系统管理员", frozenset({"admin"}))
CLERK = Actor("li", "李录入", frozenset({"clerk"}))
REVIEWER = Actor("zhang", "张审核", frozenset({"reviewer"}))


def _template(tmp_path_factory, evaluated: bool):
    """The small demo county (shandong profile), made once per session and copied for each test."""
    from models.db.database import open_database
    from models.services import demo, standing
    from models.services.county import initialise

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = open_database(str(path))
    initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin", admin_password="abc12345")
    demo.fill_demo(db, actor=ADMIN, scale="small", seed=1)
    if evaluated:
        standing.evaluate_all(db, actor=ADMIN)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory):
    return _template(tmp_path_factory, evaluated=False)


@pytest.fixture(scope="session")
def evaluated_template(tmp_path_factory):
    return _template(tmp_path_factory, evaluated=True)


def demo_copy(template):
    from models.db.database import open_database
    from models.db.migrate import backup_sqlite

    copy = template.parent / f"copy-{next(_copies)}.sqlite3"
    return open_database(str(backup_sqlite(template, copy)))


_copies = iter(range(1, 1_000_000))


@pytest.fixture
def page(qtbot, runner, evaluated_template):
    runner.db = demo_copy(evaluated_template)
    page = DistributionPage(runner, ADMIN)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    qtbot.waitUntil(lambda: page.distribution is not None, timeout=10000)
    yield page
    runner.db.dispose()


def choose(qtbot, page, dimension: str, subject_type: str | None = None):
    if subject_type:
        page.subject_type.setCurrentIndex(page.subject_type.findData(subject_type))
    page.dimension.setCurrentIndex(page.dimension.findData(dimension))
    qtbot.waitUntil(lambda: page.distribution.dimension == dimension and
                    (subject_type is None or page.distribution.subject_type == subject_type), timeout=10000)


def open_lists():
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, SubjectListDialog) and w.isVisible()]


def test_clicking_a_bar_lists_exactly_the_subjects_it_counts(qtbot, page):
    choose(qtbot, page, "township", "practitioner")
    dist = page.distribution
    row = int(dist.frame["优秀"].to_numpy().argmax())
    expected = int(dist.frame.iloc[row]["优秀"])
    assert expected > 1
    qtbot.mouseClick(page.chart.viewport(), Qt.MouseButton.LeftButton, pos=page.chart.bar_centre(row, "优秀"))
    qtbot.waitUntil(lambda: len(open_lists()) == 1)
    (dialog,) = open_lists()
    qtbot.waitUntil(lambda: dialog.model.total == expected and len(dialog.model.rows) == expected, timeout=10000)
    assert dialog.cell.title == f"{dist.frame.index[row]} · 医保医（药）师 · 优秀"
    assert {r[4] for r in dialog.model.rows} == {"优秀"}
    assert all(r[3] for r in dialog.model.rows)  # the institutions where each is registered
    assert dialog.count.text() == f"共 {expected} 个"
    dialog.close()


def test_clicking_an_institutions_segment_lists_its_practitioners_of_that_grade(qtbot, page):
    choose(qtbot, page, "institution")
    dist = page.distribution
    grade = next(g for g in ("良好", "中等", "较差") if dist.frame.iloc[0][g])
    qtbot.mouseClick(page.chart.viewport(), Qt.MouseButton.LeftButton, pos=page.chart.bar_centre(0, grade))
    qtbot.waitUntil(lambda: len(open_lists()) == 1)
    (dialog,) = open_lists()
    qtbot.waitUntil(lambda: dialog.model.total == int(dist.frame.iloc[0][grade]), timeout=10000)
    assert dialog.cell.title == f"{dist.frame.index[0]} · 医保医（药）师 · {grade}"
    dialog.close()


def test_enter_on_a_count_opens_the_same_list_as_its_bar(qtbot, page):
    choose(qtbot, page, "institution")
    page.table.setFocus()
    column = 1 + list(page.distribution.frame.columns).index("优秀")
    page.table.setCurrentIndex(page.model.index(0, column))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(open_lists()) == 1)
    (dialog,) = open_lists()
    expected = int(page.distribution.frame.iloc[0]["优秀"])
    qtbot.waitUntil(lambda: dialog.model.total == expected, timeout=10000)
    assert dialog.cell.key == page.distribution.keys[0] and dialog.cell.grade == "优秀"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not open_lists()


def test_the_tables_pass_the_model_tester(qtbot, qtmodeltester, page):
    qtmodeltester.check(page.model)
    dialog = page.open_list(0, "")
    qtbot.waitUntil(lambda: dialog.model.total is not None and bool(dialog.model.rows), timeout=10000)
    qtmodeltester.check(dialog.model)
    dialog.close()


def test_year_view_shows_each_year_end_and_lists_that_years_subjects(qtbot, page):
    choose(qtbot, page, "year", "practitioner")
    labels = list(page.distribution.frame.index)
    assert len(labels) == 5 and labels[0].endswith("年末") and "截至" in labels[-1]
    assert page.distribution.frame.sum(axis=1).nunique() == 1  # every practitioner counted each year
    dialog = page.open_list(0, "优秀")
    qtbot.waitUntil(lambda: dialog.model.total == int(page.distribution.frame.iloc[0]["优秀"]), timeout=10000)
    dialog.close()


def test_exports_write_a_png_and_an_xlsx_with_id_numbers_as_text(qtbot, page, tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    choose(qtbot, page, "type")
    png, xlsx, names = tmp_path / "chart.png", tmp_path / "table.xlsx", tmp_path / "names.xlsx"
    answers = iter([str(png), str(xlsx), str(names)])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(answers), ""))
    page.png_button.click()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.xlsx_button.click()
    qtbot.waitUntil(xlsx.exists, timeout=10000)
    qtbot.waitUntil(lambda: "行到" in page.status.text())
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert sheet[1][:3] == ["主体类型", "优秀", "良好"] and sheet[-1][0] == "合计"
    assert sheet[-1][-1] == int(page.distribution.frame.to_numpy().sum())
    dialog = page.open_list(0, "")  # practitioners: ID numbers
    qtbot.waitUntil(lambda: dialog.model.total is not None, timeout=10000)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "已导出" in dialog.count.text(), timeout=10000)
    rows = CalamineWorkbook.from_path(str(names)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 + dialog.model.total
    assert all(isinstance(r[1], str) and len(r[1]) == 18 for r in rows[2:])
    dialog.close()


def test_county_wide_evaluation_runs_from_the_page_and_the_chart_is_redrawn(qtbot, runner, plain_template):
    runner.db = demo_copy(plain_template)
    page = DistributionPage(runner, ADMIN)
    qtbot.addWidget(page)
    page.dimension.setCurrentIndex(page.dimension.findData("type"))
    page.show()
    qtbot.waitUntil(lambda: page.distribution is not None and page.distribution.dimension == "type", timeout=10000)
    before = page.distribution.frame
    assert before["未评价"].sum() == 0 and before["优秀"].sum() > 0  # every subject has its standing from the start
    with runner.db.session() as s:  # as after a new indicator tree: every standing must be recomputed
        s.execute(text("UPDATE subject_standing SET dirty = 1"))
        s.commit()
    assert page.evaluate_button.isEnabled()
    page.evaluate_button.click()
    qtbot.waitUntil(lambda: "已评价" in page.status.text(), timeout=30000)
    assert f"{before.to_numpy().sum()} 个需要更新" in page.status.text()
    assert page.distribution.frame.equals(before)  # same rules, same results
    assert page.chart.chart().series()[0].count() == 5  # one bar set per grade
    runner.db.dispose()


def test_a_clerk_sees_the_distribution_but_cannot_start_the_evaluation(qtbot, runner, evaluated_template):
    runner.db = demo_copy(evaluated_template)
    page = DistributionPage(runner, CLERK)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.distribution is not None, timeout=10000)
    assert not page.evaluate_button.isEnabled()
    assert "需要角色：审核员、签发人、管理员" in page.evaluate_button.toolTip()
    runner.db.dispose()


def test_the_chosen_view_is_remembered(qtbot, runner, page):
    choose(qtbot, page, "township", "insured")
    again = DistributionPage(runner, ADMIN)
    qtbot.addWidget(again)
    assert (again.dimension.currentData(), again.subject_type.currentData()) == ("township", "insured")


def test_the_list_window_keeps_its_size_and_columns(qtbot, page):
    dialog = page.open_list(0, "")
    qtbot.waitUntil(lambda: bool(dialog.model.rows), timeout=10000)
    dialog.resize(700, 420)
    dialog.table.setColumnHidden(2, True)  # the user hides 类型 from the header's menu
    dialog.table.save_columns()
    dialog.close()
    again = page.open_list(0, "")
    qtbot.waitUntil(lambda: bool(again.model.rows), timeout=10000)
    assert (again.width(), again.height()) == (700, 420)
    assert again.table.isColumnHidden(2) and not again.table.isColumnHidden(1)
    again.close()
