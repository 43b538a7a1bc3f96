"""File dialogs that start in the folder the user chose last (per user, QSettings).

Their texts are Chinese through the Qt translation installed at start-up (desktop/gui.py).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

FOLDER_KEY = "files/last_folder"


def last_folder() -> Path:
    return Path(QSettings().value(FOLDER_KEY) or Path.home())


def _remember(path: str) -> str:
    if path:
        QSettings().setValue(FOLDER_KEY, str(Path(path).parent))
    return path


def save_file_name(parent: QWidget, title: str, name: str, filter_: str) -> str:
    """``name``: the suggested file name (a bare name goes into the last folder)."""
    suggested = Path(name) if Path(name).is_absolute() else last_folder() / name
    return _remember(QFileDialog.getSaveFileName(parent, title, str(suggested), filter_)[0])


def open_file_name(parent: QWidget, title: str, filter_: str) -> str:
    return _remember(QFileDialog.getOpenFileName(parent, title, str(last_folder()), filter_)[0])


def open_file_names(parent: QWidget, title: str, filter_: str) -> list[str]:
    paths = QFileDialog.getOpenFileNames(parent, title, str(last_folder()), filter_)[0]
    if paths:
        _remember(paths[0])
    return paths
