"""Screenshots of the real program on a 1366×768 and a 1024×700 screen, for looking at what users will see.

    .venv/bin/python tools/screenshots.py [OUT_DIR] [--screen 1366x768 --screen 1024x700]   (default ./screenshots)

One folder per screen size (OUT_DIR/1366x768, OUT_DIR/1024x700).

Starts its own Xvfb (package ``xvfb``) unless --display-is-set is given, runs ``desktop.gui.run``
on a new temporary database, and drives it as a person would: first-run dialog (first with a
mistake, then filled in with small demo data), login dialog (first with a wrong password), then
every section of the main window. Each PNG is the whole screen, so anything cut off shows.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCREENS = ("1366x768", "1024x700")
TIMEOUT_S = 120  # small demo data takes seconds; a stuck step should not hang CI forever
SECTION_FILES = ("workbench", "credit-files", "violations", "objections-repairs", "grades", "inspections",
                 "notices", "exchange", "settings")


def start_xvfb(screen: str) -> subprocess.Popen:
    """Xvfb picks a free display itself and writes its number to the pipe (-displayfd)."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{screen}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise SystemExit("Xvfb 未能启动（apt-get install xvfb）")
    os.environ["DISPLAY"] = f":{number}"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return xvfb


Step = Generator[Callable[[], object], object, None]
PASSWORD = "demo2024a"
REVIEWER = "zhang"  # made by the administrator in the first session, signs in for the second


def find(kind):
    from PySide6.QtWidgets import QApplication

    return lambda: next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def press(box, text: str) -> None:
    """Click the message box button whose label starts with ``text``."""
    labels = [b.text() for b in box.buttons()]
    button = next((b for b in box.buttons() if b.text().replace("&", "").startswith(text)), None)
    if button is None:
        raise LookupError(f"没有“{text}”按钮：{labels}，{box.text()[:60]}")
    button.click()


def settled(seconds: float = 0.4):
    deadline = time.monotonic() + seconds  # X maps and paints asynchronously
    return lambda: time.monotonic() > deadline


def shooter(out: Path) -> Callable[[str], None]:
    from PySide6.QtWidgets import QApplication

    def shot(name: str) -> None:
        QApplication.screens()[0].grabWindow(0).save(str(out / f"{name}.png"))
        print(f"  {name}.png")

    return shot


def drive(out: Path, password: str) -> Step:
    """Yields conditions; each resumes the script with the condition's value once it is truthy."""
    from PySide6.QtTest import QTest
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog

    from desktop.mainwindow import MainWindow
    from views.about_dialog import AboutDialog
    from views.first_run import FirstRunDialog
    from views.login import LoginDialog

    shot = shooter(out)

    dialog = yield find(FirstRunDialog)
    yield settled()
    shot("01-first-run")
    QTest.keyClicks(dialog.code, "37092")
    dialog.name.setText("宁阳县")
    QTest.keyClicks(dialog.password, password)
    QTest.keyClicks(dialog.password2, password)
    dialog.ok.click()
    yield lambda: dialog.errors.message("行政区划代码")
    yield settled(0.2)
    shot("02-first-run-refused")
    QTest.keyClicks(dialog.code, "370921")  # the refused field has focus with its text selected
    dialog.demo.setChecked(True)
    dialog.ok.click()
    progress = yield lambda: find(QProgressDialog)() or find(LoginDialog)()
    if isinstance(progress, QProgressDialog):
        yield settled(0.3)
        shot("03-demo-progress")

    login = yield find(LoginDialog)
    yield settled()
    shot("04-login")
    QTest.keyClicks(login.password, "wrong-" + password)
    login.ok.click()
    yield lambda: login.errors.message(None)
    yield settled(0.2)
    shot("05-login-refused")
    QTest.keyClicks(login.password, password)
    login.ok.click()

    window = yield find(MainWindow)
    for number, (name, slug) in enumerate(zip(window.section_names(), SECTION_FILES), start=1):
        window.show_section(name)
        yield settled()
        shot(f"{5 + number:02d}-{slug}")
    yield from exchange_screens(window, shot)
    QTimer.singleShot(0, window.about)  # the dialog may block; open it outside this step
    about = yield find(AboutDialog)
    yield settled()
    shot("15-about")
    about.accept()
    window.show_section("信用档案")
    guide = window.show_help()  # F1
    yield settled(0.6)
    shot("15a-user-guide")
    guide.close()
    yield from analysis_screens(window, shot)
    yield from daily_screens(window, shot)
    yield from rating_screens(window, shot)
    window.sign_out(switch=True)  # 文件 → 切换用户 (Ctrl+L): the next person signs in
    again = yield lambda: find(LoginDialog)() if find(LoginDialog)() is not login else None
    yield settled()
    shot("54-switch-user")
    again.reject()


