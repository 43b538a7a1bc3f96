"""The worker thread: results and refusals reach the GUI thread; long work can be cancelled."""
from __future__ import annotations

import re
import threading
import time

from PySide6.QtCore import Qt
import shiboken6
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressDialog, QPushButton

from models.services.base import ServiceError


class Cancelled(ServiceError):
    pass


def visible(kind):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def count_until_cancelled(*, progress, limit_s: float = 20.0) -> int:
    """Like a long import: reports each step and stops when the progress callback says so."""
    deadline = time.monotonic() + limit_s
    step = 0
    while time.monotonic() < deadline:
        step += 1
        if not progress(step, 1_000_000, f"第{step}步"):
            raise Cancelled("已取消")
        time.sleep(0.002)  # the work being simulated, on the worker thread
    return step


def test_result_is_computed_on_the_worker_and_delivered_on_the_gui_thread(qtbot, runner):
    gui = threading.get_ident()
    seen = {}

    def work(a, *, b):
        seen["worker"] = threading.get_ident()
        return a + b

    runner.run(work, 2, b=3, on_done=lambda result: seen.update(result=result, done=threading.get_ident()))
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"worker": seen["worker"], "result": 5, "done": gui}
    assert seen["worker"] != gui
    assert not runner.busy


def test_tasks_run_one_at_a_time_in_the_order_given(qtbot, runner):
    order = []
    for n in range(5):
        runner.run(lambda n=n: (time.sleep(0.01 * (5 - n)), n)[1], on_done=order.append)
    qtbot.waitUntil(lambda: len(order) == 5)
    assert order == [0, 1, 2, 3, 4]


def test_a_refusal_reaches_on_error_on_the_gui_thread(qtbot, runner):
    got = {}

    def refuse():
        raise ServiceError("用户名或密码错误")

    runner.run(refuse, on_error=lambda exc: got.update(exc=exc, thread=threading.get_ident()))
    qtbot.waitUntil(lambda: "exc" in got)
    assert str(got["exc"]) == "用户名或密码错误"
    assert got["thread"] == threading.get_ident()


def test_unexpected_error_is_shown_as_an_incident_number_and_logged_without_a_traceback_for_the_user(
        qtbot, runner, tmp_path):
    from models import errors

    errors.setup_logging(tmp_path)

    def fail():
        raise RuntimeError("张三 370921198001010018")  # a message that must never reach the log

    runner.run(fail)
    qtbot.waitUntil(lambda: bool(visible(QMessageBox)))
    box = visible(QMessageBox)[0]
    incident = re.search(r"事件编号 ([0-9A-F]{8})", box.text())[1]
    assert "Traceback" not in box.text() and "RuntimeError" not in box.text() and box.detailedText() == ""
    log = errors.log_path().read_text(encoding="utf-8")
    assert f"incident {incident}" in log and "RuntimeError" in log
    assert "张三" not in log and "370921198001010018" not in log
    box.close()


def test_a_refusal_without_handler_is_shown_verbatim(qtbot, runner):
    runner.run(lambda: (_ for _ in ()).throw(ServiceError("数据库尚未初始化")))
    qtbot.waitUntil(lambda: bool(visible(QMessageBox)))
    box = visible(QMessageBox)[0]
    assert box.text() == "数据库尚未初始化"
    assert box.detailedText() == ""
    box.close()


