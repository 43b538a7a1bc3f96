"""A section page with a register on the left and the selected entry on the right (抽查, 年度评价): the layout,
loading when first shown, and dialogs opened without a nested event loop and kept referenced while open."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from views.settings_remembered import remember_splitter


class ListDetailPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded_once = False
        self._keep: list = []  # dialogs open without exec(), kept referenced until closed

    def lay_out(self, key: str, heading_row: QHBoxLayout, purpose: QLabel, register: QWidget,
                detail: list, actions: QHBoxLayout, table: QWidget, message: QLabel, left_width: int) -> None:
        """``detail``: the widgets above the actions (heading, facts); ``table`` takes the rest of the height."""
        side = QWidget()
        right = QVBoxLayout(side)
        right.setContentsMargins(6, 0, 0, 0)
        for widget in detail:
            right.addWidget(widget)
        right.addLayout(actions)
        right.addWidget(table, 1)
        right.addWidget(message)
        self.splitter = QSplitter()
        self.splitter.addWidget(register)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([left_width, 1160 - left_width])
        self.splitter.setChildrenCollapsible(False)
        remember_splitter(self.splitter, key)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(heading_row)
        layout.addWidget(purpose)
        layout.addWidget(self.splitter, 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.load()

    def load(self) -> None:  # pragma: no cover - every page defines it
        raise NotImplementedError

    def _open(self, dialog) -> None:
        self._keep.append(dialog)
        dialog.finished.connect(lambda _r: self._keep.remove(dialog) if dialog in self._keep else None)
        dialog.open()  # window-modal, no nested event loop
