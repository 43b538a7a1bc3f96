"""The notice register as a table model that pages through the database on the worker.

Only the rows fetched so far are held; the view asks for more (``canFetchMore``/``fetchMore``) as the
user scrolls. A new filter starts a new generation and pages still arriving for the old one are dropped.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from models.services import notice_register
from views.qtcompat import emit

PAGE = 200
COLUMNS = (("文号", "doc_number"), ("文书", "type_name"), ("对象", "subject"), ("状态", "state_name"),
           ("成文日期", "issued_on"), ("验证码", "verify_code"), ("送达日期", "delivered_on"), ("异议/申诉截止", "deadline"),
           ("起草日期", "created_at"))


class NoticeRegisterModel(QAbstractTableModel):
    loaded = Signal()

    def __init__(self, runner, parent=None):
        super().__init__(parent)
        self.runner = runner
        self.rows: list[notice_register.RegisterRow] = []
        self.filter = notice_register.RegisterFilter()
        self.total: int | None = None
        self._generation = 0
        self._loading = False
        self._done = True

    def set_filter(self, f: notice_register.RegisterFilter) -> None:
        self.filter = f
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self.beginResetModel()
        self.rows, self.total, self._done, self._loading = [], None, False, True
        self.endResetModel()
        self.runner.service(notice_register.count, filter=self.filter,
                            on_done=lambda n: self._counted(generation, n))
        self._request(generation)

    def row_at(self, index: QModelIndex | QPersistentModelIndex):
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None

    def _request(self, generation: int) -> None:
        self.runner.service(notice_register.page, filter=self.filter, offset=len(self.rows), limit=PAGE,
                            on_done=lambda rows: self._arrived(generation, rows))

    def _counted(self, generation: int, n: int) -> None:
        if generation == self._generation:
            self.total = n
            emit(self.loaded)

    def _arrived(self, generation: int, rows: list) -> None:
        if generation != self._generation:
            return
        self._done = len(rows) < PAGE
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self._loading = False
        emit(self.loaded)

    # -- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._loading and not self._done

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent) and self.runner.db is not None:
            self._loading = True
            self._request(self._generation)

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is None or not 0 <= index.column() < len(COLUMNS):
            return None
        value = getattr(row, COLUMNS[index.column()][1])
        if role == Qt.ItemDataRole.DisplayRole:
            if not value:
                return "（未编号）" if index.column() == 0 else ""
            return value.isoformat() if isinstance(value, date) else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and row.state_name in ("已作废", "已退回"):
            from PySide6.QtGui import QBrush, QColor

            return QBrush(QColor("#777777"))
        return None
