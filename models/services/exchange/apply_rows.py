"""Classifying and writing the rows of one record type (importer.py runs this per type, parents first).

Each incoming row is new, an update of the sender's own row, merged into a local file (a subject
the database already holds under another UUID), unchanged, ignored (an older version, or our own
row coming back) or a conflict, which is reported and not written.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import bindparam, insert, or_, select, update

from models.db.tables import CreditRecord, Subject
from models.db.tables_exchange import ExchangeAlias
from models.services.base import Actor, UnitOfWork
from models.services.exchange.format import PackageRefused
from models.services.exchange.keys import role_of
from models.services.exchange.rows import APPEND_ONLY, MERGED_BY_NATURAL_KEY, TableSpec, decode, decoder, type_name
from models.services.subjects import ever_banned, refuse_if_banned
from models.validation import ValidationError, control_character

CHUNK = 2000
_CODE = re.compile(r"^\d{6}$")
SUBJECT_COLUMNS = ("subject_id", "practitioner_id")


@dataclass
class Context:
    uow: UnitOfWork
    actor: Actor
    own: str
    sender: str
    ids: dict = field(default_factory=lambda: defaultdict(dict))  # table -> uuid -> local id
    failed: dict = field(default_factory=lambda: defaultdict(set))  # table -> uuids not applied
    created: dict = field(default_factory=lambda: defaultdict(set))  # table -> ids inserted now
    counts: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    touched_subjects: set = field(default_factory=set)
    touched_records: set = field(default_factory=set)

    def count(self, table: str, category: str, n: int = 1) -> None:
        c = self.counts.setdefault(table, {})
        c[category] = c.get(category, 0) + n

    def conflict(self, table: str, uuid: str, reason: str) -> None:
        self.count(table, "conflicts")
        self.failed[table].add(uuid)
        self.conflicts.append({"type": table, "type_name": type_name(table), "uuid": uuid, "reason": reason})

    def resolve(self, table, uuids) -> None:
        """Fill ``ids[table]`` for these UUIDs, directly or through an alias (merged subjects)."""
        t = table
        missing = sorted({u for u in uuids if u and u not in self.ids[t.name]})
        for start in range(0, len(missing), CHUNK):
            part = missing[start:start + CHUNK]
            self.ids[t.name].update(self.uow.session.execute(select(t.c.uuid, t.c.id).where(t.c.uuid.in_(part))).all())
            rest = [u for u in part if u not in self.ids[t.name]]
            if rest:
                a = ExchangeAlias.__table__.c
                aliases = dict(self.uow.session.execute(select(a.remote_uuid, a.local_uuid).where(
                    a.table_name == t.name, a.remote_uuid.in_(rest))).all())
                local = dict(self.uow.session.execute(select(t.c.uuid, t.c.id).where(t.c.uuid.in_(set(aliases.values())))).all())
                self.ids[t.name].update({r: local[lu] for r, lu in aliases.items() if lu in local})

    def changed_subjects(self) -> frozenset[str]:
        ids = sorted(self.touched_subjects)
        return frozenset(self.uow.session.scalars(select(Subject.uuid).where(Subject.id.in_(ids)))) if ids else frozenset()

    def affected_subjects(self) -> list[int]:
        """Local files that received another county's facts (results count everywhere), for one standing update."""
        ids = set(self.touched_subjects)
        if self.touched_records:
            ids |= set(self.uow.session.scalars(select(CreditRecord.subject_id).where(
                CreditRecord.id.in_(sorted(self.touched_records)))))
        ids |= set(self.created["subjects"])
        if not ids:
            return []
        # Only files kept here: another county's file (and its registrations) is that county's to bring up to date.
        s = Subject.__table__.c
        local = set()
        for start in range(0, len(ids), CHUNK):
            part = sorted(ids)[start:start + CHUNK]
            local |= set(self.uow.session.scalars(select(s.id).where(
                s.id.in_(part), or_(s.origin_county.is_(None), s.origin_county == self.own))))
        return sorted(local)


