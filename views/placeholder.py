"""A section page that names its title and what the section is for."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from views.forms import heading


class PlaceholderPage(QWidget):
    def __init__(self, title: str, purpose: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = heading(title, 1.6)
        self.purpose = QLabel(purpose)
        self.purpose.setWordWrap(True)
        self.purpose.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.title)
        layout.addSpacing(6)
        layout.addWidget(self.purpose)
        layout.addStretch(1)
