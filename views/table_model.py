"""Table models for the screens: one that pages through a query on the worker, one for short lists.

``PagedTableModel`` holds only the rows fetched so far. ``rowCount`` and ``flags`` answer from
what is loaded; the view asks for more through ``canFetchMore``/``fetchMore`` when the user
scrolls near the end, and the next page is read on the worker thread (Anki's browser model,
Spyder's dataframe editor). A change of search, filter or order starts a new generation: pages
still on their way for an older one are dropped when they arrive.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from views.forms import user_message
from views.qtcompat import emit

PAGE_SIZE = 200
OVERDUE = QColor("#b3261e")
MUTED = QColor("#777777")
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: its title, how a row shows in it and, if sortable, the query's sort key."""

    key: str
    title: str
    value: Callable[[Any], Any]
    sort: str | None = None
    tooltip: Callable[[Any], str | None] | None = None
    numeric: bool = False
    hidden: bool = False  # hidden until the user chooses to show it


def shown(value: Any) -> str:
    """Display text: dates ISO, money with two decimals, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RowsModel(QAbstractTableModel):
    """Rows already in memory (a credit file's records, the work list): a file is small."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Any] = (), parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[Any] = list(rows)
        # Per-row styling: muted (superseded records) and alarm (overdue) rows.
        self.muted: Callable[[Any], bool] = lambda _row: False
        self.alarm: Callable[[Any], bool] = lambda _row: False

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, index: _Index) -> Any:
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None

    # -- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].sort is None:
                return f"{self.columns[section].title}（不可排序）" if self.sortable() else None
        return None

    def sortable(self) -> bool:
        return False

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(column.value(row))
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.alarm(row):
                return QBrush(OVERDUE)
            if self.muted(row):
                return QBrush(MUTED)
            return None
        if role == Qt.ItemDataRole.FontRole and self.muted(row):
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None


class PagedTableModel(RowsModel):
    """Pages through a query on the worker.

    ``fetch(db, offset=, limit=, sort=, descending=) -> list`` and ``count(db) -> int`` run on the
    worker through ``runner.service``; the screen replaces them (``set_query``) when the user
    searches or filters. ``loaded`` is emitted after each page and after the count.
    """

    loaded = Signal()
    failed = Signal(str)

    def __init__(self, runner, columns: Sequence[Column], *, page_size: int = PAGE_SIZE, parent=None):
        super().__init__(columns, parent=parent)
        self.runner = runner
        self.page_size = page_size
        self.fetch: Callable[..., list] | None = None
        self.count: Callable[..., int] | None = None
        self.total: int | None = None
        self.sort_key: str | None = next((c.sort for c in self.columns if c.sort), None)
        self.descending = False
        self._generation = 0
        self._loading = False
        self._exhausted = False

    def sortable(self) -> bool:
        return True

    @property
    def loading(self) -> bool:
        return self._loading

    def set_query(self, fetch: Callable[..., list], count: Callable[..., int]) -> None:
        self.fetch, self.count = fetch, count
        self.reload()

    def reload(self) -> None:
        """Start again from the first page (after a change of query, order or data)."""
        self._generation += 1
        ready = self.fetch is not None and self.runner.db is not None
        self.beginResetModel()
        # Marked as loading before the reset is announced: a view that asks for more while handling
        # the reset must not start a second first page.
        self.rows, self.total, self._exhausted, self._loading = [], None, not ready, ready
        self.endResetModel()
        if not ready:
            return
        generation = self._generation
        self.runner.service(self.count, on_done=lambda n: self._counted(generation, n),
                            on_error=lambda exc: self._failed(generation, exc))
        self._request(generation)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        key, descending = self.columns[column].sort, order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload()

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return not parent.isValid() and self.fetch is not None and not self._loading and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        if self.canFetchMore(parent) and self.runner.db is not None:
            self._loading = True
            self._request(self._generation)

    # -- worker results -------------------------------------------------------------------------

    def _request(self, generation: int) -> None:
        self.runner.service(self.fetch, offset=len(self.rows), limit=self.page_size, sort=self.sort_key,
                            descending=self.descending, on_done=lambda rows: self._arrived(generation, rows),
                            on_error=lambda exc: self._failed(generation, exc))

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            emit(self.loaded)

    def _arrived(self, generation: int, rows: list) -> None:
        if generation != self._generation:
            return  # an answer to a query the user has since replaced
        self._exhausted = len(rows) < self.page_size
        if rows:
            # Still "loading" while the insertion is announced: views and testers may ask for more
            # from inside beginInsertRows, before these rows count towards the next offset.
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self._loading = False
        emit(self.loaded)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading, self._exhausted = False, True  # no retry loop: the user searches again
        emit(self.failed, user_message(exc) or "读取列表时发生意外错误")
        if user_message(exc) is None:
            self.runner.show_error(exc)
