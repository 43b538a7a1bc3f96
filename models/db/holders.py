"""Who has a database open, so "database is locked" can name what holds it.

Each process that opens a database file leaves a small note beside it (user, command, process id,
since when) and removes it on exit. SQLite itself cannot say who holds its lock; when a write waits
too long, the notes of the other living processes are what the message names.
"""
from __future__ import annotations

import atexit
import getpass
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from models.db.engine import private_file


def _folder(db_file: Path) -> Path:
    return db_file.parent / f".{db_file.name}.open"


def announce(db_file: Path, who: str = "") -> None:
    """Leave this process's note beside ``db_file`` until the process ends."""
    note = _folder(db_file) / f"{os.getpid()}.json"
    try:
        private_file(note)
        note.write_text(json.dumps({"pid": os.getpid(), "user": who or getpass.getuser(),
                                    "command": " ".join(["credit-desk", *sys.argv[1:3]]) if sys.argv else "credit-desk",
                                    "since": f"{datetime.now():%Y-%m-%d %H:%M}"}, ensure_ascii=False), encoding="utf-8")
    except OSError:
        return
    atexit.register(lambda: note.unlink(missing_ok=True))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def others(db_file: Path) -> list[dict]:
    """The notes of other living processes with this database open (stale notes are removed)."""
    out = []
    for note in sorted(_folder(db_file).glob("*.json")) if _folder(db_file).is_dir() else []:
        try:
            info = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if info.get("pid") == os.getpid():
            continue
        if not _alive(int(info.get("pid", 0))):
            note.unlink(missing_ok=True)
            continue
        out.append(info)
    return out


def describe(db_file: Path | None) -> str:
    holders = others(db_file) if db_file else []
    if not holders:
        return "没有找到本系统的其他程序在使用它，可能是其他软件（如 sqlite3、杀毒或备份软件）正在读写该文件"
    return "；".join(f"{h.get('user', '')} 在运行的“{h.get('command', '')}”（进程 {h.get('pid')}，自 {h.get('since', '')} 起）"
                    for h in holders)