def signed_in(window, actor):
    """Another person's main window on the same database, where the first one is (four-eyes on one PC)."""
    from desktop.mainwindow import MainWindow

    db = window.runner.db
    other = MainWindow(window.runner, actor, window.windowTitle().split("— ")[-1], str(db.sqlite_file), db.sqlite_file)
    other.setGeometry(window.geometry())
    other.show()
    other.raise_()
    return other


def page_of(window, section: str):
    return window.page(section)


ROSTER = (("张建国", "37092120190001"), ("李明", "37092120190002"), ("王芳", "37092120190003"))


def analysis_screens(window, shot) -> Step:
    """等级分布, 系统设置 and the inspector roster as the administrator: evaluate the county, the
    subjects behind a bar, a reviewer added with roles, the indicator tree, three inspectors."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QProgressDialog

    from models.services import warnings
    from views.chart_subjects import SubjectListDialog
    from views.inspection_roster import RosterDialog
    from views.settings_users import UserDialog

    window.show_section("等级分布")
    grades = page_of(window, "等级分布")
    grades.evaluate_button.click()
    busy = yield lambda: find(QProgressDialog)() or "已评价" in grades.status.text() or None
    if busy is not True:
        yield settled(0.2)
        shot("16-grades-evaluating")
    yield lambda: grades.distribution is not None and not grades.distribution.frame["未评价"].sum()
    yield settled()
    shot("17-grades-by-type")
    grades.dimension.setCurrentIndex(grades.dimension.findData("institution"))
    yield lambda: grades.distribution.dimension == "institution"
    yield settled()
    shot("18-grades-by-institution")
    QTest.mouseClick(grades.chart.viewport(), Qt.MouseButton.LeftButton, pos=grades.chart.bar_centre(0, "优秀"))
    listing = yield find(SubjectListDialog)
    yield lambda: listing.model.total is not None and bool(listing.model.rows)
    yield settled()
    shot("19-grades-list")
    listing.close()
    grades.subject_type.setCurrentIndex(grades.subject_type.findData("practitioner"))
    grades.dimension.setCurrentIndex(grades.dimension.findData("year"))
    yield lambda: grades.distribution.dimension == "year" and not find(QProgressDialog)()
    yield settled()
    shot("20-grades-by-year")
    warnings.refresh_county(window.runner.db)  # as 处理到期事项 does
    grades.dimension.setCurrentIndex(grades.dimension.findData("kind"))
    yield lambda: grades.distribution.dimension == "kind" and "未解除的信用预警：" in grades.warning_counts.text()
    yield settled()
    shot("20a-grades-by-institution-kind")
    ratings = grades.open_ratings()
    yield lambda: ratings.model.rows
    yield settled()
    shot("20b-institution-ratings")
    ratings.close()
    listed = grades.open_warnings()
    yield lambda: listed.model.rows
    yield settled()
    shot("20c-warnings-list")
    listed.close()

    window.show_section("系统设置")
    settings = page_of(window, "系统设置")
    settings.tabs.setCurrentIndex(0)
    yield lambda: settings.users.model.rowCount() > 0
    settings.users.add_button.click()
    dialog = yield find(UserDialog)
    QTest.keyClicks(dialog.username, REVIEWER)
    dialog.name.setText("张审核")
    for role in ("reviewer", "signer"):
        dialog.roles[role].setChecked(True)
    QTest.keyClicks(dialog.passwords.password, PASSWORD)
    QTest.keyClicks(dialog.passwords.again, PASSWORD)
    yield settled()
    shot("21-settings-add-user")
    dialog.ok.click()
    yield lambda: settings.users.model.rowCount() == 2
    yield settled()
    shot("22-settings-users")
    settings.tabs.setCurrentIndex(2)
    yield lambda: settings.indicators.tree.topLevelItemCount() > 0
    yield settled()
    shot("23-settings-indicators")
    settings.indicators.kind.setCurrentIndex(settings.indicators.kind.findData("medical"))
    yield lambda: settings.indicators.tree_data and settings.indicators.tree_data["id"] == "sample-medical"
    yield settled()
    shot("23a-settings-indicators-medical")
    settings.tabs.setCurrentIndex(1)
    yield lambda: settings.county.code.text()
    yield settled()
    shot("24-settings-county")
    settings.tabs.setCurrentIndex(4)  # 文书与签章
    yield lambda: settings.documents.prefix.text()
    yield settled()
    shot("24a-settings-documents")
    settings.tabs.setCurrentIndex(6)  # 信用预警规则
    yield lambda: settings.warning_rules.model.rowCount()
    yield settled()
    shot("24b-settings-warning-rules")
    settings.tabs.setCurrentWidget(settings.tabs.widget(7))  # 办理时限 (本局规定)
    yield lambda: getattr(settings.limits, "shown", None) is not None
    yield settled()
    shot("24c-settings-limits")

    window.show_section("抽查")
    page_of(window, "抽查").roster_button.click()
    roster = yield find(RosterDialog)
    for count, (name, number) in enumerate(ROSTER, start=1):
        roster.name.setText(name)
        QTest.keyClicks(roster.certificate, number)
        roster.unit.setText("基金监管科")
        roster.add_button.click()
        yield lambda count=count: roster.model.rowCount() == count
    yield settled()
    shot("25-inspection-roster")
    roster.reject()


def drive_reviewer(out: Path, password: str) -> Step:
    """The reviewer made above signs in and draws: 双随机 dialog with its preview, the stored result
    re-checked by its seed, the print preview for publication, and what 系统设置 looks like to them."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QMessageBox
    from PySide6.QtTest import QTest

    from desktop.mainwindow import MainWindow
    from views.inspection_draw_dialog import DrawDialog
    from views.login import LoginDialog

    shot = shooter(out)
    login = yield find(LoginDialog)
    login.username.setText(REVIEWER)
    QTest.keyClicks(login.password, password)
    login.ok.click()
    window = yield find(MainWindow)
    window.show_section("抽查")
    inspection = page_of(window, "抽查")
    inspection.new_button.click()
    dialog = yield find(DrawDialog)
    yield lambda: dialog.inspectors.count() == len(ROSTER) and "候选" in dialog.preview.text()
    before = dialog.preview.text()
    dialog.title.setText("2026年第四季度医保医（药）师医保基金使用情况抽查")
    dialog.ratio.setText("20%")
    QTest.keyClicks(dialog.seed, "20261122")
    yield lambda: dialog.preview.text() != before  # the preview follows the new base ratio
    yield settled(0.6)
    shot("26-inspection-draw")
    dialog.ok.click()
    prompt = yield find(QMessageBox)
    yield settled()
    shot("26a-inspection-draw-prompt")
    press(prompt, "抽取")
    done = yield lambda: inspection.current is not None and find(QMessageBox)()
    done.accept()
    yield lambda: inspection.current is not None and len(inspection.items.rows) == inspection.current.selected
    inspection.verify_button.click()
    yield lambda: "一致" in inspection.message.text()
    yield settled()
    shot("27-inspection-result")
    inspection.print_button.click()
    preview = yield find(QPrintPreviewDialog)
    yield settled(1.0)
    shot("28-inspection-print-preview")
    preview.reject()
    window.show_section("系统设置")
    page_of(window, "系统设置").tabs.setCurrentIndex(0)
    yield settled()
    shot("29-settings-as-reviewer")
    window.close()


