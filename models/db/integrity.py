"""Tamper evidence: every row with legal weight is sealed into a keyed hash chain when it is committed.

A seal covers the rows one transaction inserted, changed or deleted in one table: for each row its
id and a keyed digest of its columns (an 8-byte marker for a deleted row), and an HMAC over those
entries chained to the previous seal. The key is derived from the user's key store
(models/db/vault.py), never stored in the database: whoever holds only a copy of the file cannot
recompute a valid chain after editing a row. The chain's tail is also kept outside the database
(models/db/anchor.py), so cutting off the newest seals together with their rows is noticed too.

Which rows a transaction touched is known from the program's own connection only: inserts from the
highest id before the transaction's first INSERT (see :func:`watch`), updates and deletes from
temporary triggers (SQLite: TEMP triggers that exist on this connection alone; PostgreSQL: triggers
that write to a temporary table only this session has). A row edited with an outside sqlite3 shell
(which has none of them, nor recursive triggers, so INSERT OR REPLACE rewrites a row) stays as it
was sealed, and ``verify`` names it.
"""
from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event, text

from models.db import vault

# Table → the columns with legal weight, the row's key first (an integer: the id, the year of a holiday schedule,
# or the county's six-digit code read as a number). Bookkeeping the program changes legitimately (sync_pending,
# updated_at) and search helpers derived from the name (initials, sort_key, id_number_reversed) are left out. A column
# added here later changes every digest of its table: add it in the migration that reseals the table. A table added
# here needs a migration that seals its rows as they are and, on PostgreSQL, installs its triggers (0022 did so for
# the tables after 0018's).
SEALED: dict[str, tuple[str, ...]] = {
    "audit_log": ("id", "uuid", "at", "actor", "action", "entity_type", "entity_uuid", "reason", "before", "after"),
    "users": ("id", "uuid", "username", "display_name", "password_hash", "roles", "active", "created_at"),
    "subjects": ("id", "type", "name", "id_number", "other_id", "credit_code", "insurance_code", "institution_kind",
                 "practice_reg_no", "profession", "insurance_type", "township", "phone", "address", "uuid",
                 "created_at", "origin_county"),
    "registrations": ("id", "practitioner_id", "institution_id", "registered_on", "status", "uuid", "created_at",
                      "origin_county"),
    "registration_status": ("id", "registration_id", "status", "effective_on", "reason", "actor", "uuid", "created_at",
                            "origin_county"),
    "service_commitments": ("id", "practitioner_id", "institution_id", "kind", "signed_on", "uuid", "created_at",
                            "origin_county"),
    "credit_records": ("id", "subject_id", "kind", "good", "source", "case_no", "decision_date", "decision_type",
                       "amount", "responsibility", "institution_id", "note", "entered_by", "supersedes_id",
                       "correction_reason", "uuid", "created_at", "origin_county"),
    "attachments": ("id", "record_id", "sha256", "filename", "uuid", "created_at", "origin_county"),
    "case_attachments": ("id", "case_uuid", "sha256", "filename", "uuid", "created_at", "origin_county"),
    "findings": ("id", "institution_id", "case_no", "decision_type", "decision_date", "amount", "article", "source",
                 "note", "institution_kind", "state", "entered_by", "confirmed_by", "confirmed_on",
                 "institution_record_id", "uuid", "created_at", "origin_county"),
    "finding_persons": ("id", "finding_id", "practitioner_id", "responsibility", "kind", "note", "entered_by",
                        "record_id", "uuid", "created_at", "origin_county"),
    "finding_withdrawals": ("id", "finding_id", "reason", "withdrawn_by", "withdrawn_on"),
    "points_notifications": ("id", "record_id", "practitioner_id", "institution_id", "points", "year_total",
                             "created_by", "uuid", "created_at", "origin_county"),
    "measure_choices": ("id", "record_id", "months", "reason", "start", "chosen_by", "uuid", "created_at",
                        "origin_county"),
    "measures": ("id", "subject_id", "record_id", "kind", "name", "basis", "start", "planned_end", "months", "state",
                 "ended_on", "decided_by", "end_reason", "uuid", "created_at", "origin_county"),
    "rectifications": ("id", "record_id", "corrected_on", "commitment", "entered_by", "uuid", "created_at",
                       "origin_county"),
    "objections": ("id", "subject_id", "target", "record_id", "evaluation_id", "delivered_on", "received_on", "reason",
                   "entered_by", "filing_deadline", "review_deadline", "provisional", "basis", "state", "outcome",
                   "answer", "decided_by", "decided_on", "correction_id", "uuid", "created_at", "origin_county",
                   "indicator_code"),
    "repairs": ("id", "subject_id", "record_id", "measure_id", "kind", "applied_on", "materials", "commitment",
                "entered_by", "eligible", "reasons", "decision_deadline", "latest_deadline", "provisional", "basis",
                "extended_to", "extension_reason", "state", "decided_by", "decided_on", "decision_reason", "notice_end",
                "repaired_on", "points_reduction", "uuid", "created_at", "origin_county"),
    "notices": ("id", "type", "subject_id", "case_uuid", "payload", "state", "created_by", "uuid", "created_at",
                "origin_county"),
    "notice_steps": ("id", "uuid", "notice_id", "step", "actor", "at", "note", "facts_sha256"),
    "notice_issues": ("id", "notice_id", "doc_type", "title", "prefix", "year", "number", "doc_number", "issued_on",
                      "verify_code", "sha256", "size", "pages", "facts", "cert_fingerprint", "issued_by", "uuid",
                      "created_at", "origin_county"),
    "notice_deliveries": ("id", "notice_id", "delivered_on", "method", "recipient", "note", "entered_by",
                          "supersedes_id", "objection_deadline", "deadline_provisional", "deadline_basis", "uuid",
                          "created_at", "origin_county"),
    "notice_settings": ("id", "content", "reason", "set_by", "set_at"),
    "inspectors": ("id", "name", "certificate_no", "unit", "active", "added_by", "uuid", "created_at", "origin_county"),
    "inspection_draws": ("id", "number", "title", "subject_type", "filters", "base_ratio", "seed", "as_of", "profile",
                         "per_subject", "population", "selected", "candidates", "candidates_sha256", "pool", "basis",
                         "note", "drawn_by", "uuid", "created_at", "origin_county"),
    "inspection_draw_items": ("id", "draw_id", "position", "subject_id", "grade", "probability", "inspectors", "uuid",
                              "created_at", "origin_county"),
    "indicator_sets": ("id", "uuid", "content", "sample", "reason", "loaded_at", "loaded_by"),
    "received_policy_packs": ("id", "pack_id", "version", "document_number", "effective_from", "effective_to",
                              "content", "sha256", "package_uuid", "installed_at", "installed_by"),
    # Since migration 0022: institution evaluation, graded supervision, warnings, the working-day calendar, the
    # certificates notices are signed and verified with, and the county's row (its policy profile decides the rules).
    "indicator_adjustments": ("id", "subject_id", "objection_id", "tree_id", "tree_version", "code", "points",
                              "from_day", "decided_by", "uuid", "created_at", "origin_county"),
    "annual_ratings": ("id", "year", "subject_type", "as_of", "state", "drafted_by", "reviewed_by", "reviewed_on",
                       "signed_by", "signed_on", "published_on", "valid_from", "valid_to", "note", "uuid", "created_at",
                       "origin_county"),
    "annual_rating_lines": ("id", "rating_id", "subject_id", "score", "grade", "tree"),
    "risk_rules": ("id", "content", "reason", "set_by", "uuid", "created_at", "origin_county"),
    "inspection_outcomes": ("id", "item_id", "subject_id", "outcome", "inspected_on", "note", "record_id",
                            "entered_by", "uuid", "created_at", "origin_county"),
    "warning_rules": ("id", "county_code", "content", "reason", "changed_by", "changed_at"),
    "credit_warnings": ("id", "uuid", "subject_id", "rule", "level", "cause", "text", "basis", "source", "source_ref",
                        "raised_on", "raised_at", "cleared_on", "acknowledged_by", "acknowledged_at", "note"),
    "calendar_years": ("year", "holidays", "workdays", "source", "loaded_at", "loaded_by"),
    "county": ("code", "name", "profile", "created_at"),
    "appeals": ("id", "subject_id", "target", "record_id", "measure_id", "matter", "appellant", "institution_id",
                "received_on", "reason", "materials", "entered_by", "handling_days", "deadline", "provisional", "state",
                "assessor", "referred_on", "referred_by", "question", "conclusion", "concluded_on", "outcome", "answer",
                "decision_basis", "decided_by", "decided_on", "effect", "effect_uuid", "uuid", "created_at",
                "origin_county"),
    "signing_certificates": ("id", "uuid", "p12", "subject", "fingerprint", "chain_pem", "not_before", "not_after",
                             "test_only", "installed_by", "installed_at"),
}
# Tables whose key is a value the user gives (a year loaded may lie below the newest one): their inserts are noted
# by trigger as well, not only as the rows above the highest key before the transaction.
KEYED_BY_VALUE = frozenset({"calendar_years", "county"})
_TEXT_KEYS = frozenset({"county"})  # the key is digits kept as text (行政区划代码)
# The table in words, and the column that names a row to an administrator (a case number, a document number or
# a date: never a UUID, a login name or personal data).
TABLE_NAMES: dict[str, tuple[str, str, str]] = {
    "audit_log": ("审计日志", "时间", "at"),
    "users": ("用户账号", "创建于", "created_at"),
    "subjects": ("信用主体基础信息", "录入于", "created_at"),
    "registrations": ("登记备案", "备案日期", "registered_on"),
    "registration_status": ("登记备案状态历史", "生效日期", "effective_on"),
    "service_commitments": ("服务承诺", "签署日期", "signed_on"),
    "credit_records": ("信用信息", "案号", "case_no"),
    "attachments": ("信用信息附件", "录入于", "created_at"),
    "case_attachments": ("异议与修复材料", "录入于", "created_at"),
    "findings": ("违规认定", "案号", "case_no"),
    "finding_persons": ("责任认定", "录入于", "created_at"),
    "finding_withdrawals": ("违规认定撤回", "撤回日期", "withdrawn_on"),
    "points_notifications": ("记分告知", "录入于", "created_at"),
    "measure_choices": ("措施期限的选择", "录入于", "created_at"),
    "measures": ("信用管理措施", "起始日期", "start"),
    "rectifications": ("纠正失信行为", "纠正日期", "corrected_on"),
    "objections": ("异议", "收到日期", "received_on"),
    "repairs": ("信用修复", "申请日期", "applied_on"),
    "notices": ("告知书", "录入于", "created_at"),
    "notice_steps": ("告知书审核签发步骤", "时间", "at"),
    "notice_issues": ("发文登记", "文号", "doc_number"),
    "notice_deliveries": ("送达记录", "送达日期", "delivered_on"),
    "notice_settings": ("发文字号设置", "设置于", "set_at"),
    "inspectors": ("执法检查人员名录", "录入于", "created_at"),
    "inspection_draws": ("双随机抽查", "抽查编号", "number"),
    "inspection_draw_items": ("抽查结果", "录入于", "created_at"),
    "indicator_sets": ("评价指标体系", "载入于", "loaded_at"),
    "received_policy_packs": ("市局下发的政策包", "文号", "document_number"),
    "indicator_adjustments": ("异议复核变更的指标分值", "评价日期", "from_day"),
    "annual_ratings": ("年度信用评价结果", "评价截止日期", "as_of"),
    "annual_rating_lines": ("年度信用评价结果明细", "内部序号", "id"),
    "risk_rules": ("风险等级规则", "录入于", "created_at"),
    "inspection_outcomes": ("抽查检查结果", "检查日期", "inspected_on"),
    "warning_rules": ("信用预警规则", "修改于", "changed_at"),
    "credit_warnings": ("信用预警及其确认", "预警日期", "raised_on"),
    "calendar_years": ("节假日安排", "年份", "year"),
    "county": ("本局名称与政策配置", "行政区划代码", "code"),
    "appeals": ("申诉", "收到日期", "received_on"),
    "signing_certificates": ("电子签章证书", "安装于", "installed_at"),
    "integrity_seals": ("封存链", "", ""),
}
GENESIS = "0" * 64
KEY_PURPOSE = b"creditdesk integrity chain v2"
DELETED = b"\0" * 8  # the entry of a row the program deleted (registrations, attachments, ...)
_ENTRY = struct.Struct(">q8s")  # row id, keyed digest of the row
_PENDING = "creditdesk_sealed_inserts"
_ARMED = "creditdesk_touch_armed"
TOUCHED = "creditdesk_touched"


