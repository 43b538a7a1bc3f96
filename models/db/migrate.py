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

from models.db.engine import private_file

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> frozenset[str]:
    """Every head: parts of the schema may be developed on parallel branches before a merge revision."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Consistent copy through SQLite's backup API (safe while WAL is in use)."""
    private_file(dest)
    with sqlite3.connect(src) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    d.close()
    return dest


def upgrade(engine: Engine, *, revision: str = "heads", sqlite_file: Path | None = None) -> Path | None:
    """Bring the schema to ``revision`` (all heads by default); returns the backup made first, if any."""
    current = current_revisions(engine)
    target = head_revisions() if revision == "heads" else frozenset({revision})
    if current == target:
        return None
    backup = None
    if sqlite_file is not None and current and sqlite_file.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"{sqlite_file.stem}-{stamp}-rev{'+'.join(sorted(current))}.sqlite3"
        backup = backup_sqlite(sqlite_file, sqlite_file.parent / "backups" / name)
    command.upgrade(alembic_config(engine), revision)
    return backup
