"""One start-up, measured from inside the process (run by bench_startup.py, not by hand).

    startup_probe.py bare|login|rows [DATABASE]

Prints ``<event> <wall-clock seconds>`` lines: ``painted`` when the first window (a bare QLabel, or
the sign-in dialog) has painted; for ``rows`` also ``submitted`` when 登录 was pressed (once the
database is open) and ``rows`` when a table in the main window painted with rows in it. The
program is started exactly as ``credit-desk gui`` starts it; the probe only watches paint events. A
message box (a warning, an error) ends the run with ``message`` and its text: nothing is measured then.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
PASSWORD = "abc12345"


def say(event: str) -> None:
    print(event, f"{time.time():.6f}", flush=True)


class Probe(QObject):
    def __init__(self, app: QApplication, mode: str):
        super().__init__()
        self.app, self.mode = app, mode
        self.state = "start"

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.Paint or not obj.isWidgetType():
            return False
        window = type(obj.window()).__name__
        if isinstance(obj.window(), QMessageBox) and self.state != "message":  # what is measured did not happen
            self.state = "message"
            say("message")
            print(obj.window().text(), flush=True)
            QTimer.singleShot(0, lambda: self.app.exit(1))
            return False
        if self.state == "start" and window in ("QLabel", "LoginDialog"):
            self.state = "painted"
            say("painted")
            if self.mode == "rows":
                QTimer.singleShot(0, lambda: self.submit(obj.window()))
            else:
                QTimer.singleShot(0, lambda: self.app.exit(0))
        elif self.state == "submitted" and window == "MainWindow":
            view = obj.parent()
            if isinstance(view, QAbstractItemView) and view.model() is not None and view.model().rowCount() > 0:
                self.state = "rows"
                say("rows")
                QTimer.singleShot(0, lambda: self.app.exit(0))
        return False

    def submit(self, dialog) -> None:
        if dialog.county.text() == "正在打开数据库…":  # the worker is still opening the file
            QTimer.singleShot(5, lambda: self.submit(dialog))
            return
        dialog.password.setText(PASSWORD)
        self.state = "submitted"
        say("submitted")
        dialog.ok.click()


def main() -> int:
    mode = sys.argv[1]
    app = QApplication(sys.argv[:1])
    probe = Probe(app, mode)
    app.installEventFilter(probe)
    if mode == "bare":
        label = QLabel("医保信用管理系统")
        label.show()
        return app.exec()
    from desktop.cli import main as credit_desk  # the whole `credit-desk gui` path, argument parsing included

    return credit_desk(["--db", sys.argv[2], "gui"])


if __name__ == "__main__":
    raise SystemExit(main())
