"""Message boxes as a user meets them: the confirmation or result the screen opened, read and answered."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox


def _visible() -> QMessageBox | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)


def message_box(qtbot, timeout: int = 20000) -> QMessageBox:
    """The open box (window-modal, opened without a nested event loop)."""
    qtbot.waitUntil(lambda: _visible() is not None, timeout=timeout)
    return _visible()


def press(qtbot, button: str) -> str:
    """Clicks the button whose label starts with ``button`` in the open box; returns the box's text."""
    box = message_box(qtbot)
    text = box.text()
    qtbot.mouseClick(next(b for b in box.buttons() if b.text().startswith(button)), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())
    return text
