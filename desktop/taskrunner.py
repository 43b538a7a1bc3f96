"""One worker thread for all database work; results come back to the GUI thread by signal.

Modelled on Anki's ``aqt/taskman.py``: the GUI never blocks on SQLite, and the worker never
touches a widget. A single thread (not a pool) keeps SQLite writes in the order the user made
them and leaves no two units of work fighting over the file lock.
"""
from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from models import errors
from views.forms import user_message
from views.qtcompat import emit

# Quick tasks (a sign-in, a lookup) finish before this and never flash a dialog.
PROGRESS_DELAY_MS = 400
PROGRESS_INTERVAL_S = 0.05


@dataclass
class _Task:
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    cancelled: threading.Event = field(default_factory=threading.Event)
    dialog: QProgressDialog | None = None
    receivers: tuple[QObject, ...] = ()

    def receiver_gone(self) -> bool:
        return any(not isValid(r) for r in self.receivers)


def _receivers(*callbacks: Callable[..., Any] | None) -> tuple[QObject, ...]:
    """The Qt objects a callback reaches: the object of a bound method, the ones a lambda or a nested
    function closes over, and so on through the callables it holds (a ``draw`` handed over by a dialog).

    A page may be closed while its query runs; its callbacks must then never run (the C++ side of
    its widgets is gone), so the runner checks these before it delivers a result or an error.
    """
    found: list[QObject] = []
    seen: set[int] = set()
    todo: list[Any] = [cb for cb in callbacks if cb is not None]
    while todo:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, QObject):
            found.append(value)
            continue
        if not callable(value):
            continue
        todo.extend(x for x in (getattr(value, "__self__", None), getattr(value, "func", None)) if x is not None)
        for cell in getattr(value, "__closure__", None) or ():
            try:
                todo.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
    return tuple(dict.fromkeys(found))


