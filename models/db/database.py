"""Opening the database: resolve where it is, back it up, migrate it, hand out sessions."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import holders, migrate
from models.db.engine import make_engine, resolve_url, sqlite_path


@dataclass
class Database:
    url: str
    engine: Engine
    sqlite_file: Path | None
    backup_made: Path | None = None
    _factory: sessionmaker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._factory()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(db: str | None = None, *, upgrade: bool = True) -> Database:
    url = resolve_url(db)
    engine = make_engine(url)
    database = Database(url=url, engine=engine, sqlite_file=sqlite_path(url))
    if database.sqlite_file is not None:
        holders.announce(database.sqlite_file)
    if upgrade:
        database.backup_made = migrate.upgrade(engine, sqlite_file=database.sqlite_file)
    return database
