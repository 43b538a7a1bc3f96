"""The GUI entry point: open the database on the worker, first run or sign-in, then the main window.

Qt is imported here and below only: ``desktop.cli`` imports this module lazily for ``gui``, so the
command line stays fast and works on a PC without a display. For the same reason of speed this
module imports only what the sign-in dialog needs; the database layer loads on the worker while
the dialog paints, and the main window (with its pages) once someone has signed in.
"""
from __future__ import annotations

import importlib
import sys
from importlib import resources

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import settings
from desktop.taskrunner import TaskRunner
from models import errors
from views.forms import later
from views.login import LoginDialog

# Windows first (微软雅黑 is on every Chinese Windows PC), then macOS and Linux fallbacks.
CJK_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
                "Source Han Sans SC", "WenQuanYi Micro Hei")


def _bundled_fonts() -> None:
    folder = resources.files("resources") / "fonts"
    for entry in folder.iterdir() if folder.is_dir() else []:
        if entry.name.lower().endswith((".ttf", ".ttc", ".otf")):
            with resources.as_file(entry) as path:
                QFontDatabase.addApplicationFont(str(path))


def ensure_cjk_font(app: QApplication) -> None:
    """Make the default font one that has Chinese glyphs.

    Qt's per-glyph fallback would find one anyway on most systems, but mixes two fonts in one
    line (an English Windows gives Segoe UI Latin beside a random CJK face); with no CJK font at
    all every character is a box, so a font shipped in resources/fonts is tried last.
    """
    chinese = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    if not chinese:
        _bundled_fonts()
        chinese = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    current = app.font()
    if current.family() in chinese or not chinese:
        return
    family = next((f for f in CJK_FAMILIES if f in chinese), sorted(chinese)[0])
    font = QFont(family)
    font.setPointSizeF(current.pointSizeF())
    app.setFont(font)


class MissingTexts(QTranslator):
    """Texts of Qt's own file dialog that qtbase_zh_CN lacks (its labels with a mnemonic); every
    other text falls through to the translation above."""

    TEXTS = {("QFileDialog", "&Look in:"): "查找范围(&I)：", ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
             ("QFileSystemModel", "Size"): "大小"}

    def translate(self, context, source, disambiguation=None, n=-1):
        return self.TEXTS.get((context, source))  # None: not ours, the next translation answers

    def isEmpty(self) -> bool:
        return False


def make_app() -> QApplication:
    """The QApplication with names (for QSettings), Chinese Qt texts and a CJK font."""
    app = QApplication.instance() or QApplication(sys.argv[:1])  # our arguments are not Qt's
    if app.property("creditdesk-ready"):  # tests and tools/screenshots.py set up the app first
        return app
    app.setProperty("creditdesk-ready", True)
    app.setOrganizationName(settings.ORGANISATION)
    app.setApplicationName(settings.APPLICATION)
    app.setApplicationDisplayName("医保信用管理系统")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)  # standard buttons and dialogs: 确定/取消, 文件对话框, 打印预览
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    app.installTranslator(MissingTexts(app))  # asked first: only what qtbase_zh_CN lacks
    ensure_cjk_font(app)
    return app


# Start-up time: the sign-in dialog paints before anything else is loaded. What follows it is imported
# when first needed, from here (the dialog's own password check is views/login.py's ``authenticate``):
# the database layer by the worker's first task while the dialog is up (desktop/opening.py), the main
# window with its services once someone has signed in, the first-run dialog on a new database only.
OPENING, MAIN_WINDOW, FIRST_RUN = "desktop.opening", "desktop.mainwindow", "views.first_run"
open_for_gui = later(OPENING, "open_for_gui")
OPEN_AT_LATEST_MS = 1000


def deferred(module: str):
    return importlib.import_module(module)