def _check_line(ctx: Context, spec: TableSpec, line, n: int) -> None:
    ok = (isinstance(line, dict) and isinstance(line.get("uuid"), str) and isinstance(line.get("data"), dict)
          and set(line["data"]) == set(spec.columns) and isinstance(line.get("origin"), str)
          and _CODE.match(line["origin"]) and isinstance(line.get("updated_at"), str))
    if not ok:
        raise PackageRefused(f"{type_name(spec.name)}第{n}条记录的字段与本程序的数据结构不符，数据包无法导入")
    if role_of(ctx.sender) == "county" and line["origin"] != ctx.sender:
        # Only the city forwards other counties' rows; a county speaks for itself alone, whatever it claims.
        raise PackageRefused(f"{type_name(spec.name)}第{n}条记录标为由 {line['origin']} 维护，但数据包由 {ctx.sender} 签发："
                             "县（区）局只能发送本局维护的记录，整个数据包不予导入")


def _by_depth(spec: TableSpec, lines: list[dict]) -> list[list[dict]]:
    """Rows that name another row of the same type (a correction and what it corrects) go after it."""
    if not spec.self_refs:
        return [lines]
    parent = {l["uuid"]: next((l["data"][r.column] for r in spec.self_refs if l["data"][r.column]), None) for l in lines}
    depth: dict[str, int] = {}

    def level(u: str, seen=()) -> int:
        if u not in depth:
            p = parent.get(u)
            depth[u] = 0 if p not in parent or p in seen else level(p, (*seen, u)) + 1
        return depth[u]

    groups: dict[int, list[dict]] = defaultdict(list)
    for l in lines:
        groups[level(l["uuid"])].append(l)
    return [groups[d] for d in sorted(groups)]


def apply_table(ctx: Context, spec: TableSpec, lines, tick) -> None:
    """Rows in chunks as they are parsed, so a county's 200,000 insured persons are never all in memory;
    a refusal half-way still leaves nothing, because the whole import is one transaction."""
    if spec.self_refs:  # corrections go after what they correct: this type needs all its rows at once
        lines = list(lines)
        groups = _by_depth(spec, lines)
    else:
        groups = [lines]
    seen: set[str] = set()
    n = 0
    for group in groups:
        chunk = []
        for line in group:
            n += 1
            _check_line(ctx, spec, line, n)
            if line["uuid"] in seen:
                raise PackageRefused(f"{type_name(spec.name)}中有重复的 UUID，数据包无法导入")
            seen.add(line["uuid"])
            chunk.append(line)
            if len(chunk) == CHUNK:
                _apply_chunk(ctx, spec, chunk)
                tick(len(chunk))
                chunk = []
        if chunk:
            _apply_chunk(ctx, spec, chunk)
            tick(len(chunk))


@lru_cache(maxsize=None)
def _plan(spec: TableSpec) -> tuple:
    """Per column: the reference it is (or None) and the decoder, worked out once per record type."""
    return tuple((col, spec.ref(col), decoder(spec.table, col)) for col in spec.columns)


def _decode_row(ctx: Context, spec: TableSpec, line: dict) -> tuple[dict | None, str]:
    """Column values with references turned into local ids; None and the reason when impossible."""
    values, data = {}, line["data"]
    for col, ref, decode_value in _plan(spec):
        raw = data[col]
        if raw is None:
            values[col] = None
        elif isinstance(raw, str) and control_character(raw):
            # PostgreSQL refuses U+0000: the row is reported, the rest of the package still applies.
            return None, f"字段 {col} 含有控制字符（{control_character(raw)}），请发送方改正后重发"
        elif ref is not None and ref.kind != "blob":
            if raw in ctx.failed[ref.target]:
                return None, f"所引用的{type_name(ref.target)} {raw} 未能导入"
            local = ctx.ids[ref.target].get(raw)
            if local is None and ref.kind == "row":
                return None, f"所引用的{type_name(ref.target)} {raw} 既不在本库中，也不在数据包中"
            values[col] = local  # a missing weak reference (an evaluation computed elsewhere) stays empty
        else:
            try:
                values[col] = decode_value(raw)
            except (ValueError, TypeError):
                return None, f"字段 {col} 的值“{raw}”无法识别"
    return values, ""