def daily_screens(window, shot) -> Step:
    """工作台, 信用档案, 违规录入 and 异议与修复 on the demo county: a search by pinyin initials, a credit
    file, a clerk entering a finding (one field refused as it is typed), a reviewer confirming it,
    objections and repairs (one overdue), a decision dialog; clerk and reviewer in windows of their own."""
    from datetime import date

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from models.queries.case_lists import case_records
    from models.queries.subject_list import SubjectQuery, subject_page
    from dataclasses import asdict

    from models.services import objections, repairs, users, warnings
    from models.services.subjects import initials_of
    from PySide6.QtWidgets import QMessageBox

    from views.case_forms import DecideObjectionDialog
    from views.file_window import open_file_window
    from views.notice_draft import DraftDialog
    from views.warning_dialog import AcknowledgeWarningDialog

    runner, db, admin = window.runner, window.runner.db, window.actor
    window.show_section("信用档案")
    files = page_of(window, "信用档案")
    target = subject_page(db, actor=admin, q=SubjectQuery(type="practitioner", sort="points", descending=True),
                          limit=1)[0]
    files.search.clear()
    QTest.keyClicks(files.search, initials_of(target.name))
    files.apply_filter()
    yield lambda: files.model.total is not None and not files.model.loading
    yield settled()
    shot("40-files-search")
    files.table.setFocus()
    files.table.setCurrentIndex(files.model.index([r.uuid for r in files.model.rows].index(target.uuid), 0))
    QTest.keyClick(files.table, Qt.Key.Key_Return)
    folder = yield lambda: files.windows.get(target.uuid)
    yield lambda: folder.data is not None
    yield settled()
    shot("41-file-overview")
    for tab, table, name in (("记分与评价", "points.entries", "42-file-points"), ("措施与名单", "measures", "43-file-measures"),
                             ("信用信息", "records", "44-file-records")):
        folder.show_tab(tab)
        folder.table(table).selectRow(0)
        yield settled()
        shot(name)
    institution = folder.data["registrations"][0]["institution"]
    folder.close()
    warned = open_file_window(window, runner, admin, warnings.list_warnings(db)[0].subject_uuid, {})
    yield lambda: warned.data is not None
    warned.show_tab("信用预警")
    warned.table("warnings").selectRow(0)
    yield settled()
    shot("44a-file-warnings")
    warned.close()
    staff = open_file_window(window, runner, admin, institution["uuid"], {})
    yield lambda: staff.data is not None
    staff.show_tab("人员信用")
    staff.table("staff").selectRow(0)
    yield settled()
    shot("44b-institution-staff")
    staff.close()

    # Staff for the casework (the administrator holds neither role) and an overdue objection
    # (received in January 2026 under 鲁医保发〔2024〕25号: 15 working days to review).
    for username, name, roles in (("li", "李录入", "录入员"), ("wang", "王审核", "审核员,签发人")):
        users.add_user(db, actor=admin, username=username, display_name=name, password=PASSWORD, roles=roles)
    clerk = users.authenticate(db, username="li", password=PASSWORD)
    reviewer = users.authenticate(db, username="wang", password=PASSWORD)
    record = case_records(db, actor=clerk, subject=target.uuid)[0].uuid
    objections.file(db, actor=clerk, subject=target.uuid, record=record, delivered_on=date(2026, 1, 5),
                    received_on=date(2026, 1, 6), reason="本人仅为协助人员，认定为主要责任者过重")
    repairs.apply(db, actor=clerk, record=record, applied_on=date.today(), materials="整改报告、培训合格证明",
                  commitment="今后严格遵守医保服务协议")
    window.show_section("工作台")
    workbench = page_of(window, "工作台")
    workbench.all.setChecked(True)  # the administrator decides none of these cases: show everyone's
    workbench.reload()
    yield lambda: workbench.refresh.isEnabled() and workbench.model.rows
    yield settled()
    shot("45-workbench")
    first = warnings.list_warnings(db)[0]
    acknowledge = AcknowledgeWarningDialog(runner, reviewer, {**asdict(first), "state": first.state}, window)
    acknowledge.show()
    acknowledge.note.insertPlainText("已电话提醒本人，要求十日内自查整改")
    yield settled()
    shot("45a-warning-acknowledge")
    acknowledge.done(0)

    def sign_in(actor):
        return signed_in(window, actor)

    clerk_window = sign_in(clerk)
    clerk_window.show_section("违规录入")
    form = page_of(clerk_window, "违规录入").form
    yield lambda: form.kind.count() > 0
    form.institution.choose(subject_page(db, actor=clerk, q=SubjectQuery(text=institution["credit_code"]))[0])
    form.case_no.setText("宁医保罚〔2026〕88号")
    QTest.keyClicks(form.amount, "12.345")
    form.article.setText("《医疗保障基金使用监督管理条例》第三十八条第（一）项")
    person = subject_page(db, actor=clerk, q=SubjectQuery(text=target.name, type="practitioner",
                                                             registered_at=institution["uuid"]))[0]
    form.person.choose(person)
    form.responsibility.setCurrentText("重要")
    form.kind.setCurrentIndex(form.kind.findData("pq_agreement_serious"))
    form.add_person.click()
    yield settled()
    shot("46-finding-entry-as-typed")
    form.amount.clear()
    QTest.keyClicks(form.amount, "45678.90")
    form.save.click()
    yield lambda: "已保存" in form.errors.general.text()
    yield settled()
    shot("47-finding-saved")
    clerk_window.close()

    review_window = sign_in(reviewer)
    review_window.show_section("违规录入")
    review = page_of(review_window, "违规录入")
    yield lambda: review.model.rows and review.confirm.isEnabled()
    yield settled()
    shot("48-finding-review")
    review.confirm.click()
    prompt = yield find(QMessageBox)
    yield settled()
    shot("48a-finding-confirm-prompt")
    press(prompt, "确认并记分")
    yield lambda: "已确认" in review.status.text()
    done = yield find(QMessageBox)
    yield settled()
    shot("49-finding-confirmed")
    done.accept()
    review_window.show_section("告知书")
    notices_page = page_of(review_window, "告知书")
    yield settled()
    shot("49a-notices-register")
    review_window.show_section("信用档案")
    folder = open_file_window(review_window, runner, reviewer, target.uuid, {})
    yield lambda: folder.data is not None and folder.draft.isEnabled()
    folder.show_tab("信用信息")
    folder.table("records").selectRow(0)
    folder.draft.click()
    draft = yield lambda: getattr(folder, "dialog", None) if isinstance(getattr(folder, "dialog", None), DraftDialog) \
        and folder.dialog.isVisible() else None
    yield settled()
    shot("49b-file-draft-notice")
    draft.reject()
    folder.close()
    del notices_page
    yield from decision_screens(review_window, clerk, reviewer, target.uuid, shot)
    yield from measure_screens(review_window, admin, reviewer, target.uuid, shot)
    yield from appeal_screens(review_window, clerk, reviewer, target.uuid, shot)
    review_window.show_section("异议与修复")
    cases = page_of(review_window, "异议与修复")
    yield lambda: cases.objections.model.rows and cases.repairs.model.rows
    yield settled()
    shot("50-cases-objections")
    cases.tabs.setCurrentWidget(cases.repairs)
    cases.repairs.table.selectRow(0)
    yield settled()
    shot("51-cases-repairs")
    cases.scope.setCurrentIndex(1)  # 全部: open and decided appeals alike
    yield lambda: cases.appeals.model.rows
    cases.tabs.setCurrentWidget(cases.appeals)
    cases.appeals.table.selectRow(0)
    yield settled()
    shot("51a-cases-appeals")
    cases.scope.setCurrentIndex(0)
    yield lambda: cases.objections.model.rows
    cases.tabs.setCurrentWidget(cases.objections)
    cases.decide_objection.click()
    decision = yield find(DecideObjectionDialog)
    decision.answer.insertPlainText("经核查，处罚决定认定事实清楚，维持原记录。")
    yield settled()
    shot("52-objection-decision")
    decision.reject()  # with an answer typed in, the form asks first
    discard = yield find(QMessageBox)
    yield settled()
    shot("53-discard-prompt")
    press(discard, "放弃填写")
    review_window.close()


