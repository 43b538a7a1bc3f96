"""Opening the database for the window: runs on the worker while the sign-in dialog is up.

Only the worker's first task imports this module (desktop/gui.py), so the database layer it pulls in
(SQLAlchemy, the tables, the services, about 1 s) loads after the sign-in dialog has painted.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from models.db.database import open_database
from models.db.engine import resolve_url, setup_logging_for, sqlite_path
from models.services import audit, county


@dataclass(frozen=True)
class Opened:
    db: object
    county: object | None  # models.services.county.CountyInfo
    profiles: dict[str, str]
    provinces: dict[str, tuple[str, str]]
    location: str
    sqlite_file: Path | None
    tampered: str | None = None  # the first broken link of the hash chain, checked at every start


def open_for_gui(db_arg: str | None, progress=None) -> Opened:
    """Open (and migrate) the database and read what start-up decides on; the error log goes beside it."""
    setup_logging_for(db_arg)
    db = open_database(db_arg)
    # initialise() makes the county and the first administrator in one transaction, so a
    # county means there is a user to sign in as.
    return Opened(db, county.get_county(db), county.available_profiles(), county.profile_provinces(),
                  describe_location(db_arg), db.sqlite_file, audit.check_at_start(db))


def describe_location(db_arg: str | None) -> str:
    """Where the database is, for messages; never fails, never shows a password."""
    try:
        url = resolve_url(db_arg)
        return str(sqlite_path(url) or make_url(url).render_as_string(hide_password=True))
    except Exception:  # noqa: BLE001 - a message about a failure must not fail itself
        return db_arg or "（默认位置）"
