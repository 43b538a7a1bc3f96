"""What the exchange screens share: a small read-only table model, a path field with a browse button,
and worker-side wrappers that read files off the GUI thread."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLineEdit, QPushButton, QTableView, QWidget

from models.validation import MAX_FILE, ValidationError, read_input
from views.file_dialogs import existing_directory, open_file_name, save_file_name


class RowsModel(QAbstractTableModel):
    """A few hundred rows at most (a package summary, an error report, the package history)."""

    def __init__(self, headers: Sequence[str], parent=None):
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[tuple] = []
        self.keys: list = []  # one value per row for the screen's own use (a package's UUID)

    def set_rows(self, rows: Sequence[Sequence], keys: Sequence | None = None) -> None:
        self.beginResetModel()
        self.rows = [tuple(r) for r in rows]
        self.keys = list(keys) if keys is not None else [None] * len(self.rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (0 <= index.column() < len(self.headers)):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.rows[index.row()][index.column()]
            return "" if value is None else str(value)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags


def button_row(*buttons: QPushButton) -> QWidget:
    """Buttons at their natural width on the left, as a form row (a bare button in a form fills the row)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for b in buttons:
        layout.addWidget(b)
    layout.addStretch(1)
    return row


def table(model: RowsModel, stretch_last: bool = True) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    return view


class PathField(QWidget):
    """A path typed or chosen with 浏览…; ``mode`` is open, save or folder."""

    def __init__(self, mode: str, caption: str, pattern: str = "", parent=None):
        super().__init__(parent)
        self.mode, self.caption, self.pattern = mode, caption, pattern
        self.edit = QLineEdit()
        self.browse = QPushButton("浏览…")
        self.browse.clicked.connect(self._choose)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self.setFocusProxy(self.edit)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def _choose(self) -> None:
        start = self.text()
        if self.mode == "folder":
            chosen = existing_directory(self, self.caption, purpose="exchange", start=start)
        elif self.mode == "save":
            chosen = save_file_name(self, self.caption, start or "", self.pattern, purpose="exchange")
        else:
            chosen = open_file_name(self, self.caption, self.pattern, purpose="exchange",
                                    fallback=Path(start).parent if start else None)
        if chosen:
            self.edit.setText(chosen)


def read_then(fn, what: str):
    """Worker-side: read the file at ``path`` and call ``fn(db, data=…, filename=…, **kw)``."""
    def run(db, *, path: str, **kwargs):
        if not path:
            raise ValidationError(what, "请选择文件")
        return fn(db, data=read_input(path, what, MAX_FILE), filename=Path(path).name, **kwargs)

    return run