def dialog_of(owner, kind):
    """The dialog of ``kind`` that ``owner`` opened (kept in ``owner.dialog``), once it shows."""
    return lambda: owner.dialog if isinstance(getattr(owner, "dialog", None), kind) and owner.dialog.isVisible() \
        else None


def prompt_cancelled(dialog, name: str, shot) -> Step:
    """A decision's confirmation as the user reads it, then 取消: nothing is decided and the dialog closes."""
    from PySide6.QtWidgets import QMessageBox

    dialog.ok.click()
    prompt = yield find(QMessageBox)
    yield settled()
    shot(name)
    press(prompt, "取消")
    yield lambda: not prompt.isVisible()
    dialog.done(0)


def file_on_row(window, actor, subject: str, tab: str, key: str, match) -> Step:
    """A credit file opened by ``actor`` on ``tab``, the first row of table ``key`` that ``match``es selected."""
    from views.file_window import open_file_window

    folder = open_file_window(window, window.runner, actor, subject, {})
    yield lambda: folder.data is not None and folder.refresh.isEnabled()
    folder.show_tab(tab)
    table = folder.table(key)
    table.selectRow(next(n for n, r in enumerate(table.model().rows) if match(r)))
    return folder


def decision_screens(window, clerk, reviewer, subject: str, shot) -> Step:
    """Decisions on the row they concern: 减免记分 (reviewer) with its prompt, 登记纠正 and a record's
    notice (clerk), then 起草告知书 on a confirmed finding's row."""
    from PySide6.QtWidgets import QMessageBox

    from views.notice_draft import DraftDialog
    from views.repair_forms import RectifyDialog, ReducePointsDialog

    case = "宁医保罚〔2026〕88号"
    folder = yield from file_on_row(window, reviewer, subject, "记分与评价", "points.entries",
                                    lambda e: e.get("case_no") == case)
    folder.actions.reduce.click()
    dialog = yield dialog_of(folder, ReducePointsDialog)
    dialog.reason.insertPlainText("主动退回违规费用，配合调查")
    yield settled()
    shot("49c-file-reduce-points")
    dialog.ok.click()
    prompt = yield find(QMessageBox)
    yield settled()
    shot("49d-reduce-points-prompt")
    press(prompt, "减免记分")
    result = yield lambda: find(QMessageBox)() if find(QMessageBox)() is not prompt else None
    yield settled()
    shot("49e-reduce-points-done")
    result.accept()
    folder.close()

    folder = yield from file_on_row(window, clerk, subject, "信用信息", "records", lambda r: r.get("case_no") == case)
    yield settled()
    shot("49f-file-record-actions")
    folder.actions.rectify.click()
    dialog = yield dialog_of(folder, RectifyDialog)
    dialog.commitment.insertPlainText("今后严格遵守医保服务协议，按月自查")
    yield settled()
    shot("49g-file-rectify")
    yield from prompt_cancelled(dialog, "49h-rectify-prompt", shot)
    folder.actions.draft_record.click()
    dialog = yield dialog_of(folder, DraftDialog)
    yield settled()
    shot("49i-record-draft-notice")
    dialog.done(0)
    folder.close()

    window.show_section("违规录入")
    review = page_of(window, "违规录入")
    review.state.setCurrentIndex(review.state.findData("已确认"))
    yield lambda: any(f.case_no == case for f in review.model.rows)
    review.table.selectRow(next(n for n, f in enumerate(review.model.rows) if f.case_no == case))
    review.draft.click()
    dialog = yield dialog_of(review, DraftDialog)
    yield settled()
    shot("49j-finding-draft-notice")
    dialog.done(0)