def _apply_chunk(ctx: Context, spec: TableSpec, chunk: list[dict]) -> None:
    t = spec.table
    for ref in spec.refs:
        if ref.kind in ("row", "weak"):
            ctx.resolve(t.metadata.tables[ref.target], [l["data"][ref.column] for l in chunk])
    uuids = [l["uuid"] for l in chunk]
    existing = {r["uuid"]: r for r in ctx.uow.session.execute(select(t).where(t.c.uuid.in_(uuids))).mappings()}
    ctx.resolve(t, [u for u in uuids if u not in existing])  # merged earlier: found through an alias
    new, updates = [], []
    for line in chunk:
        uuid, origin = line["uuid"], line["origin"]
        if uuid not in existing and uuid in ctx.ids[spec.name]:
            ctx.count(spec.name, "unchanged")  # merged into a local file by an earlier package
            continue
        values, problem = _decode_row(ctx, spec, line)
        if values is None:
            ctx.conflict(spec.name, uuid, problem)
            continue
        stamps = {"created_at": decode(t, "created_at", line.get("created_at")), "updated_at": decode(t, "updated_at", line["updated_at"])}
        if uuid in existing:
            _classify_existing(ctx, spec, existing[uuid], values, stamps, origin, updates)
        elif origin == ctx.own:
            ctx.conflict(spec.name, uuid, "数据包把它标为本局维护的记录，但本局没有这条记录")
        else:
            new.append({**values, **stamps, "uuid": uuid, "origin_county": origin, "sync_pending": False})
    if spec.name == "registrations":
        new = _outside_bans(ctx, spec, new)
    new, merged = _unique_clashes(ctx, spec, new)
    if new:
        # RETURNING without parameter order: matched by UUID, so SQLite can insert many rows per statement.
        rows = ctx.uow.session.execute(insert(t).returning(t.c.id, t.c.uuid), new).all()
        for row_id, uuid in rows:
            ctx.ids[spec.name][uuid] = row_id
            ctx.created[spec.name].add(row_id)
        for values in new:
            _touch(ctx, spec, values)
        ctx.count(spec.name, "new", len(rows))
    for remote, first in merged:  # two counties' rows for one subject arriving in the same package
        ctx.ids[spec.name][remote] = ctx.ids[spec.name][first]
    if updates:
        ctx.uow.session.execute(update(t).where(t.c.id == bindparam("_row_id")), updates)
        ctx.count(spec.name, "updated", len(updates))


def _outside_bans(ctx: Context, spec: TableSpec, rows: list[dict]) -> list[dict]:
    """A registration dated inside a registration ban (医保发〔2024〕23号) is reported, not stored, whichever
    county made it: the ban follows the practitioner everywhere."""
    banned = ever_banned(ctx.uow, (r["practitioner_id"] for r in rows))
    keep = []
    for r in rows:
        if r["practitioner_id"] in banned:
            try:
                refuse_if_banned(ctx.uow, ctx.uow.session.get(Subject, r["practitioner_id"]), r["registered_on"])
            except ValidationError as exc:
                ctx.conflict(spec.name, r["uuid"], exc.problem)
                continue
        keep.append(r)
    return keep


