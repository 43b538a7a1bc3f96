"""Schema upgrades at start-up, with a backup of the file first (SQLite DDL is not transactional)."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Consistent copy through SQLite's backup API (safe while WAL is in use)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    d.close()
    return dest


def upgrade(engine: Engine, *, revision: str = "head", sqlite_file: Path | None = None) -> Path | None:
    """Bring the schema to ``revision``; returns the backup made first, if any."""
    current = current_revision(engine)
    target = head_revision() if revision == "head" else revision
    if current == target:
        return None
    backup = None
    if sqlite_file is not None and current is not None and sqlite_file.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_sqlite(sqlite_file, sqlite_file.parent / "backups" / f"{sqlite_file.stem}-{stamp}-rev{current}.sqlite3")
    command.upgrade(alembic_config(engine), revision)
    return backup