class KeyUnavailable(Exception):
    """This account's key store has no key for the chain (another PC, a lost key store)."""


def chain_key(*, create: bool = True) -> bytes:
    key = vault.derived_key(KEY_PURPOSE, create=create)
    if key is None:
        raise KeyUnavailable()
    return key


def key_id(key: bytes) -> str:
    return hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:16]


def row_digest(key: bytes, row) -> bytes:
    """(id, the row's values as one text, see :func:`select_rows`), keyed."""
    return hashlib.blake2b(f"{row[0]}:{row[1]}".encode("utf-8", "surrogatepass"), digest_size=8, key=key).digest()


def link(key: bytes, prev: str, table: str, first: int, last: int, entries: bytes) -> str:
    message = f"{prev}|{table}|{first}|{last}|".encode() + hashlib.sha256(entries).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- which rows a transaction touched -------------------------------------------------------------------------

def key_of(table: str, row: str = "") -> str:
    """The row's key as SQL, an integer (``row``: NEW or OLD in a trigger)."""
    column = f"{row}.{SEALED[table][0]}" if row else SEALED[table][0]
    return f"CAST({column} AS BIGINT)" if table in _TEXT_KEYS else column


def _events(table: str) -> tuple[str, ...]:
    return ("UPDATE", "DELETE", "INSERT") if table in KEYED_BY_VALUE else ("UPDATE", "DELETE")