class Launcher(QObject):
    """Walks through start-up one step per callback; each step's window is kept referenced here."""

    def __init__(self, app: QApplication, runner: TaskRunner, db_arg: str | None):
        super().__init__(app)
        self.app = app
        self.runner = runner
        self.db_arg = db_arg
        self.opened = None  # desktop.opening.Opened
        self.county_name = ""
        self.window = None
        self.dialog = None
        self._done_dialogs = []  # see _show_dialog
        self._opening = False
        self.exit_code = 0

    def start(self) -> None:
        # No window exists until the database is open; do not quit when a dialog closes in between.
        self.app.setQuitOnLastWindowClosed(False)
        username = settings.last_username()
        if username:
            # Someone signed in on this PC before: they can type while the database opens, which the
            # dialog says (no progress box over it). The worker starts once the dialog is on screen, so
            # its imports and checks (seconds on a county) never delay the first paint.
            self._login(None, username)
            self.dialog.painted.connect(self._open, Qt.ConnectionType.QueuedConnection)
            QTimer.singleShot(OPEN_AT_LATEST_MS, self, self._open)  # a dialog never painted (a locked screen)
        else:
            self._open("正在打开数据库…")

    def _open(self, progress_title: str | None = None) -> None:
        if self._opening:
            return
        self._opening = True
        self.runner.run(open_for_gui, self.db_arg, progress_title=progress_title,
                        on_done=self._opened, on_error=self._open_failed)

    def _opened(self, opened) -> None:
        self.opened = opened
        self.runner.db = opened.db
        if opened.tampered:
            QMessageBox.warning(None, "数据完整性警告", opened.tampered)
        if opened.county is None:
            self._show_dialog(deferred(FIRST_RUN).FirstRunDialog(self.runner, opened.profiles, provinces=opened.provinces),
                              self._initialised)
        elif isinstance(self.dialog, LoginDialog):
            self.county_name = opened.county.name
            self.dialog.database_ready(opened.county.name)
        else:
            self._login(opened.county.name, settings.last_username())

    def _open_failed(self, exc: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, "无法打开数据库",
                          f"无法打开数据库，程序不能继续。\n\n数据库：{deferred(OPENING).describe_location(self.db_arg)}\n\n"
                          "请确认这是本系统的数据库文件、所在文件夹可以写入，且没有其他程序正在升级该数据库。\n\n"
                          + errors.message(exc, "open database"))
        box.exec()  # nothing else is running yet: blocking here is the simplest correct thing
        self.exit_code = 1
        self.app.exit(1)

    def _show_dialog(self, dialog, on_accepted) -> None:
        # Each step starts inside the previous dialog's accepted signal: dropping the last Python
        # reference there would delete that dialog in the middle of its own done().
        if self.dialog is not None:
            self._done_dialogs.append(self.dialog)
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.accepted.connect(on_accepted)
        dialog.rejected.connect(self.app.quit)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _initialised(self) -> None:
        self._login(self.dialog.county.name, self.dialog.admin.username)

    def _signed_out(self, switch: bool) -> None:
        """切换用户 or 注销: the window goes, the sign-in dialog comes; the database stays open."""
        window, self.window = self.window, None
        self.app.setQuitOnLastWindowClosed(False)
        self.runner.dialog_parent = None
        self._login(self.county_name, "" if switch else settings.last_username())
        window.close()  # remembers its geometry
        window.deleteLater()  # its pages, open credit files and their pending results go with it

    def _login(self, county_name: str | None, username: str) -> None:
        self.county_name = county_name or ""
        self._show_dialog(LoginDialog(self.runner, county_name, username), self._signed_in)

    def _signed_in(self) -> None:
        actor = self.dialog.actor
        settings.set_last_username(actor.username)
        self.window = deferred(MAIN_WINDOW).MainWindow(self.runner, actor, self.county_name, self.opened.location,
                                                       self.opened.sqlite_file)
        self.runner.dialog_parent = self.window
        self.window.signed_out.connect(self._signed_out)
        self.window.show()
        self.app.setQuitOnLastWindowClosed(True)
        self.window.start_day()


def run(db_arg: str | None) -> int:
    """``credit-desk gui [--db PATH]``: returns the process exit code."""
    app = make_app()
    runner = TaskRunner()
    # A slip in a screen's own code (on the GUI thread) is logged and told like any other failure.
    sys.excepthook = lambda _type, exc, _tb: runner.show_error(exc)
    launcher = Launcher(app, runner, db_arg)
    launcher.start()
    code = app.exec()
    runner.shutdown()
    if launcher.opened is not None:
        launcher.opened.db.dispose()
    return launcher.exit_code or code
