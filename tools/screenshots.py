"""Screenshots of the real program on a 1366×768 screen, for looking at what users will see.

    .venv/bin/python tools/screenshots.py [OUT_DIR]      (default ./screenshots)

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

SCREEN = "1366x768x24"
TIMEOUT_S = 120  # small demo data takes seconds; a stuck step should not hang CI forever
SECTION_FILES = ("workbench", "credit-files", "violations", "objections-repairs", "grades", "inspections",
                 "notices", "exchange", "settings")


def start_xvfb() -> subprocess.Popen:
    """Xvfb picks a free display itself and writes its number to the pipe (-displayfd)."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
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


def drive(out: Path, password: str) -> Step:
    """Yields conditions; each resumes the script with the condition's value once it is truthy."""
    from PySide6.QtTest import QTest
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

    from desktop.mainwindow import MainWindow
    from views.first_run import FirstRunDialog
    from views.login import LoginDialog

    def find(kind):
        return lambda: next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)

    def settled(seconds: float = 0.4):
        deadline = time.monotonic() + seconds  # X maps and paints asynchronously
        return lambda: time.monotonic() > deadline

    def shot(name: str) -> None:
        QApplication.screens()[0].grabWindow(0).save(str(out / f"{name}.png"))
        print(f"  {name}.png")

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
    QTimer.singleShot(0, window.about)  # QMessageBox.about blocks; open it outside this step
    about = yield find(QMessageBox)
    yield settled()
    shot("15-about")
    about.accept()
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="screenshots", help="folder for the PNGs")
    parser.add_argument("--display-is-set", action="store_true", help="use $DISPLAY instead of starting Xvfb")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    xvfb = None if args.display_is_set else start_xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="creditdesk-shots-") as tmp:
            return run_app(out, Path(tmp))
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()


def run_app(out: Path, tmp: Path) -> int:
    from PySide6.QtCore import QSettings, QTimer

    # The user's remembered window sizes are neither used nor overwritten.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from desktop import gui

    app = gui.make_app()
    script = drive(out, "demo2024a")
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
    if state["failed"] is not None:
        print(f"screenshots failed: {state['failed']!r}", file=sys.stderr)
        return 2
    print(f"saved to {out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