def _classify_existing(ctx: Context, spec: TableSpec, local, values: dict, stamps: dict, origin: str, updates: list) -> None:
    uuid = local["uuid"]
    ctx.ids[spec.name][uuid] = local["id"]
    owner = local["origin_county"] or ctx.own
    if origin == ctx.own:
        ctx.count(spec.name, "ignored")  # our own row coming back from the city
    elif owner == ctx.own:
        ctx.conflict(spec.name, uuid, "这是本局维护的记录，不接受其他单位的修改")
    elif owner != origin:
        ctx.conflict(spec.name, uuid, f"维护单位不一致：本库记为 {owner}，数据包中为 {origin}")
    elif all(values[c] == local[c] for c in spec.columns):
        ctx.count(spec.name, "unchanged")
    elif spec.name in APPEND_ONLY:
        ctx.conflict(spec.name, uuid, "信用信息不可改写（更正应为新的记录），数据包中的内容与本库不同")
    elif stamps["updated_at"] > local["updated_at"]:
        updates.append({**values, "updated_at": stamps["updated_at"], "_row_id": local["id"]})
        _touch(ctx, spec, values)
    elif stamps["updated_at"] == local["updated_at"]:
        ctx.conflict(spec.name, uuid, "与本库同一版本的内容不同")
    else:
        ctx.count(spec.name, "ignored")  # an older version than the one already here


def _touch(ctx: Context, spec: TableSpec, values: dict) -> None:
    if spec.name == "credit_records":
        ctx.touched_subjects.add(values["subject_id"])
        return
    for col in SUBJECT_COLUMNS:
        if values.get(col) is not None:
            ctx.touched_subjects.add(values[col])
    if values.get("record_id") is not None and spec.ref("record_id").target == "credit_records":
        ctx.touched_records.add(values["record_id"])


def _unique_clashes(ctx: Context, spec: TableSpec, rows: list[dict]) -> tuple[list[dict], list[tuple[str, str]]]:
    """New rows that would repeat a unique value: merged (subjects) or reported as conflicts."""
    t, keep = spec.table, []
    local: dict[tuple, dict[tuple, tuple[int, str]]] = {}
    for cols in spec.uniques:
        keys = {tuple(r[c] for c in cols) for r in rows if all(r[c] is not None for c in cols)}
        # Looked up by the last column alone (indexed in every such constraint here: id_number,
        # institution_id, practitioner_id), the other columns compared in Python.
        last = sorted({k[-1] for k in keys}, key=str)
        found = {}
        for start in range(0, len(last), CHUNK):
            stmt = select(t.c.id, t.c.uuid, *(t.c[c] for c in cols)).where(t.c[cols[-1]].in_(last[start:start + CHUNK]))
            for row in ctx.uow.session.execute(stmt):
                if tuple(row[2:]) in keys:
                    found[tuple(row[2:])] = (row[0], row[1])
        local[cols] = found
    seen: dict[tuple, dict[tuple, str]] = defaultdict(dict)
    merged_into_batch: list[tuple[str, str]] = []
    for r in rows:
        clash = None
        for cols in spec.uniques:
            key = tuple(r[c] for c in cols)
            if None in key:
                continue
            if key in local[cols]:
                clash = ("local", cols, local[cols][key])
                break
            if key in seen[cols]:
                clash = ("batch", cols, seen[cols][key])
                break
        if clash is None:
            for cols in spec.uniques:
                seen[cols][tuple(r[c] for c in cols)] = r["uuid"]
            keep.append(r)
        elif spec.name in MERGED_BY_NATURAL_KEY:
            where, _cols, target = clash
            local_uuid = target[1] if where == "local" else target
            ctx.uow.session.add(ExchangeAlias(table_name=spec.name, remote_uuid=r["uuid"], local_uuid=local_uuid,
                                              county=r["origin_county"]))
            if where == "local":
                ctx.ids[spec.name][r["uuid"]] = target[0]
            else:
                merged_into_batch.append((r["uuid"], target))
            ctx.count(spec.name, "merged")
        else:
            _where, cols, _target = clash
            ctx.conflict(spec.name, r["uuid"], f"{'、'.join(cols)} 与本库已有记录重复")
    ctx.uow.session.flush()
    return keep, merged_into_batch
