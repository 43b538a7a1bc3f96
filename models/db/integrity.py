"""Tamper evidence: every row with legal weight is sealed into a hash chain when it is committed.

A seal covers the rows one transaction added to one table: for each row its id and a digest of its
columns with legal weight, and a hash over those digests chained to the previous seal. Triggers
refuse UPDATE and DELETE inside the program; the chain catches what a trigger cannot: an edit made
with an outside sqlite3 shell (which has no recursive triggers, so INSERT OR REPLACE rewrites a row),
a dropped trigger, a row inserted or deleted by hand. ``verify`` names the first broken link.

Only tables this connection inserted into are sealed at commit (see :func:`watch`), so a row slipped
in by hand stays unsealed and is reported, rather than sealed by the next honest transaction.
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event, text

# Table → the columns whose values carry legal weight (mutable bookkeeping such as sync_pending and
# updated_at is left out: the program changes it legitimately).
SEALED: dict[str, tuple[str, ...]] = {
    "audit_log": ("id", "uuid", "at", "actor", "action", "entity_type", "entity_uuid", "reason", "before", "after"),
    "credit_records": ("id", "uuid", "created_at", "origin_county", "subject_id", "kind", "good", "source", "case_no",
                       "decision_date", "decision_type", "amount", "responsibility", "institution_id", "note",
                       "entered_by", "supersedes_id", "correction_reason"),
    "registration_status": ("id", "uuid", "created_at", "origin_county", "registration_id", "status",
                            "effective_on", "reason", "actor"),
}
TABLE_NAMES = {"audit_log": "审计日志", "credit_records": "信用信息", "registration_status": "登记备案状态历史"}
GENESIS = "0" * 64
_ENTRY = struct.Struct(">q8s")  # row id, first 8 bytes of the row digest
_PENDING = "creditdesk_sealed_tables"


def row_digest(row) -> bytes:
    """The row's values as the database driver returns them, written out unambiguously (None ≠ 'None')."""
    return hashlib.blake2b(repr(tuple(row)).encode("utf-8", "surrogatepass"), digest_size=8).digest()


def link(prev: str, table: str, first: int, last: int, entries: bytes) -> str:
    return hashlib.sha256(f"{prev}|{table}|{first}|{last}|".encode() + hashlib.sha256(entries).digest()).hexdigest()


def watch(engine: Engine) -> None:
    """Note on the connection which sealed tables an INSERT (of any kind: ORM, Core, REPLACE) touched."""
    prefixes = tuple((f"INSERT INTO {t} ", f"INSERT OR REPLACE INTO {t} ", f"REPLACE INTO {t} ") for t in SEALED)

    @event.listens_for(engine, "before_cursor_execute")
    def _noted(conn, cursor, statement, _params, _context, _many):
        if statement.startswith(("INSERT", "REPLACE")):
            for table, forms in zip(SEALED, prefixes):
                if statement.startswith(forms):
                    pending = conn.info.setdefault(_PENDING, {})
                    if table not in pending:  # the highest id before this transaction's first row
                        probe = cursor.connection.cursor()
                        probe.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                        pending[table] = probe.fetchone()[0]
                        probe.close()

    @event.listens_for(engine, "rollback")
    def _forgotten(conn):
        conn.info.pop(_PENDING, None)