class _Worker(QObject):
    """Lives on the worker thread; its slot runs there because it is reached by a queued signal."""

    finished = Signal(int, object)
    failed = Signal(int, object, str)
    progressed = Signal(int, int, int, str)

    @Slot(int, object)
    def execute(self, task_id: int, task: _Task) -> None:
        try:
            result = task.fn(*task.args, **task.kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the user
            emit(self.failed, task_id, exc, traceback.format_exc())
        else:
            emit(self.finished, task_id, result)


class _ProgressDialog(QProgressDialog):
    """Modal progress; a task that cannot be cancelled cannot be dismissed by Esc or × either."""

    def __init__(self, title: str, cancellable: bool, parent: QWidget | None):
        super().__init__(title, "取消(&C)", 0, 0, parent)  # maximum 0: a busy indicator until told a total
        self.cancellable = cancellable
        self.setWindowTitle("请稍候")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(420)
        self.setAutoClose(False)
        self.setAutoReset(False)
        if not cancellable:
            self.setCancelButton(None)
            self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.hide()  # shown after PROGRESS_DELAY_MS, so quick tasks never flash

    def reject(self) -> None:
        if self.cancellable:
            emit(self.canceled)

    def closeEvent(self, event) -> None:
        if self.cancellable:
            emit(self.canceled)
        event.ignore()


class TaskRunner(QObject):
    """Runs ``fn(*args, **kwargs)`` on the worker and calls ``on_done``/``on_error`` on the GUI thread.

    ``db`` is set once the database is open, so screens can use :meth:`service` without ever
    holding the database themselves.
    """

    _submit = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.db = None
        self.dialog_parent: QWidget | None = None  # where error boxes and progress dialogs centre
        self._ids = itertools.count(1)
        self._tasks: dict[int, _Task] = {}
        self._boxes: set[QMessageBox] = set()
        self._thread = QThread()
        self._thread.setObjectName("creditdesk-db")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.execute, Qt.ConnectionType.QueuedConnection)
        self._worker.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._worker.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self._worker.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(self, fn: Callable[..., Any], *args, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, progress_title: str | None = None,
            cancellable: bool = False, **kwargs) -> int:
        """Queue ``fn``; returns the task id. Without ``on_error`` failures are shown in a message box.

        With ``progress_title`` a modal progress dialog is shown and ``fn`` receives
        ``progress=callback(done, total, message) -> bool``; it returns False once the user
        pressed 取消, and ``fn`` is expected to stop (the services raise a ServiceError then).
        """
        task_id = next(self._ids)
        task = _Task(fn, args, kwargs, on_done, on_error, receivers=_receivers(on_done, on_error))
        if progress_title is not None:
            kwargs["progress"] = self._progress_callback(task_id, task)
            task.dialog = self._progress_dialog(task, progress_title, cancellable)
        self._tasks[task_id] = task
        emit(self._submit, task_id, task)
        return task_id

    def service(self, fn: Callable[..., Any], **kwargs) -> int:
        """``run(fn, db, **kwargs)``: services are called as ``fn(db, **kwargs)``."""
        if self.db is None:
            raise RuntimeError("database not open yet")
        return self.run(fn, self.db, **kwargs)

    def cancel(self, task_id: int) -> None:
        task = self._tasks.get(task_id)
        if task is not None:
            task.cancelled.set()

    def show_error(self, exc: BaseException, details: str = "") -> None:
        """Refusals verbatim; anything else as an incident number and where the log is (models/errors.py)."""
        message = user_message(exc)
        box = QMessageBox(self.dialog_parent)
        box.setWindowTitle("提示" if message else "错误")
        box.setIcon(QMessageBox.Icon.Warning if message else QMessageBox.Icon.Critical)
        # Anything else goes to the log under an incident number; the traceback never reaches the user.
        box.setText(message or errors.message(exc, "task"))
        # Without a parent only this reference keeps the box alive until it is dismissed.
        self._boxes.add(box)
        box.finished.connect(lambda _result: self._boxes.discard(box))
        box.open()  # not exec(): a nested event loop would let later results arrive mid-dialog

    def shutdown(self) -> None:
        """Stop after the running task; queued tasks are cancelled so a long import can end early."""
        for task in self._tasks.values():
            task.cancelled.set()
        self._thread.quit()
        self._thread.wait()
        for task_id in list(self._tasks):  # tasks that will never finish: no progress dialog may outlive them
            self._end(task_id)

    # -- worker to GUI thread ------------------------------------------------------------------

    def _progress_callback(self, task_id: int, task: _Task) -> Callable[..., bool]:
        signal = self._worker.progressed  # emitting is thread-safe; delivery is queued
        last = [0.0]

        def progress(done: int, total: int, message: str = "") -> bool:
            # A service may report every row; the GUI needs a few updates a second, not a flood.
            now = time.monotonic()
            if now - last[0] >= PROGRESS_INTERVAL_S or done >= total:
                last[0] = now
                emit(signal, task_id, int(done), int(total), str(message))
            return not task.cancelled.is_set()

        return progress

    def _progress_dialog(self, task: _Task, title: str, cancellable: bool) -> _ProgressDialog:
        dialog = _ProgressDialog(title, cancellable, self.dialog_parent)
        if cancellable:
            def cancel() -> None:
                task.cancelled.set()
                dialog.setLabelText("正在取消，请稍候…")
                dialog.show()  # QProgressDialog hides itself on cancel; keep it up until the task ends

            dialog.canceled.connect(cancel)
        QTimer.singleShot(PROGRESS_DELAY_MS, dialog, lambda: dialog.show() if task.dialog is dialog else None)
        return dialog

    @Slot(int, int, int, str)
    def _progressed(self, task_id: int, done: int, total: int, message: str) -> None:
        task = self._tasks.get(task_id)
        if task is None or task.dialog is None or task.cancelled.is_set() or not isValid(task.dialog):
            return
        task.dialog.setMaximum(max(total, 0))
        task.dialog.setValue(min(done, total) if total > 0 else 0)
        if message:
            task.dialog.setLabelText(message)

    def _end(self, task_id: int) -> _Task | None:
        """The task's record, gone from the queue with its dialog; None when shutdown already ended it."""
        task = self._tasks.pop(task_id, None)
        if task is not None and task.dialog is not None:
            dialog, task.dialog = task.dialog, None
            if isValid(dialog):  # gone with its parent window when the user signed out meanwhile
                dialog.hide()
                dialog.deleteLater()
        return task

    @Slot(int, object)
    def _finished(self, task_id: int, result: Any) -> None:
        task = self._end(task_id)
        if task is not None and task.on_done is not None and not task.receiver_gone():
            task.on_done(result)

    @Slot(int, object, str)
    def _failed(self, task_id: int, exc: BaseException, details: str) -> None:
        task = self._end(task_id)
        if task is None or task.receiver_gone():
            return  # the runner was shut down, or the screen that asked was closed: nobody is left to tell
        if task.on_error is not None:
            task.on_error(exc)
        else:
            self.show_error(exc, details)
