"""工作台: open cases with deadline, working days left, overdue (red) and 暂定 flags; opening one shows the file."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from models.queries.work_items import WorkItem, work_items
from models.services import objections, repairs
from tests.gui.test_cases import DELIVERED, RECEIVED, bad_record
from tests.gui.test_files_support import STAFF, actor, demo_db, demo_template, sql  # noqa: F401  (fixtures)
from views.page_workbench import WorkbenchPage
from views.table_model import OVERDUE


def open_cases(db) -> tuple[str, str]:
    record, subject, _name, _initials = bad_record(db)
    objection = objections.file(db, actor=actor("clerk"), subject=subject, record=record, delivered_on=DELIVERED,
                                received_on=RECEIVED, reason="对记分有异议").value.uuid
    repair = repairs.apply(db, actor=actor("clerk"), record=record, applied_on=date.today(), materials="整改报告",
                           commitment="今后严格遵守服务协议").value.uuid
    return objection, repair


def workbench(qtbot, runner, db, username: str = "reviewer") -> WorkbenchPage:
    runner.db = db
    page = WorkbenchPage(runner, actor(username))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: page.refresh.isEnabled() and page.summary.text().startswith(("待办", "没有")))
    return page


def test_overdue_cases_are_red_with_working_days_and_provisional_flags(qtbot, runner, demo_db):
    objection, repair = open_cases(demo_db)
    page = workbench(qtbot, runner, demo_db)
    model = page.model
    by_case = {item.case: n for n, item in enumerate(model.rows)}
    assert {objection, repair} <= set(by_case)
    late = model.rows[by_case[objection]]
    assert late.overdue and late.workdays_left < 0 and late.kind_name == "异议"
    row = by_case[objection]
    assert model.data(model.index(row, 1)) == f"逾期{-late.workdays_left}个工作日"
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole).color() == OVERDUE
    assert "第十条" in model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)  # 鲁医保发〔2024〕25号
    for n, item in enumerate(model.rows):  # 暂定 is said wherever a deadline reaches a year without a schedule
        shown = model.data(model.index(n, 0))
        assert shown.endswith("（暂定）") == (item.provisional and item.deadline is not None)
    assert page.summary.text().startswith(f"待办 {len(model.rows)} 项，其中逾期 ")
    # The same items as the work list service, with the subject of each case.
    assert [i.case for i in model.rows] == [i.case for i in work_items(demo_db, actor=actor("reviewer"))]
    assert late.subject_uuid == bad_record(demo_db)[1] and late.entered_by == "clerk"


def test_enter_on_an_item_opens_the_credit_file_where_the_case_is(qtbot, runner, demo_db):
    objection, _repair = open_cases(demo_db)
    page = workbench(qtbot, runner, demo_db)
    row = next(n for n, item in enumerate(page.model.rows) if item.case == objection)
    page.table.setCurrentIndex(page.model.index(row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    window = page.windows[bad_record(demo_db)[1]]
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None)
    assert window.tabs.tabText(window.tabs.currentIndex()).startswith("异议与修复")
    assert [o["uuid"] for o in window.data["objections"]] == [objection]


def test_an_unconfirmed_finding_is_on_the_list_for_a_reviewer(qtbot, runner, demo_db):
    from models.services import findings

    code = sql(demo_db, "SELECT credit_code FROM subjects WHERE type = 'institution' LIMIT 1")[0][0]
    findings.add_finding(demo_db, actor=actor("clerk"), data={
        "institution": code, "case_no": "宁医保协〔2026〕5号", "decision_type": "协议处理",
        "decision_date": date.today().isoformat(), "article": "服务协议第二十条", "source": "smart_audit"})
    page = workbench(qtbot, runner, demo_db)
    [item] = [i for i in page.model.rows if i.kind == "finding"]
    assert "宁医保协〔2026〕5号" in item.title and item.next_step.startswith("待审核确认")
    assert item.next_step == f"待审核确认（录入人 {STAFF['clerk'][0]}）"  # the colleague's name, not the login name


def test_rendering_of_a_provisional_deadline(qtbot, runner, demo_db):
    """A deadline in a year whose holiday schedule is not loaded is computed on weekends alone (DOMAIN §5)."""
    page = workbench(qtbot, runner, demo_db)
    item = WorkItem("repair", "信用修复", "张三 的信用修复申请", "c", "张三", None, "作出修复决定", date(2027, 1, 20), 30,
                    False, True, "鲁医保发〔2024〕25号 第十一条", "clerk", "repair.decide")
    page.show_items([item])
    assert page.model.data(page.model.index(0, 0)) == "2027-01-20（暂定）"
    assert page.model.data(page.model.index(0, 1)) == "30个工作日"
    assert "仅按周末计算" in page.model.data(page.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert page.summary.text() == "待办 1 项，期限暂定 1 项"


def test_workbench_model_passes_qtmodeltester(qtbot, qtmodeltester, runner, demo_db):
    open_cases(demo_db)
    page = workbench(qtbot, runner, demo_db)
    assert page.model.rowCount() >= 2
    qtmodeltester.check(page.model)


def test_due_work_is_processed_from_the_workbench_by_a_reviewer_only(qtbot, runner, demo_db):
    clerk = workbench(qtbot, runner, demo_db, "clerk")
    assert not clerk.tick.isEnabled() and clerk.tick.toolTip().startswith("需要角色：审核员、签发人、管理员")
    page = workbench(qtbot, runner, demo_db, "reviewer")
    assert page.tick.isEnabled()
    page.tick.click()
    qtbot.waitUntil(lambda: page.done.text().startswith("已按"), timeout=20000)
    assert sql(demo_db, "SELECT actor FROM audit_log WHERE action = 'casework.tick'") == [("reviewer",)]


def test_steps_name_the_screen_not_the_command(qtbot, runner, demo_db):
    page = workbench(qtbot, runner, demo_db)
    assert page.model.rows  # the demo county has measures waiting for a chosen period
    assert not any("measure choose" in i.next_step or "tick" in i.next_step for i in page.model.rows)


def test_a_clerk_sees_what_a_clerk_can_do_and_may_switch_to_everything(qtbot, runner, demo_db):
    """Issue 13: the workbench no longer shows clerks items only reviewers can act on."""
    objection, _repair = open_cases(demo_db)
    page = workbench(qtbot, runner, demo_db, "clerk")
    assert objection not in {i.case for i in page.model.rows}  # 复核 is for a reviewer or signer
    assert all(actor("clerk").can(i.permission) for i in page.model.rows)
    assert "须由其他角色或他人办理" in page.summary.text()
    qtbot.mouseClick(page.all, Qt.MouseButton.LeftButton)
    assert objection in {i.case for i in page.model.rows}
    assert len(page.model.rows) == len(work_items(demo_db, actor=actor("clerk")))


def test_the_workbench_exports_to_excel_what_it_shows(qtbot, runner, demo_db, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    from tests.gui.boxes import message_box

    open_cases(demo_db)
    page = workbench(qtbot, runner, demo_db)
    target = tmp_path / "待办.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.export, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert f"已导出 {len(page.model.rows)} 行" in box.text()
    box.accept()
    sheet = load_workbook(target).active
    assert [c.value for c in sheet[2]][:4] == ["期限", "剩余", "等待自", "类别"]
    assert sheet.max_row == 2 + len(page.model.rows)


def test_the_workbench_warns_that_an_expired_pack_leaves_rules_uncomputed(qtbot, runner, demo_db):
    """Issue 13: 鲁医保发〔2024〕25号 expired on 2026-08-09; the workbench says so and what is not computed."""
    from models.services.pack_status import pack_warnings

    page = workbench(qtbot, runner, demo_db)
    qtbot.waitUntil(page.pack_warning.isVisible)
    shown = page.pack_warning.text()
    assert shown == "\n".join(f"注意：{w}" for w in pack_warnings(demo_db))
    if date.today() > date(2026, 8, 9):
        assert "鲁医保发〔2024〕25号 已于2026-08-09失效" in shown and "不再计算" in shown


def test_no_warning_while_every_pack_is_in_force(demo_db):
    from models.services.pack_status import pack_warnings

    assert pack_warnings(demo_db, day=date(2025, 1, 1)) == []
    assert any("将于2026-08-09失效" in w for w in pack_warnings(demo_db, day=date(2026, 7, 1)))


def test_the_next_save_dialog_starts_in_the_folder_chosen_last(qtbot, runner, demo_db, tmp_path, monkeypatch):
    """Issue 13: file dialogs remember the last folder (QSettings, per user)."""
    from PySide6.QtWidgets import QFileDialog

    from views.file_dialogs import save_file_name

    asked = []

    def dialog(_parent, _title, suggested, _filter, **_options):
        asked.append(suggested)
        return str(tmp_path / "导出" / "a.xlsx"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    (tmp_path / "导出").mkdir()
    page = workbench(qtbot, runner, demo_db)
    save_file_name(page, "导出Excel", "a.xlsx", "Excel 工作簿 (*.xlsx)")
    save_file_name(page, "导出Excel", "b.xlsx", "Excel 工作簿 (*.xlsx)")
    assert asked[1] == str(tmp_path / "导出" / "b.xlsx")


def test_a_pending_measure_choice_shows_since_when_it_waits_its_deadline_and_that_it_is_overdue(qtbot, runner,
                                                                                               demo_db):
    """累计9分: the period is chosen in the range (济医保发〔2025〕6号 四（六）); no document fixes how soon, so the
    bureau's own time limit runs from the triggering decision and the list says it is not a legal one."""
    from datetime import timedelta

    from models.services.notice_settings import LIMITS
    from tests.gui.test_files_support import nine_points

    decided = date.today() - timedelta(days=40)
    target = nine_points(demo_db, case_no="宁医保罚〔2026〕970号", decided=decided)
    page = workbench(qtbot, runner, demo_db)
    model = page.model
    row = next(n for n, i in enumerate(model.rows) if i.kind == "measure_choice" and i.subject_uuid == target["uuid"])
    item = model.rows[row]
    assert item.since == decided and item.title.endswith("暂停医保支付资格待确定期限")
    assert item.deadline is not None and item.deadline > decided and item.overdue and item.workdays_left < 0
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert model.data(model.index(row, titles.index("等待自"))) == decided.isoformat()
    assert model.data(model.index(row, titles.index("剩余"))) == f"逾期{-item.workdays_left}个工作日"
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole).color() == OVERDUE
    assert "无法定期限" in model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert f"本局规定：决定作出后{LIMITS['choice_days'][1]}个工作日内" in item.basis
