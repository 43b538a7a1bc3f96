"""Which tables travel and how a row becomes a JSON line and back.

Every table with the ``Synced`` columns travels, found from the metadata, so a table another part
of the program adds later is exchanged without touching this module. Integer foreign keys become
the UUID of the row they point at (ids differ between databases); a key into ``blobs`` stays the
SHA-256 and the blob travels in its own part.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Date, DateTime, LargeBinary, Table

from models.db.base import Base, Money, UtcDateTime  # importing models.db puts every table on the metadata

SYNC_COLUMNS = ("id", "uuid", "created_at", "updated_at", "sync_pending", "origin_county")
# The database refuses to rewrite these rows (trigger in migration 0001): a different version is a conflict.
APPEND_ONLY = frozenset({"credit_records", "registration_status"})
# Rows of these tables describe one person or institution; another county's row for the same
# subject is merged into the local file (一医一档) instead of being refused as a duplicate.
MERGED_BY_NATURAL_KEY = frozenset({"subjects"})

# The county's own enforcement planning stays at the county: the inspector roster (staff and their
# enforcement certificates) and its 双随机 draws, numbered per county (2026-003 in every county),
# are not credit information and would collide at the city.
LOCAL_ONLY = frozenset({"inspectors", "inspection_draws", "inspection_draw_items", "inspection_outcomes",
                        # the county's own risk rules, yearly ratings and line changes on its own indicator trees:
                        # the records they lead to travel, these decisions mean nothing under another county's trees
                        "risk_rules", "annual_ratings", "indicator_adjustments"})

RECORD_TYPE_NAMES = {
    "subjects": "信用主体", "registrations": "登记备案", "registration_status": "登记备案状态",
    "service_commitments": "服务承诺", "credit_records": "信用信息", "attachments": "附件",
    "measure_choices": "措施期限选择", "findings": "违规认定", "finding_persons": "责任认定",
    "points_notifications": "记分通知", "measures": "措施", "rectifications": "纠正与承诺",
    "objections": "异议", "appeals": "申诉", "repairs": "信用修复", "case_attachments": "案件材料", "notices": "告知书",
    "inspectors": "检查人员", "inspection_draws": "抽查", "inspection_draw_items": "抽查对象",
    "blobs": "附件内容", "calendar_years": "节假日安排", "policy_packs": "政策包", "markers": "更正标记",
}


def type_name(name: str) -> str:
    return RECORD_TYPE_NAMES.get(name, name)


@dataclass(frozen=True)
class Ref:
    column: str
    target: str  # table name
    kind: str  # row: a synced row; blob: blobs.sha256; weak: a local row with a uuid that may be missing


@dataclass(frozen=True)
class TableSpec:
    table: Table
    refs: tuple[Ref, ...]
    columns: tuple[str, ...]  # data columns, foreign keys included, sync columns excluded
    uniques: tuple[tuple[str, ...], ...]  # unique column sets other than uuid

    @property
    def name(self) -> str:
        return self.table.name

    def ref(self, column: str) -> Ref | None:
        return next((r for r in self.refs if r.column == column), None)

    @property
    def self_refs(self) -> tuple[Ref, ...]:
        return tuple(r for r in self.refs if r.target == self.name)


def _is_synced(table: Table) -> bool:
    return set(SYNC_COLUMNS) <= set(table.c.keys())


@lru_cache(maxsize=1)
def synced_tables() -> tuple[TableSpec, ...]:
    """In dependency order: a row's parents are always applied before it."""
    specs = []
    for table in Base.metadata.sorted_tables:
        if not _is_synced(table) or table.name in LOCAL_ONLY:
            continue
        refs = []
        for col in table.c:
            for fk in col.foreign_keys:
                target = fk.column.table
                kind = "row" if _is_synced(target) else "blob" if target.name == "blobs" else "weak"
                if kind == "weak" and "uuid" not in target.c:
                    raise RuntimeError(f"{table.name}.{col.name} points at {target.name}, which has no uuid")
                refs.append(Ref(col.name, target.name, kind))
        uniques = tuple(tuple(c.name for c in u.columns) for u in table.constraints
                        if type(u).__name__ == "UniqueConstraint" and [c.name for c in u.columns] != ["uuid"])
        specs.append(TableSpec(table, tuple(refs), tuple(c for c in table.c.keys() if c not in SYNC_COLUMNS), uniques))
    return tuple(specs)


def spec(name: str) -> TableSpec:
    return next(s for s in synced_tables() if s.name == name)


def encode(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("时间缺少时区")
    return parsed


def _same(value):
    return value


@lru_cache(maxsize=None)
def decoder(table: Table, column: str):
    """The function turning a JSON value into what the column type takes (ValueError when impossible)."""
    col_type = table.c[column].type
    if isinstance(col_type, Money):
        return lambda v: Decimal(str(v))
    if isinstance(col_type, UtcDateTime):
        return _aware
    if isinstance(col_type, DateTime):
        return datetime.fromisoformat
    if isinstance(col_type, Date):
        return date.fromisoformat
    if isinstance(col_type, LargeBinary):
        return lambda v: base64.b64decode(v, validate=True)
    return _same


def decode(table: Table, column: str, value):
    return None if value is None else decoder(table, column)(value)


@lru_cache(maxsize=None)
def _targets(spec_: TableSpec) -> tuple[tuple[str, str | None], ...]:
    """Per column, the table whose UUID replaces its value (None: the value travels as it is)."""
    return tuple((col, ref.target if ref is not None and ref.kind != "blob" else None)
                 for col, ref in ((c, spec_.ref(c)) for c in spec_.columns))


_PLAIN = (str, int, bool, float, type(None))


def line(spec_: TableSpec, row, ref_uuid: dict[str, dict[int, str]], origin: str) -> dict:
    """One row as a JSON-ready dict; ``ref_uuid[target][id]`` gives the UUID of a referenced row."""
    data = {}
    for col, target in _targets(spec_):
        value = row[col]
        if target is not None and value is not None:
            data[col] = ref_uuid[target].get(value)
        else:
            data[col] = value if isinstance(value, _PLAIN) else encode(value)
    return {"uuid": row["uuid"], "origin": row["origin_county"] or origin,
            "created_at": encode(row["created_at"]), "updated_at": encode(row["updated_at"]), "data": data}