def _touch_triggers_sqlite(tables: set[str]) -> list[str]:
    out = []
    for t in tables:
        columns = ", ".join(SEALED[t])
        for event_ in _events(t):
            key = key_of(t, "OLD" if event_ == "DELETE" else "NEW")
            on = f"UPDATE OF {columns}" if event_ == "UPDATE" else event_
            out.append(f"CREATE TEMP TRIGGER IF NOT EXISTS {TOUCHED}_{t}_{event_[0].lower()} AFTER {on} ON main.{t} "
                       f"BEGIN INSERT OR IGNORE INTO {TOUCHED} VALUES ('{t}', {key}); END")
    return out


def pg_function_name(table: str) -> str:
    """The trigger function noting a changed row of ``table`` by its key (one function per kind of key)."""
    return TOUCHED if SEALED[table][0] == "id" else f"{TOUCHED}_{SEALED[table][0]}"


def _pg_function_sql(table: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION {pg_function_name(table)}() RETURNS trigger AS $$ BEGIN "
            f"IF to_regclass('pg_temp.{TOUCHED}') IS NOT NULL THEN "
            f"INSERT INTO pg_temp.{TOUCHED} VALUES (TG_TABLE_NAME, CASE WHEN TG_OP = 'DELETE' THEN "
            f"{key_of(table, 'OLD')} ELSE {key_of(table, 'NEW')} END) ON CONFLICT DO NOTHING; END IF; RETURN NULL; "
            "END; $$ LANGUAGE plpgsql")


