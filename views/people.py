"""Who did something is stored by login name (the four-eyes rule compares login names); a user reads the
display name colleagues know (users.display_name). Two ways to get there:

- ``person(row, username)``: for rows whose query attached ``people`` (login → display name) because the
  screen also compares the login names;
- ``named(db, query=…, fields=…)``: on the worker, a query's frozen rows with those login names replaced,
  for lists that only show them.
"""
from __future__ import annotations

from dataclasses import replace

from models.services import users


def person(row, username: str | None) -> str:
    """The display name the query put in ``row.people`` (a name this database does not hold stays as it is)."""
    return (getattr(row, "people", None) or {}).get(username, username) if username else ""


def named(db, *, query, fields: tuple[str, ...], **kwargs):
    """Runs on the worker: ``query(db, **kwargs)`` — one row or a list — with the login names in ``fields``
    replaced by display names. Only for rows the screen reads and never compares."""
    value = query(db, **kwargs)
    rows = value if isinstance(value, list) else [value]
    names = users.names(db, usernames={getattr(r, f) for r in rows for f in fields})
    out = [replace(r, **{f: names.get(getattr(r, f), getattr(r, f)) for f in fields}) for r in rows]
    return out if isinstance(value, list) else out[0]
