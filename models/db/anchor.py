"""The chain's tail kept outside the database, next to the key store (models/db/vault.py).

A valid chain can still be cut short: someone who deletes the newest rows together with their seals,
or puts back an older copy of the file, leaves a chain that checks. The anchor is the newest seal
(and each table's newest seal) as the program last committed it, in a file the database copy does not
contain; written after every commit by an atomic rename. A database behind its anchor is reported as
such. ``credit-desk restore`` moves the anchor to the restored file and notes the restore, so a
restored backup is reported as restored, not as altered. A database ahead of its anchor (the program
was stopped between its commit and the anchor's rename) is only caught up.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from models.files import replace_atomically
from models.db.integrity import Tail
from models.db.vault import keystore_dir

OLDER = "older"
NEWER = "newer"
SAME = "same"
DIVERGED = "diverged"
NONE = "none"


def path_for(url: str) -> Path:
    return keystore_dir() / "anchors" / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.json"


def load(url: str) -> dict | None:
    try:
        return json.loads(path_for(url).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(url: str, content: dict) -> None:
    try:
        replace_atomically(path_for(url), json.dumps(content, ensure_ascii=False, sort_keys=True).encode())
    except OSError:
        pass  # no key store folder to write to: the chain itself still holds; start-up catches up next time


def record(url: str, tail: Tail | None) -> None:
    """After a commit: the new newest seal, merged into each table's newest."""
    if tail is None:
        return
    old = load(url) or {}
    tables = {**old.get("tables", {}), **{t: list(v) for t, v in tail.tables.items()}}
    _write(url, {**old, "seal": tail.seal_id, "hash": tail.hash, "tables": tables})


def forget(url: str) -> None:
    path_for(url).unlink(missing_ok=True)


def current(conn: Connection) -> Tail | None:
    """The database's own tail, each table's newest seal with it."""
    rows = conn.execute(text("SELECT s.table_name, s.id, s.hash FROM integrity_seals s JOIN (SELECT table_name, "
                             "MAX(id) AS id FROM integrity_seals GROUP BY table_name) m ON m.id = s.id")).all()
    if not rows:
        return None
    newest = max(rows, key=lambda r: r[1])
    return Tail(newest[1], newest[2], {r[0]: (r[1], r[2]) for r in rows})


def reset(url: str, conn: Connection, *, restored: dict | None = None) -> None:
    """The anchor moved to this database's tail (a restore names the backup and what it replaced)."""
    tail = current(conn)
    old = load(url)
    content = {"seal": tail.seal_id if tail else 0, "hash": tail.hash if tail else "",
               "tables": {t: list(v) for t, v in (tail.tables if tail else {}).items()}}
    if restored is not None:
        behind = max(0, (old or {}).get("seal", 0) - content["seal"])
        content["restored"] = {**restored, "seals_behind": behind}
    _write(url, content)


@dataclass(frozen=True)
class State:
    kind: str  # SAME, NEWER, OLDER, DIVERGED or NONE (no anchor on this PC yet)
    missing: int = 0  # OLDER: seals the anchor has that the database lacks
    tables: tuple[str, ...] = ()  # OLDER: the tables whose newest seals are missing
    restored: dict | None = None


def compare(url: str, conn: Connection) -> State:
    anchor = load(url)
    if not anchor or not anchor.get("seal"):
        return State(NONE)
    restored = anchor.get("restored")
    row = conn.execute(text("SELECT hash FROM integrity_seals WHERE id = :i"), {"i": anchor["seal"]}).first()
    if row is not None:
        if row[0] != anchor["hash"]:
            return State(DIVERGED, restored=restored)
        newest = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM integrity_seals")).scalar_one()
        return State(NEWER if newest > anchor["seal"] else SAME, restored=restored)
    mine = current(conn)
    tables = mine.tables if mine else {}
    behind = tuple(t for t, v in anchor.get("tables", {}).items() if tables.get(t) != tuple(v))
    return State(OLDER, anchor["seal"] - (mine.seal_id if mine else 0), behind, restored)