def measure_screens(window, admin, reviewer, poor: str, shot) -> Step:
    """缩减期限, 采取措施 and 提前结束 on the measures tab. A suspension waiting for its period is chosen by
    the reviewer and a measure the grade allows imposed by them; a signer (neither decider nor clerk)
    opens the shortening and lifting."""
    from datetime import date

    from models.queries.credit_file import file_with_evaluation
    from models.services import discretionary, measures, todo, users

    from views.repair_forms import ImposeMeasureDialog, LiftMeasureDialog, ShortenMeasureDialog

    db = window.runner.db
    users.add_user(db, actor=admin, username="zhou", display_name="周签发", password=PASSWORD, roles="签发人")
    signer = users.authenticate(db, username="zhou", password=PASSWORD)

    # The latest decision: a period chosen for an older one would already have run out.
    waiting = max((i for i in todo.work_list(db) if i.kind == "measure_choice"), key=lambda i: i.since).case
    pending = next(m for m in file_with_evaluation(db, actor=reviewer, subject=waiting)["measures"]
                   if m["status"] == "pending_choice")
    upper, word = pending["allowed_range"]["upper"]  # 第十三条: "不满" excludes the number
    measures.choose_measure(db, actor=reviewer, record=pending["record"], reason="情节较重",
                            months=int(upper) - (1 if word in ("不满", "低于") else 0))
    offered = next((m for m in file_with_evaluation(db, actor=reviewer, subject=poor)["measures"]
                    if m["status"] == "optional"), None)
    steps = [(signer, waiting, "measure_history", lambda m: m["state"] == "生效" and m.get("months"), "shorten",
              ShortenMeasureDialog, "49k-file-shorten-measure")]
    if offered is not None:
        steps.append((reviewer, poor, "measures", lambda m: m["status"] == "optional", "impose", ImposeMeasureDialog,
                      "49l-file-impose-measure"))
    for actor, subject, key, match, action, kind, name in steps:
        folder = yield from file_on_row(window, actor, subject, "措施与名单", key, match)
        getattr(folder.actions, action).click()
        dialog = yield dialog_of(folder, kind)
        dialog.reason.insertPlainText("已按期整改，消除不良影响")
        yield settled()
        shot(name)
        dialog.done(0)
        folder.close()
    if offered is None:
        return
    discretionary.impose(db, actor=reviewer, subject=poor, kind=offered["kind"], start=date.today(),
                         end=date.today().replace(year=date.today().year + 1), reason="信用等级为差")
    folder = yield from file_on_row(window, signer, poor, "措施与名单", "measure_history",
                                    lambda m: m["kind"] == offered["kind"])
    folder.actions.lift.click()
    dialog = yield dialog_of(folder, LiftMeasureDialog)
    dialog.reason.insertPlainText("已按期整改")
    yield settled()
    shot("49m-file-lift-measure")
    dialog.done(0)
    folder.close()


