"""A table view that remembers the user's columns and widths, and opens a row on Enter or double-click.

The header's state (widths, order, hidden columns, sort indicator) is kept in QSettings under
``tables/<key>``. ``desktop/settings.py`` cannot be used from here (views sit below desktop), so
the same QSettings store is used directly; nothing with legal weight is kept there.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu, QTableView, QWidget

from views.qtcompat import emit
from views.table_model import RowsModel

SAVE_DELAY_MS = 400  # dragging a column edge resizes many times; write once it settles


class RecordTable(QTableView):
    """``opened(row)`` when the user double-clicks a row or presses Enter on it."""

    opened = Signal(object)

    def __init__(self, settings_key: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings_key = settings_key
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the next control
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda pos: self.column_menu().exec(header.mapToGlobal(pos)))
        self.doubleClicked.connect(self._open)
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS, timeout=self.save_columns)
        self._restored = False
        self._fitted = False

    # -- model and remembered columns ----------------------------------------------------------

    def setModel(self, model: RowsModel) -> None:
        super().setModel(model)
        for number, column in enumerate(model.columns):
            self.setColumnHidden(number, column.hidden)
        self.resizeColumnsToContents()
        self._restore()
        header = self.horizontalHeader()
        # Saved only once the widths mean something: restored ones, or fitted to real rows. Sizing an
        # empty table to its headers must not become the remembered state of every later window.
        for signal in (header.sectionResized, header.sectionMoved, header.sortIndicatorChanged):
            signal.connect(lambda *_: self._save_timer.start() if self._restored or self._fitted else None)
        # Widths from the first rows that arrive (an empty table can only measure its headers).
        model.rowsInserted.connect(lambda *_: self._first_rows())
        model.modelReset.connect(self._first_rows)

    def _first_rows(self) -> None:
        if not self._fitted and self.model().rowCount():
            self._fitted = True
            self.fit_columns()

    def _restore(self) -> None:
        if not self.settings_key:
            return
        saved = QSettings().value(f"tables/{self.settings_key}/header")
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            self.horizontalHeader().restoreState(saved)
            self._restored = True

    def save_columns(self) -> None:
        if self.settings_key:
            QSettings().setValue(f"tables/{self.settings_key}/header", self.horizontalHeader().saveState())

    def column_menu(self) -> QMenu:
        """Which columns to show: from the header's context menu or the screen's 列 button."""
        menu = QMenu(self)
        model = self.model()
        for number, column in enumerate(model.columns):
            action = QAction(column.title, menu, checkable=True, checked=not self.isColumnHidden(number))
            action.toggled.connect(lambda on, n=number: self._show_column(n, on))
            menu.addAction(action)
        return menu

    def _show_column(self, number: int, on: bool) -> None:
        if not on and self.horizontalHeader().count() - self.horizontalHeader().hiddenSectionCount() <= 1:
            return  # the last visible column stays
        self.setColumnHidden(number, not on)
        if on and self.columnWidth(number) < 20:
            self.resizeColumnToContents(number)
        self.save_columns()

    def fit_columns(self, widest: int = 320) -> None:
        """First-time widths from the contents, capped so one long text does not push others away.

        Widths the user set (restored from QSettings) are left alone."""
        if self._restored:
            return
        self.resizeColumnsToContents()
        for number in range(self.horizontalHeader().count()):
            self.setColumnWidth(number, min(self.columnWidth(number) + 12, widest))

    # -- opening a row --------------------------------------------------------------------------

    def current_row(self):
        return self.model().row_at(self.currentIndex()) if self.model() is not None else None

    def _open(self, index: QModelIndex) -> None:
        row = self.model().row_at(index)
        if row is not None:
            emit(self.opened, row)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return  # handled: a dialog's default button must not fire as well
        super().keyPressEvent(event)


def copy_action(table: RecordTable) -> QAction:
    """Ctrl+C copies the selected row as tab-separated text (for pasting into a report)."""
    def copy() -> None:
        index = table.currentIndex()
        if index.isValid():
            model = table.model()
            cells = [model.data(model.index(index.row(), c)) or "" for c in range(model.columnCount())
                     if not table.isColumnHidden(c)]
            QApplication.clipboard().setText("\t".join(cells))

    action = QAction("复制", table, shortcut=QKeySequence.StandardKey.Copy, triggered=copy)
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    table.addAction(action)
    return action