def pg_touch_triggers(tables) -> list[str]:
    """PostgreSQL (migrations 0018, 0022): triggers on ``tables`` that note changed rows in a temporary table only
    the program's sessions create, so a change made in another session (psql) is noted nowhere and stays unsealed."""
    functions = {pg_function_name(t): _pg_function_sql(t) for t in tables}
    triggers = []
    for t in tables:
        on = " OR ".join(f"UPDATE OF {', '.join(SEALED[t])}" if e == "UPDATE" else e for e in _events(t))
        triggers.append(f"CREATE TRIGGER {TOUCHED}_{t} AFTER {on} ON {t} FOR EACH ROW "
                        f"EXECUTE FUNCTION {pg_function_name(t)}()")
    return [*functions.values(), *triggers]


def _arm(dbapi_conn, info: dict, dialect: str) -> None:
    """Make this connection note the rows it changes (once per connection, and again after a migration)."""
    cur = dbapi_conn.cursor()
    try:
        if dialect == "sqlite":
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED} (tab TEXT, id INTEGER, PRIMARY KEY (tab, id)) "
                        "WITHOUT ROWID")
            present = {r[0] for r in cur.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
            tables = set(SEALED) & present
            for sql in _touch_triggers_sqlite(tables - info.get(_ARMED, set())):
                cur.execute(sql)
            info[_ARMED] = tables
        else:
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED} (tab TEXT, id BIGINT, PRIMARY KEY (tab, id)) "
                        "ON COMMIT DELETE ROWS")
            dbapi_conn.commit()
            info[_ARMED] = set(SEALED)
    finally:
        cur.close()