def appeal_screens(window, clerk, reviewer, subject: str, shot) -> Step:
    """申诉 (济医保发〔2025〕6号 四（八））: the clerk files one from the record's row (for the institution), the
    workbench lists it with its deadline, the reviewer opens the decision, reads the prompt and cancels."""
    from PySide6.QtWidgets import QMessageBox

    from views.appeal_forms import DecideAppealDialog, FileAppealDialog

    case = "宁医保罚〔2026〕88号"
    folder = yield from file_on_row(window, clerk, subject, "信用信息", "records", lambda r: r.get("case_no") == case)
    folder.actions.appeal_record.click()
    dialog = yield dialog_of(folder, FileAppealDialog)
    dialog.appellant.setCurrentIndex(1)
    dialog.reason.insertPlainText("本人仅协助办理结算，认定为重要责任者过重")
    dialog.materials.insertPlainText("科室排班表、结算流程说明")
    yield settled()
    shot("55-file-appeal")
    dialog.ok.click()
    done = yield find(QMessageBox)
    yield settled()
    shot("55a-file-appeal-filed")
    done.accept()
    folder.close()
    window.show_section("工作台")
    workbench = page_of(window, "工作台")
    workbench.reload()
    yield lambda: workbench.refresh.isEnabled() and any(i.kind == "appeal" for i in workbench.model.rows)
    row = next(n for n, i in enumerate(workbench.model.rows) if i.kind == "appeal")
    workbench.table.selectRow(row)
    yield settled()
    shot("55b-workbench-appeal")
    folder = yield from file_on_row(window, reviewer, subject, "异议与修复", "appeals", lambda r: r["state"] == "待处理")
    yield settled()
    shot("55c-file-appeals")
    folder.actions.decide_appeal.click()
    dialog = yield dialog_of(folder, DecideAppealDialog)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("撤销"))
    dialog.answer.insertPlainText("经核查排班和结算记录，申诉人未参与违规结算，撤销其记分。")
    dialog.basis.insertPlainText("济医保发〔2025〕6号 四（八）；结算记录")
    yield settled()
    shot("55d-appeal-decision")
    yield from prompt_cancelled(dialog, "55e-appeal-decision-prompt", shot)
    folder.close()