def _rows(conn: Connection, table: str, after: int, upto: int | None = None) -> list[tuple]:
    """The sealed columns as the driver returns them (plain tuples from its own cursor: a county's 100,000 rows)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    where = f"id > {mark}" + (f" AND id <= {mark}" if upto is not None else "")
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT {', '.join(SEALED[table])} FROM {table} WHERE {where} ORDER BY id",
                       (after,) if upto is None else (after, upto))
        return cursor.fetchall()
    finally:
        cursor.close()


def _tail(conn: Connection) -> tuple[int, str]:
    row = conn.execute(text("SELECT id, hash FROM integrity_seals ORDER BY id DESC LIMIT 1")).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def last_sealed(conn: Connection, table: str) -> int:
    return conn.execute(text("SELECT COALESCE(MAX(last_id), 0) FROM integrity_seals WHERE table_name = :t"),
                        {"t": table}).scalar_one()


def seal(conn: Connection, tables=None) -> None:
    """Seal the rows added to ``tables`` (default: those this connection inserted into) since their last seal."""
    todo = dict(conn.info.pop(_PENDING, {})) if tables is None else {t: 0 for t in tables}
    if todo and conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))  # one chain: seals are appended one at a time
    for table in [t for t in SEALED if t in todo]:
        # Rows between the last seal and this transaction's first row were not written by the program
        # (SQLite lets one writer at a time): they stay unsealed, and verify names them.
        rows = _rows(conn, table, max(last_sealed(conn, table), todo[table]))
        if not rows:
            continue
        entries = b"".join(_ENTRY.pack(r[0], row_digest(r)) for r in rows)
        _seq, prev = _tail(conn)
        conn.execute(text("INSERT INTO integrity_seals (table_name, first_id, last_id, rows, entries, prev_hash, hash) "
                          "VALUES (:t, :f, :l, :n, :e, :p, :h)"),
                     {"t": table, "f": rows[0][0], "l": rows[-1][0], "n": len(rows), "e": entries, "p": prev,
                      "h": link(prev, table, rows[0][0], rows[-1][0], entries)})


@dataclass(frozen=True)
class Finding:
    """The first broken link, in words an admin can act on."""

    table: str
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{TABLE_NAMES.get(self.table, self.table)}" + (f" 第 {self.row_id} 行" if self.row_id else "")
        return f"{where}：{self.problem}"


def _check_seal_rows(conn: Connection, table: str, after: int, last: int, entries: bytes) -> Finding | None:
    """Every row after the table's previous seal up to this seal's last row is in this seal, unchanged."""
    expected = dict(_ENTRY.iter_unpack(entries))
    for r in _rows(conn, table, after, last):
        digest = expected.pop(r[0], None)
        if digest is None:
            return Finding(table, r[0], "这一行不是本程序写入的（封存记录中没有它），可能被直接插入数据库")
        if digest != row_digest(r):
            return Finding(table, r[0], "内容与写入时封存的摘要不符，已被直接改动（例如用 sqlite3 的 UPDATE 或 INSERT OR REPLACE）")
    if expected:
        return Finding(table, min(expected), "这一行已从数据库中被删除")
    return None


def verify(conn: Connection, *, tail: int | None = None) -> Finding | None:
    """The first broken link, or None when the chain and every sealed row are intact.

    ``tail`` checks only the last seals (the chain's links all the same), as start-up and every export do.
    """
    seals = conn.execute(text("SELECT id, table_name, first_id, last_id, rows, entries, prev_hash, hash "
                              "FROM integrity_seals ORDER BY id")).all()
    prev, start, sealed_up_to = GENESIS, 0 if tail is None else max(0, len(seals) - tail), dict.fromkeys(SEALED, 0)
    for n, (sid, table, first, last, count, entries, prev_hash, hash_) in enumerate(seals):
        entries = bytes(entries)
        if prev_hash != prev or link(prev, table, first, last, entries) != hash_ or len(entries) != count * _ENTRY.size:
            return Finding("integrity_seals", sid, "封存链在此断开（封存记录被改动、删除或伪造）")
        prev = hash_
        if table not in SEALED:
            continue
        if n >= start:
            found = _check_seal_rows(conn, table, sealed_up_to[table], last, entries)
            if found:
                return found
        sealed_up_to[table] = last
    for table in SEALED if tail is None else ():
        held = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        sealed = conn.execute(text("SELECT COALESCE(SUM(rows), 0) FROM integrity_seals WHERE table_name = :t"),
                              {"t": table}).scalar_one()
        if held > sealed:
            return Finding(table, None, f"有 {held - sealed} 行不是本程序写入的（未经封存），可能被直接插入数据库")
    for table in SEALED:
        stray = conn.execute(text(f"SELECT MIN(id) FROM {table} WHERE id > :a"), {"a": last_sealed(conn, table)}).scalar()
        if stray is not None:
            return Finding(table, stray, "这一行不是本程序写入的（未经封存），可能被直接插入数据库")
    return None
