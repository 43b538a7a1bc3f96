"""Checking the keyed hash chain of models/db/integrity.py: every link, every sealed row, every row sealed.

``verify`` names the first broken link of each table in words an administrator can act on: the table,
and the row's case number, document number or date (never a UUID, a login name or personal data).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from models.db.integrity import (
    DELETED, GENESIS, SEALED, TABLE_NAMES, KeyUnavailable, _cursor_rows, _ENTRY, chain_key, key_id, key_of,
    last_sealed, link, row_digest, select_rows,
)

CHANGED = "内容与写入时封存的摘要不符，已在本程序之外被改动（例如用 sqlite3 的 UPDATE 或 INSERT OR REPLACE）"
SLIPPED_IN = "这一行不是本程序写入的（封存记录中没有它），可能被直接插入数据库"
REMOVED = "这一行已从数据库中被删除（封存记录中有它）"
CHAIN = "封存链在此断开（封存记录被改动、删除或伪造）"
NO_KEY = ("本机的密钥库中没有封存这份数据库所用的密钥（数据库来自另一台电脑，或密钥库丢失、被更换），无法校验；"
          "请在原来的电脑上运行 credit-desk audit verify")


@dataclass(frozen=True)
class Finding:
    """A broken link, in words an admin can act on."""

    table: str
    row_id: int | None
    problem: str
    label: str = ""  # "案号 宁医保协〔2026〕3号", "时间 2026-03-02 10:15"

    def __str__(self) -> str:
        name = TABLE_NAMES.get(self.table, (self.table,))[0]
        where = f"（{self.label}）" if self.label else (f"（内部序号 {self.row_id}）" if self.row_id else "")
        return f"{name}{where}：{self.problem}"


def _label(conn: Connection, table: str, row_id: int) -> str:
    """The row's case number or date as the administrator finds it in the program."""
    if table not in SEALED:
        return ""
    _name, word, column = TABLE_NAMES[table]
    found = _cursor_rows(conn, f"SELECT {column} FROM {table} WHERE {key_of(table)} = ?", (row_id,))
    value = found[0][0] if found else None
    if value in (None, ""):
        return ""
    value = str(value)
    return f"{word} {value[:16] if column.endswith('at') else value}"


def _finding(conn: Connection, table: str, row_id: int, problem: str, *, present: bool = True) -> Finding:
    if present:
        return Finding(table, row_id, problem, _label(conn, table, row_id))
    _name, word, column = TABLE_NAMES.get(table, ("", "", ""))
    return Finding(table, row_id, problem, f"{word} {row_id}" if table in SEALED and column == SEALED[table][0] else "")


def _seals(conn: Connection, key: bytes, tail: int | None) -> tuple[dict[str, dict[int, bytes]], Finding | None]:
    """The chain's links, all of them; the entries of every seal (``tail``: of the last ``tail`` seals)."""
    seals = _cursor_rows(conn, "SELECT id, table_name, first_id, last_id, rows, entries, prev_hash, hash, key_id "
                               "FROM integrity_seals ORDER BY id")
    start = 0 if tail is None else max(0, len(seals) - tail)
    expected: dict[str, dict[int, bytes]] = {t: {} for t in SEALED}
    prev, kid = GENESIS, key_id(key)
    for n, (sid, table, first, last, count, entries, prev_hash, hash_, seal_key) in enumerate(seals):
        if seal_key != kid:
            return expected, Finding("integrity_seals", None, NO_KEY)
        entries = bytes(entries)
        if prev_hash != prev or link(key, prev, table, first, last, entries) != hash_ or \
                len(entries) != count * _ENTRY.size:
            return expected, Finding("integrity_seals", sid, CHAIN)
        prev = hash_
        if table in expected and n >= start:
            expected[table].update(_ENTRY.iter_unpack(entries))
    return expected, None


def _check_rows(conn: Connection, key: bytes, table: str, rows, expected: dict[int, bytes], *,
                every_row: bool) -> Finding | None:
    for row in rows:
        digest = expected.pop(row[0], None)
        if digest is None or digest == DELETED:
            if every_row or digest == DELETED:
                return _finding(conn, table, row[0], SLIPPED_IN)
            continue
        if digest != row_digest(key, row):
            return _finding(conn, table, row[0], CHANGED)
    return None


def _table(conn: Connection, key: bytes, table: str, expected: dict[int, bytes], full: bool) -> Finding | None:
    select, by = select_rows(conn.dialect.name, table), key_of(table)
    if full:
        rows = _cursor_rows(conn, f"{select} ORDER BY {by}")
    else:
        ids = sorted(expected)
        rows = [r for i in range(0, len(ids), 500)
                for r in _cursor_rows(conn, f"{select} WHERE {by} IN ({', '.join('?' * len(ids[i:i + 500]))}) "
                                            f"ORDER BY {by}", tuple(ids[i:i + 500]))]
    found = _check_rows(conn, key, table, rows, expected, every_row=full)
    gone = min((i for i, d in expected.items() if d != DELETED), default=None)
    candidates = [f for f in (found, _finding(conn, table, gone, REMOVED, present=False) if gone else None) if f]
    if not full:  # rows above the newest sealed one were written outside the program
        stray = conn.execute(text(f"SELECT MIN({by}) FROM {table} WHERE {by} > :a"),
                             {"a": last_sealed(conn, table)}).scalar()
        if stray is not None:
            candidates.append(_finding(conn, table, stray, SLIPPED_IN))
    return min(candidates, key=lambda f: f.row_id or 0) if candidates else None


def verify(conn: Connection, *, tail: int | None = None) -> list[Finding]:
    """The first broken link of each table (empty when the chain and every sealed row are intact).

    ``tail`` checks only the rows of the last ``tail`` seals (and every link of the chain), as start-up and every
    export do; ``audit verify`` checks every row.
    """
    try:
        key = chain_key(create=False)
    except KeyUnavailable:
        if conn.execute(text("SELECT COUNT(*) FROM integrity_seals")).scalar_one():
            return [Finding("integrity_seals", None, NO_KEY)]
        key = b""  # nothing sealed yet on a PC without a key store: any row with legal weight is reported
    expected, broken = _seals(conn, key, tail)
    if broken:
        return [broken]
    found = [_table(conn, key, table, expected[table], tail is None) for table in SEALED]
    return [f for f in found if f]