def watch(engine: Engine) -> None:
    """Note on the connection which sealed tables an INSERT (of any kind: ORM, Core, REPLACE) touched, and arm
    the temporary triggers that note updates and deletes."""
    prefixes = tuple((f"INSERT INTO {t} ", f"INSERT OR REPLACE INTO {t} ", f"REPLACE INTO {t} ") for t in SEALED)
    dialect = engine.dialect.name

    @event.listens_for(engine, "connect")
    def _connected(dbapi_conn, record):
        _arm(dbapi_conn, record.info, dialect)

    @event.listens_for(engine, "begin")
    def _begun(conn):
        if len(conn.info.get(_ARMED, ())) < len(SEALED):  # a database created or migrated since connecting
            _arm(conn.connection.dbapi_connection, conn.info, dialect)

    @event.listens_for(engine, "before_cursor_execute")
    def _noted(conn, cursor, statement, _params, _context, _many):
        if statement.startswith(("INSERT", "REPLACE")):
            for table, forms in zip(SEALED, prefixes):
                if statement.startswith(forms):
                    pending = conn.info.setdefault(_PENDING, {})
                    if table not in pending:  # the highest id before this transaction's first row
                        probe = cursor.connection.cursor()
                        probe.execute(f"SELECT COALESCE(MAX({key_of(table)}), 0) FROM {table}")
                        pending[table] = probe.fetchone()[0]
                        probe.close()

    @event.listens_for(engine, "rollback")
    def _forgotten(conn):
        conn.info.pop(_PENDING, None)


# --- sealing ---------------------------------------------------------------------------------------------------

