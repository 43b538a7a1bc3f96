"""Every file dialog of the program: Qt's own dialog (the same on every PC, in Chinese through the
qtbase_zh_CN translation installed at start-up, desktop/gui.py), starting in the folder the user
chose last for the same purpose (per user, QSettings).

Purposes keep their folders apart: exports go to one place, attachments come from another,
backups and exchange packages from a third. The first time a purpose is used the dialog starts
in ``fallback`` when the caller has a better place than the home folder (e.g. beside the database).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

FOLDER_KEY = "files/last_folder"
OPTIONS = QFileDialog.Option.DontUseNativeDialog  # native dialogs follow the OS language, and differ by PC


def _key(purpose: str) -> str:
    return f"{FOLDER_KEY}/{purpose}"


def last_folder(purpose: str = "export", fallback: str | Path | None = None) -> Path:
    stored = QSettings().value(_key(purpose))
    if stored and Path(stored).is_dir():
        return Path(stored)
    return Path(fallback) if fallback and Path(fallback).is_dir() else Path.home()


def remember(purpose: str, path: str, *, folder: bool = False) -> str:
    if path:
        QSettings().setValue(_key(purpose), str(Path(path) if folder else Path(path).parent))
    return path


def save_file_name(parent: QWidget, title: str, name: str, filter_: str, *, purpose: str = "export",
                   fallback: str | Path | None = None) -> str:
    """``name``: the suggested file name (a bare name goes into the purpose's last folder)."""
    suggested = Path(name) if Path(name).is_absolute() else last_folder(purpose, fallback) / name
    path = QFileDialog.getSaveFileName(parent, title, str(suggested), filter_, options=OPTIONS)[0]
    return remember(purpose, path)


def open_file_name(parent: QWidget, title: str, filter_: str, *, purpose: str = "import",
                   fallback: str | Path | None = None) -> str:
    path = QFileDialog.getOpenFileName(parent, title, str(last_folder(purpose, fallback)), filter_, options=OPTIONS)[0]
    return remember(purpose, path)


def open_file_names(parent: QWidget, title: str, filter_: str, *, purpose: str = "attachments") -> list[str]:
    paths = QFileDialog.getOpenFileNames(parent, title, str(last_folder(purpose)), filter_, options=OPTIONS)[0]
    if paths:
        remember(purpose, paths[0])
    return paths


def existing_directory(parent: QWidget, title: str, *, purpose: str, start: str | Path | None = None) -> str:
    """``start``: the folder the field already names, if any; else the purpose's last folder."""
    begin = Path(start) if start and Path(start).is_dir() else last_folder(purpose)
    folder = QFileDialog.getExistingDirectory(parent, title, str(begin), options=OPTIONS | QFileDialog.Option.ShowDirsOnly)
    return remember(purpose, folder, folder=True)