def exchange_screens(window, shot) -> Step:
    """数据交换 as the administrator: keys made with their fingerprint, then a roster with the usual Excel
    defects checked row by row."""
    import tempfile

    import openpyxl

    window.show_section("数据交换")
    page = page_of(window, "数据交换")
    page.tabs.setCurrentWidget(page.keys_tab)
    yield lambda: "尚未生成" in page.keys_tab.own.text()
    page.keys_tab.make.click()
    yield lambda: "指纹" in page.keys_tab.own.text() and "尚未" not in page.keys_tab.own.text()
    deadline = time.monotonic() + 0.4
    yield lambda: time.monotonic() > deadline
    shot("14a-exchange-keys")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "人员类别", "执业注册号", "执业机构统一社会信用代码"])
    for row in (["李娜", 4.10123456789012e17, "医师", "", "12370921MB0000001X"],
                ["王强 ", "37092119800101", "医师", "", "12370921MB0000001X"],
                ["王强 ", "37092119800101", "医师", "", "12370921MB0000001X"],
                ["赵敏", "370921198001010050", "牙医", "", "12370921MB0000001X"]):
        sheet.append(row)
    path = tempfile.mkdtemp(prefix="creditdesk-shots-") + "/执业人员名册.xlsx"
    book.save(path)
    page.tabs.setCurrentWidget(page.excel_tab)
    page.excel_tab.file.setText(path)
    page.excel_tab.check.click()
    yield lambda: page.excel_tab.model.rowCount() > 0
    deadline = time.monotonic() + 0.4
    yield lambda: time.monotonic() > deadline
    shot("14b-exchange-excel")


