"""UI state remembered between sessions for the screens in views/ (splitters, dialog sizes, choices).

``desktop/settings.py`` keeps the main window's; views sit below desktop and cannot import it, so
the same QSettings store is used directly (as views/table_view.py does for column choices).
Nothing with legal weight is kept here.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget


def _bytes(key: str) -> QByteArray | None:
    value = QSettings().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Restore the divider now and save it whenever the user moves it."""
    saved = _bytes(f"{key}/splitter")
    if saved is not None:
        splitter.restoreState(saved)
    splitter.splitterMoved.connect(lambda *_: QSettings().setValue(f"{key}/splitter", splitter.saveState()))


def restore_geometry(widget: QWidget, key: str) -> bool:
    saved = _bytes(f"{key}/geometry")
    return saved is not None and widget.restoreGeometry(saved)


def save_geometry(widget: QWidget, key: str) -> None:
    QSettings().setValue(f"{key}/geometry", widget.saveGeometry())


def choice(key: str, default: str = "") -> str:
    return str(QSettings().value(key, default) or default)


def set_choice(key: str, value: str) -> None:
    QSettings().setValue(key, value)
