"""Who drafted, reviewed, entered or decided is shown by the name colleagues know (users.display_name), never by
login name: the findings detail, the yearly rating and the credit file's tables."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from models.services import deadlines, ratings, users, workdays
from tests.gui.test_cases import file_objection
from tests.gui.test_file_decisions import open_file
from tests.gui.test_files_support import (  # noqa: F401  (fixtures)
    STAFF, actor, demo_db, demo_template, nine_points, wait_loaded,
)
from views.page_cases import make_page
from views.page_findings import FindingsPage
from views.page_ratings import RatingsPage
from views.people import named

CLERK, REVIEWER = STAFF["clerk"][0], STAFF["reviewer"][0]  # 李录入, 王审核


def shown(qtbot, runner, db, make, username: str):
    """A page as ``username`` sees it."""
    runner.db = db
    page = make(runner, actor(username))
    qtbot.addWidget(page)
    page.show()
    return page


def column(model, title: str, row: int = 0):
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.data(model.index(row, titles.index(title)))


def test_the_findings_detail_names_the_clerk_and_the_reviewer_by_their_names(qtbot, runner, demo_db):
    nine_points(demo_db)
    page = shown(qtbot, runner, demo_db, FindingsPage, "reviewer2")
    page.state.setCurrentIndex(page.state.findData("已确认"))
    qtbot.waitUntil(lambda: any(f.case_no == "宁医保罚〔2026〕960号" for f in page.model.rows), timeout=20_000)
    row = next(n for n, f in enumerate(page.model.rows) if f.case_no == "宁医保罚〔2026〕960号")
    page.table.setCurrentIndex(page.model.index(row, 0))
    text = page.detail.toPlainText()
    assert f"录入人 {CLERK}" in text and f"由 {REVIEWER} 确认" in text
    assert "clerk" not in text and "reviewer" not in text
    assert column(page.model, "录入人", row) == CLERK


def test_the_yearly_rating_names_who_drafted_and_reviewed_it(qtbot, runner, demo_db):
    drafted = ratings.draft(demo_db, actor=actor("clerk"), year=date.today().year, subject_type="institution",
                            as_of=date.today()).value
    ratings.review(demo_db, actor=actor("reviewer"), rating=drafted.uuid)
    page = shown(qtbot, runner, demo_db, RatingsPage, "signer")
    qtbot.waitUntil(lambda: page.current is not None, timeout=20_000)
    text = page.facts.text()
    assert f"起草：</td><td>{CLERK}" in text and f"复核：</td><td>{REVIEWER}" in text and ">clerk<" not in text


def test_the_credit_file_names_who_decided_and_entered(qtbot, runner, demo_db):
    target = nine_points(demo_db)
    window = open_file(qtbot, runner, demo_db, "reviewer2", target["uuid"])
    window.show_tab("操作记录")
    model = window.table("audit").model()
    actors = {model.data(model.index(n, 1)) for n in range(model.rowCount())}
    assert CLERK in actors and REVIEWER in actors and not {"clerk", "reviewer"} & actors


def test_the_objections_list_names_the_clerk_by_name(qtbot, runner, demo_db):
    file_objection(demo_db)
    page = shown(qtbot, runner, demo_db, make_page, "reviewer")
    wait_loaded(qtbot, page.objections.model)
    assert column(page.objections.model, "录入人") == CLERK


def test_lists_that_only_show_who_did_it_read_the_display_name(demo_db):
    """The holiday schedules' 载入人 (and likewise 安装, 抽取人, 经办, 确认人): named on the worker."""
    admin = users.authenticate(demo_db, username="admin", password="abc12345")
    deadlines.load_schedule(demo_db, actor=admin, text="类型,开始日期,结束日期,说明\n放假,2027-01-01,,元旦\n",
                            source="国务院办公厅通知（2027年）")
    (year,) = [y for y in named(demo_db, query=workdays.years, fields=("loaded_by",)) if y.year == 2027]
    assert year.loaded_by == admin.display_name != "admin"