def rating_screens(window, shot) -> Step:
    """年度评价 and inspection outcomes: a clerk drafts the institutions' yearly rating, a reviewer and a signer
    take the next steps, the signer publishes it; the clerk records an outcome of a draw of institutions."""
    from datetime import date

    from models.services import inspections, ratings, users
    from views.inspection_outcome import OutcomeDialog
    from views.page_ratings import DraftDialog, PublishDialog

    db, admin = window.runner.db, window.actor
    for username, name, roles in (("zhao", "赵录入", "录入员"), ("qian", "钱审核", "审核员"), ("sun", "孙签发", "签发人")):
        users.add_user(db, actor=admin, username=username, display_name=name, password=PASSWORD, roles=roles)
    clerk, reviewer, signer = (users.authenticate(db, username=u, password=PASSWORD) for u in ("zhao", "qian", "sun"))

    def sign_in(actor):
        return signed_in(window, actor)

    clerk_window = sign_in(clerk)
    clerk_window.show_section("年度评价")
    page = page_of(clerk_window, "年度评价")
    yield lambda: "尚无" in page.facts.text()
    page.draft_button.click()
    dialog = yield find(DraftDialog)
    dialog.year.setValue(date.today().year)
    yield settled()
    shot("60-rating-draft")
    dialog.ok.click()
    yield lambda: page.current is not None and page.lines.rows
    yield settled()
    shot("61-rating-drafted")
    ratings.review(db, actor=reviewer, rating=page.current.uuid)
    ratings.sign_off(db, actor=signer, rating=page.current.uuid)
    signer_window = sign_in(signer)
    signer_window.show_section("年度评价")
    signed = page_of(signer_window, "年度评价")
    yield lambda: signed.current is not None and signed.publish_button.isEnabled()
    signed.publish_button.click()
    publish = yield find(PublishDialog)
    yield settled()
    shot("62-rating-publish")
    publish.ok.click()
    yield lambda: signed.current.state == "已发布"
    yield settled()
    shot("63-rating-published")
    drawn = inspections.draw(db, actor=signer, subject_type="institution", base_ratio="0.5", seed="2026",
                             title="2026年定点医药机构医保基金使用情况抽查").value
    signer_window.close()
    clerk_window.show_section("抽查")
    inspection = page_of(clerk_window, "抽查")
    inspection.load(select=drawn.number)
    yield lambda: inspection.current is not None and inspection.current.number == drawn.number and inspection.items.rows
    inspection.item_table.selectRow(0)
    inspection.outcome_button.click()
    outcome = yield find(OutcomeDialog)
    outcome.outcome.setCurrentIndex(outcome.outcome.findData("违规"))
    outcome.amount.setText("23800.00")
    outcome.note.insertPlainText("串换药品、超量开药，已责令退回。")
    yield lambda: outcome.kind.count() > 0
    yield settled()
    shot("64-inspection-outcome")
    outcome.ok.click()
    yield lambda: "已登记" in inspection.message.text()
    yield settled()
    shot("65-inspection-outcome-recorded")
    clerk_window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="screenshots", help="folder for the PNGs")
    parser.add_argument("--screen", action="append", help="WIDTHxHEIGHT (repeatable); default 1366x768 and 1024x700")
    parser.add_argument("--display-is-set", action="store_true", help="use $DISPLAY instead of starting Xvfb")
    args = parser.parse_args(argv)
    if args.display_is_set:
        return shoot(Path(args.out).resolve())
    for screen in args.screen or SCREENS:  # one process per size: one QApplication per display
        xvfb = start_xvfb(screen)  # sets DISPLAY for the child
        try:
            code = subprocess.call([sys.executable, __file__, str(Path(args.out).resolve() / screen), "--display-is-set"])
        finally:
            xvfb.terminate()
            xvfb.wait()
        if code:
            return code
    return 0


def shoot(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="creditdesk-shots-") as tmp:
        return run_app(out, Path(tmp))


def run_app(out: Path, tmp: Path) -> int:
    from PySide6.QtCore import QSettings

    # The user's remembered window sizes are neither used nor overwritten.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from desktop import gui

    app = gui.make_app()
    # Two sittings on one database: the administrator sets the county up, then a reviewer signs in.
    for script in (drive(out, PASSWORD), drive_reviewer(out, PASSWORD)):
        code = run_session(app, gui, script, out, tmp)
        if code:
            return code
    print(f"saved to {out}")
    return 0


def run_session(app, gui, script: Step, out: Path, tmp: Path) -> int:
    from PySide6.QtCore import QTimer

    state = {"wait": next(script), "failed": None}
    deadline = time.monotonic() + TIMEOUT_S

    def tick() -> None:
        try:
            value = state["wait"]()
            if value:
                state["wait"] = script.send(value)
            elif time.monotonic() > deadline:
                raise TimeoutError(f"等待超过 {TIMEOUT_S} 秒")
        except StopIteration:
            timer.stop()
        except BaseException as exc:  # report and leave, rather than hang under Xvfb
            state["failed"] = exc
            app.screens()[0].grabWindow(0).save(str(out / "failed.png"))  # what the screen showed then
            timer.stop()
            app.exit(2)

    timer = QTimer(app, interval=50, timeout=tick)
    timer.start()
    code = gui.run(str(tmp / "screenshots.sqlite3"))
    timer.stop()
    timer.deleteLater()
    if state["failed"] is not None:
        print(f"screenshots failed: {state['failed']!r}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
