"""Files the program makes for itself: readable by this user only.

Standard library only: the error log (models/errors.py) is set up with it before the database layer is loaded.
"""
from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "CreditDesk"


def private_file(path: Path) -> Path:
    """Create ``path`` (and a new folder for it) readable and writable by this user only, or make it so.

    Credit files, backups and logs hold ID numbers: the process umask (often 022) would leave them readable
    by every account on the PC. SQLite gives its -wal and -shm files the mode of the database file.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        if os.name == "posix":
            os.chmod(path, 0o600)
    except OSError:
        pass  # a read-only location: opening the database reports the real problem in its own words
    return path


def replace_atomically(path: Path, data: bytes) -> None:
    """``path`` holds either its old content or ``data``, never a mixture (a kill between the two is harmless)."""
    work = path.with_name(path.name + f".{os.getpid()}.tmp")
    private_file(work)
    with open(work, "wb") as f:
        f.write(data)
    os.replace(work, path)