def test_cancel_button_stops_the_task_and_reports_the_cancellation(qtbot, runner):
    got = {}
    runner.run(count_until_cancelled, progress_title="正在载入演示数据…", cancellable=True,
               on_done=lambda r: got.update(done=r), on_error=lambda e: got.update(error=e))
    qtbot.waitUntil(lambda: bool(visible(QProgressDialog)))
    dialog = visible(QProgressDialog)[0]
    qtbot.waitUntil(lambda: dialog.maximum() == 1_000_000 and dialog.value() > 0)
    assert dialog.isModal()
    cancel = [b for b in dialog.findChildren(QPushButton) if b.text() == "取消(&C)"]
    qtbot.mouseClick(cancel[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "error" in got or "done" in got, timeout=10_000)
    assert isinstance(got.get("error"), Cancelled)
    assert not visible(QProgressDialog)


def test_escape_cancels_a_cancellable_task(qtbot, runner):
    got = {}
    runner.run(count_until_cancelled, progress_title="正在导入…", cancellable=True, on_error=lambda e: got.update(e=e))
    qtbot.waitUntil(lambda: bool(visible(QProgressDialog)))
    qtbot.keyClick(visible(QProgressDialog)[0], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "e" in got, timeout=10_000)
    assert isinstance(got["e"], Cancelled)


def test_a_task_that_cannot_be_cancelled_offers_no_way_to_dismiss_its_dialog(qtbot, runner):
    release = threading.Event()
    done = []

    def wait(*, progress):
        release.wait(20)
        return "ok"

    task = runner.run(wait, progress_title="正在打开数据库…", on_done=done.append)
    qtbot.waitUntil(lambda: bool(visible(QProgressDialog)))
    dialog = visible(QProgressDialog)[0]
    assert not [b for b in dialog.findChildren(QPushButton) if b.isVisible()]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible()
    runner.cancel(task)  # cancelling is only a request; this task ignores it and finishes
    release.set()
    qtbot.waitUntil(lambda: done == ["ok"])
    assert not visible(QProgressDialog)


class _Page(QLabel):
    def __init__(self):
        super().__init__()
        self.shown = []

    def show_result(self, value):
        self.setText(str(value))  # touches the C++ object: raises once it was deleted
        self.shown.append(value)


def test_a_result_for_a_page_closed_meanwhile_is_dropped_not_delivered(qtbot, runner):
    """A screen closed while its query ran must not be called back (its widgets are gone)."""
    gate = threading.Event()
    pages = [_Page() for _ in range(3)]
    runner.run(gate.wait, on_done=pages[0].show_result)  # a bound method
    page1, page2 = pages[1], pages[2]
    runner.run(lambda: 1, on_done=lambda v: page1.show_result(v))  # a lambda closing over the page, as `self`
    runner.run(lambda: 2, on_done=lambda v: page2.show_result(v), on_error=lambda e: page2.show_result(e))
    for page in pages:
        page.deleteLater()
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(p) for p in pages))
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert not visible(QMessageBox)  # nothing failed on the GUI thread


def test_a_result_for_a_dialog_closed_meanwhile_is_dropped_when_the_callback_reaches_it_indirectly(qtbot, runner):
    """A page passes on a dialog's method (the print preview's ``draw``): the dialog closed, nothing is drawn."""
    gate = threading.Event()
    dialog = _Page()

    def on_print(draw):
        runner.run(gate.wait, on_done=lambda value: draw(value))

    on_print(dialog.show_result)
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert not visible(QMessageBox)


def test_an_error_for_a_page_closed_meanwhile_shows_no_box(qtbot, runner):
    gate = threading.Event()
    page = _Page()

    def refuse():
        gate.wait()
        raise ServiceError("已拒绝")

    runner.run(refuse, on_done=page.show_result)
    page.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(page))
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert not visible(QMessageBox)


def test_a_progress_dialog_of_a_task_left_queued_at_shutdown_never_appears(qtbot):
    """Closing the program (or a test) with work still queued leaves no orphaned progress dialog on screen."""
    from desktop.taskrunner import PROGRESS_DELAY_MS, TaskRunner

    gate = threading.Event()
    other = TaskRunner()
    other.run(gate.wait, 5)
    other.run(lambda *, progress: None, progress_title="正在更新…", cancellable=True)
    gate.set()
    other.shutdown()
    qtbot.wait(PROGRESS_DELAY_MS + 200)
    assert not [d for d in visible(QProgressDialog) if d.labelText() == "正在更新…"]


def test_a_result_arriving_after_shutdown_is_dropped_quietly(qtbot):
    """The task that was running when the program closed still reports back: nobody is left to tell."""
    from desktop.taskrunner import TaskRunner

    other = TaskRunner()
    got, started = [], threading.Event()

    def slow():
        started.set()
        time.sleep(0.3)
        return "late"

    other.run(slow, on_done=got.append)
    assert started.wait(5)
    other.shutdown()  # waits for the running task; its result is queued to the GUI thread
    qtbot.wait(300)  # delivered now: no exception in the event loop, no callback
    assert got == []
