"""UI state remembered between sessions (QSettings). Nothing with legal weight is kept here.

QSettings() without arguments uses the organisation and application names set in gui.py, so
on Windows this is HKEY_CURRENT_USER\\Software\\CreditDesk\\CreditDesk: per user, per PC.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget

ORGANISATION = APPLICATION = "CreditDesk"


def _settings() -> QSettings:
    return QSettings()


def _bytes(key: str) -> QByteArray | None:
    value = _settings().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_geometry(widget: QWidget, key: str) -> None:
    _settings().setValue(f"{key}/geometry", widget.saveGeometry())


def restore_geometry(widget: QWidget, key: str) -> bool:
    """False when nothing was saved yet, so the caller picks a first-start size."""
    saved = _bytes(f"{key}/geometry")
    return saved is not None and widget.restoreGeometry(saved)


def save_splitter(splitter: QSplitter, key: str) -> None:
    _settings().setValue(f"{key}/splitter", splitter.saveState())


def restore_splitter(splitter: QSplitter, key: str) -> bool:
    saved = _bytes(f"{key}/splitter")
    return saved is not None and splitter.restoreState(saved)


def last_username() -> str:
    return str(_settings().value("login/username", "") or "")


def set_last_username(username: str) -> None:
    _settings().setValue("login/username", username)