def _cursor_rows(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    """Plain tuples from the driver's own cursor (a county's 100,000 rows), with its placeholder style."""
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def select_rows(dialect: str, table: str) -> str:
    """``SELECT <key>, <every sealed column written out as one text>``: the database writes the values out (a
    county's 100,000 rows, without a Python object per value), unambiguously: SQLite as type name and hex
    of the stored bytes (its quote() would stop at a NUL character), PostgreSQL as quoted literals."""
    if dialect == "sqlite":
        values = " || ".join(f"typeof({c}) || hex({c})" for c in SEALED[table][1:])
    else:
        values = " || ',' || ".join(f"quote_nullable({c})" for c in SEALED[table][1:])
    return f"SELECT {key_of(table)}, {values} FROM {table}"


@dataclass(frozen=True)
class Tail:
    """The newest seal after a commit, and the newest seal of each table it sealed (for the anchor)."""

    seal_id: int
    hash: str
    tables: dict[str, tuple[int, str]]


def _tail(conn: Connection) -> tuple[int, str]:
    row = conn.execute(text("SELECT id, hash FROM integrity_seals ORDER BY id DESC LIMIT 1")).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def last_sealed(conn: Connection, table: str) -> int:
    return conn.execute(text("SELECT COALESCE(MAX(last_id), 0) FROM integrity_seals WHERE table_name = :t"),
                        {"t": table}).scalar_one()


def _touched(conn: Connection) -> dict[str, list[int]]:
    if conn.info.get(_ARMED) is None:
        return {}
    temp = "temp" if conn.dialect.name == "sqlite" else "pg_temp"
    out: dict[str, list[int]] = {}
    for table, row_id in _cursor_rows(conn, f"SELECT tab, id FROM {temp}.{TOUCHED}"):
        out.setdefault(table, []).append(row_id)
    if out:
        conn.exec_driver_sql(f"DELETE FROM {temp}.{TOUCHED}")
    return out


def _packed(key: bytes, rows: list[tuple]) -> bytes:
    """Entries for rows in id order, in one pass (a county-sized import seals 100,000 rows here)."""
    pack, blake2b = _ENTRY.pack, hashlib.blake2b
    return b"".join(pack(i, blake2b(f"{i}:{values}".encode("utf-8", "surrogatepass"), digest_size=8, key=key).digest())
                    for i, values in rows)


def _entries(conn: Connection, key: bytes, table: str, after: int | None, changed: list[int]) -> bytes:
    """The entries of one table's seal: rows inserted after ``after``, and rows changed or deleted."""
    select, by = select_rows(conn.dialect.name, table), key_of(table)
    new = _cursor_rows(conn, f"{select} WHERE {by} > ? ORDER BY {by}", (after,)) if after is not None else []
    if not changed:
        return _packed(key, new)
    digests: dict[int, bytes] = {}
    for chunk in range(0, len(changed), 500):
        ids = changed[chunk:chunk + 500]
        found = _cursor_rows(conn, f"{select} WHERE {by} IN ({', '.join('?' * len(ids))})", tuple(ids))
        digests.update(dict.fromkeys(ids, DELETED))
        digests.update((r[0], row_digest(key, r)) for r in found)
    digests.update((r[0], row_digest(key, r)) for r in new)
    return b"".join(_ENTRY.pack(i, digests[i]) for i in sorted(digests))


def seal(conn: Connection, tables=None) -> Tail | None:
    """Seal what this transaction wrote to sealed tables (``tables``: every row of those tables as it is, for a
    migration that starts their links).

    Returns the new tail, or None when nothing was sealed.
    """
    inserted = dict(conn.info.pop(_PENDING, {})) if tables is None else {t: 0 for t in tables}
    changed = _touched(conn) if tables is None else {}
    if not inserted and not changed:
        return None
    key = chain_key(create=True)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))  # one chain: seals are appended one at a time
    seal_id, prev = _tail(conn)
    written: dict[str, tuple[int, str]] = {}
    for table in [t for t in SEALED if t in inserted or t in changed]:
        # Rows between the last seal and this transaction's first row were not written by the program
        # (SQLite lets one writer at a time): they stay unsealed, and verify names them.
        if table not in inserted:
            after = None
        elif tables is None:
            after = max(last_sealed(conn, table), inserted[table])
        else:  # every row, whatever was sealed before (a table sealed again after a downgrade and an upgrade)
            after = 0
        entries = _entries(conn, key, table, after, changed.get(table, []))
        if not entries:
            continue
        first, last = _ENTRY.unpack_from(entries, 0)[0], _ENTRY.unpack_from(entries, len(entries) - _ENTRY.size)[0]
        hash_ = link(key, prev, table, first, last, entries)
        seal_id = conn.execute(text("INSERT INTO integrity_seals (table_name, first_id, last_id, rows, entries, "
                                    "prev_hash, hash, key_id) VALUES (:t, :f, :l, :n, :e, :p, :h, :k) RETURNING id"),
                               {"t": table, "f": first, "l": last, "n": len(entries) // _ENTRY.size, "e": entries,
                                "p": prev, "h": hash_, "k": key_id(key)}).scalar_one()
        prev = hash_
        written[table] = (seal_id, hash_)
    return Tail(seal_id, prev, written) if written else None
