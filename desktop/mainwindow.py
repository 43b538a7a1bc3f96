"""The main window: section navigation on the left, the section's page on the right."""
from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel, QListWidget, QListWidgetItem, QMainWindow, QSplitter, QStackedWidget, QWidget,
)

from desktop import settings
from models.services import backup, standing
from models.services.base import Actor
from views.about_dialog import show_about, show_release_notes_when_due
from views.file_dialogs import save_file_name
from views.help_window import HelpWindow
from views.sections import SECTION_PAGES
from views.settings_backup import DailyBackupSchedule

SECTIONS: tuple[tuple[str, str], ...] = tuple((name, purpose) for name, _module, purpose in SECTION_PAGES)
SETTINGS_KEY = "mainwindow"


def make_page(module_name: str, runner, actor: Actor) -> QWidget:
    """A section's page, its module imported now: pages load when first shown, so signing in does
    not wait for nine screens (and pandas, charts, reportlab) that may not be opened today."""
    return importlib.import_module(f"views.{module_name}").make_page(runner, actor)


NAV_WIDTH = 160


class MainWindow(QMainWindow):
    """``signed_out(True)`` for 切换用户 (another person signs in), ``signed_out(False)`` for 注销."""

    signed_out = Signal(bool)

    def __init__(self, runner, actor: Actor, county_name: str, db_location: str,
                 sqlite_file: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.actor = actor
        self.sqlite_file = sqlite_file
        self.help: HelpWindow | None = None
        self.county_name = county_name
        # Qt appends the application name (医保信用管理系统) to every window title.
        self.setWindowTitle(county_name)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.pages = QStackedWidget()
        self._shortcuts: dict[str, QAction] = {}
        self._built: set[int] = set()
        for number, (name, _module, purpose) in enumerate(SECTION_PAGES, start=1):
            self._add_section(number, name, purpose)
        self.nav.currentRowChanged.connect(self._show_row)
        self.nav.setStyleSheet("QListWidget#navigation { font-size: 11pt; } "
                               "QListWidget#navigation::item { padding: 7px 10px; }")

        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([NAV_WIDTH, 1000])
        self.setCentralWidget(self.splitter)

        self._menus()
        self._status_bar(db_location)
        self._restore()
        self.nav.setCurrentRow(0)
        self.nav.setFocus()

    def start_day(self) -> None:
        """Once shown after sign-in: 更新说明 when due, the daily backup, standings that fell due."""
        show_release_notes_when_due(self.runner, self, self.actor)
        self.daily_backups = DailyBackupSchedule(self.runner, self.actor, self.sqlite_file, self)
        # Standings whose validity ended since the program last ran (a measure ended, a new year began) are
        # brought up to date before anything is read: usually none, at a new year the whole county.
        self.runner.service(standing.refresh_due, actor=self.actor, progress_title="正在更新到期的信用状况…",
                            cancellable=True, on_done=self._refreshed, on_error=self._refresh_stopped)

    def _refreshed(self, run) -> None:
        if run.subjects:
            self.statusBar().showMessage(f"已更新 {run.subjects} 个信用主体的到期信用状况（{run.as_of}）", 10000)

    def _refresh_stopped(self, exc: BaseException) -> None:
        if isinstance(exc, standing.Cancelled):
            self.statusBar().showMessage(str(exc), 10000)
        else:
            self.runner.show_error(exc)

    # -- sections ------------------------------------------------------------------------------

    def _add_section(self, number: int, name: str, purpose: str) -> None:
        item = QListWidgetItem(name)
        item.setToolTip(f"{name}（Ctrl+{number % 10}）")
        self.nav.addItem(item)
        self.pages.addWidget(QWidget())  # the page itself is made when first shown (see page())
        action = QAction(name, self, shortcut=QKeySequence(f"Ctrl+{number % 10}"))
        action.triggered.connect(lambda _checked=False, n=name: self.show_section(n))
        self.addAction(action)  # a window action: the shortcut works whatever has focus
        self._shortcuts[name] = action

    def page(self, name: str) -> QWidget:
        """The section's page, made now if it was never shown."""
        index = self.section_names().index(name)
        if index not in self._built:
            self._built.add(index)
            page = make_page(SECTION_PAGES[index][1], self.runner, self.actor)
            slot = self.pages.widget(index)
            self.pages.insertWidget(index, page)
            self.pages.removeWidget(slot)
            slot.deleteLater()
        return self.pages.widget(index)

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.pages.setCurrentWidget(self.page(self.nav.item(row).text()))

    def section_names(self) -> list[str]:
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def current_section(self) -> str:
        return self.nav.currentItem().text()

    def show_section(self, name: str) -> None:
        self.nav.setCurrentRow(self.section_names().index(name))

    def set_section_enabled(self, name: str, enabled: bool) -> None:
        """For sections a role may not use: greyed in the list and unreachable by shortcut."""
        item = self.nav.item(self.section_names().index(name))
        flags = item.flags()
        on = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        item.setFlags(flags | on if enabled else flags & ~on)
        self._shortcuts[name].setEnabled(enabled)

    # -- menus and status bar --------------------------------------------------------------------

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.backup_action = QAction("备份数据库(&B)…", self, triggered=self._backup)
        file_menu.addAction(self.backup_action)
        if self.sqlite_file is None:
            self.backup_action.setEnabled(False)
            self.backup_action.setToolTip("数据库不是本机文件，请由数据库服务器管理员备份")
        elif not self.actor.can("backup.make"):
            self.backup_action.setEnabled(False)
        file_menu.addSeparator()
        file_menu.addAction(QAction("切换用户(&S)…", self, shortcut=QKeySequence("Ctrl+L"),
                                    triggered=lambda: self.sign_out(switch=True)))
        file_menu.addAction(QAction("注销(&O)", self, triggered=lambda: self.sign_out(switch=False)))
        file_menu.addSeparator()
        # Windows has no standard Quit key; Ctrl+Q is what users of other programs expect.
        file_menu.addAction(QAction("退出(&X)", self, shortcut=QKeySequence("Ctrl+Q"), triggered=self.close))
        help_menu = self.menuBar().addMenu("帮助(&H)")
        help_menu.addAction(QAction("使用手册(&M)", self, shortcut=QKeySequence(QKeySequence.StandardKey.HelpContents),
                                    triggered=self.show_help))
        help_menu.addAction(QAction("关于(&A)", self, triggered=self.about))

    def _status_bar(self, db_location: str) -> None:
        user = QLabel(f"当前用户：{self.actor.display_name}（{self.actor.username}）　角色：{self.actor.role_names or '无'}")
        database = QLabel()
        # A deep path must not widen the window past a 1366-pixel screen: elide, full text on hover.
        database.setText(database.fontMetrics().elidedText(f"数据库：{db_location}", Qt.TextElideMode.ElideMiddle, 520))
        database.setToolTip(db_location)
        self.statusBar().addWidget(user)
        self.statusBar().addPermanentWidget(database)

    def _backup(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        dest = save_file_name(self, "备份数据库", f"信用数据备份-{stamp}.sqlite3", "数据库备份 (*.sqlite3)",
                              purpose="backup", fallback=self.sqlite_file.parent)
        if dest:
            self.runner.service(backup.make_backup, actor=self.actor, dest=dest, progress_title="正在备份数据库…",
                                on_done=lambda done: self.statusBar().showMessage(f"已备份到 {done.value.path}", 10000))

    def show_help(self) -> HelpWindow:
        """F1: the user guide at the section of the page in front."""
        if self.help is None:
            self.help = HelpWindow(self)
        self.help.show_section(self.current_section())
        self.help.show()
        self.help.raise_()
        return self.help

    def sign_out(self, *, switch: bool) -> None:
        """Four-eyes on one PC: the next person signs in without restarting the program."""
        # Long work shows a modal progress dialog, so nothing of consequence is running here; a page
        # still loading its rows is dropped with the page (the runner delivers nothing to it).
        self.signed_out.emit(switch)  # the launcher shows the sign-in dialog, then closes this window

    def about(self) -> None:
        show_about(self.runner, self)

    # -- remembered geometry ---------------------------------------------------------------------

    def _restore(self) -> None:
        # Geometry first: a splitter restored inside a not-yet-sized window squeezes the navigation.
        if not settings.restore_geometry(self, SETTINGS_KEY):
            # First start: fill most of a small office screen (1366×768 is common), centred.
            screen = self.screen().availableGeometry()
            self.resize(min(1280, screen.width() - 40), min(800, screen.height() - 40))
            self.move(screen.center() - self.rect().center())
        self.centralWidget().resize(self.size())
        settings.restore_splitter(self.splitter, SETTINGS_KEY)

    def closeEvent(self, event) -> None:
        settings.save_geometry(self, SETTINGS_KEY)
        settings.save_splitter(self.splitter, SETTINGS_KEY)
        super().closeEvent(event)
