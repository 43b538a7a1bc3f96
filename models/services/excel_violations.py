"""A violation list checked as a set and written in bulk (a county's 100,000 rows in seconds, not an hour).

Each row passes the checks of the record form (records.record_fields) without touching the database;
the subjects, institutions and records already held are looked up once for all rows, and the valid
rows are written with one executemany. A row whose natural key (subject, kind, decision date, case
number) is already in the file was imported before: it is skipped, never stored twice.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select

from models.db.base import new_uuids, utcnow
from models.db.tables import CreditRecord
from models.services import records
from models.services.base import Actor, ServiceError, UnitOfWork
from models.services.catalogue import kinds
from models.services.county import current_county
from models.services.subjects import TYPE_NAMES, refuse_malformed
from models.validation import ValidationError, fold

CHUNK = 5000  # parameters per IN (SQLite since 3.32 allows 32,766)
STEP = 5000  # rows between progress reports
SCAN_ABOVE = 5000  # keys beyond which all subjects are read once instead of looked up
SUBJECT = "身份证号或统一社会信用代码"
NAME = "姓名或名称"
INSTITUTION = "所在机构统一社会信用代码"
FIELD_COLUMNS = {"信用主体": SUBJECT, "所在机构": INSTITUTION}


class Cancelled(ServiceError):
    pass


@dataclass
class Checked:
    rows: list[dict] = field(default_factory=list)  # ready to insert
    errors: list[dict] = field(default_factory=list)
    already: list[int] = field(default_factory=list)  # Excel rows imported before
    subject_ids: set[int] = field(default_factory=set)


def chunks(values):
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class Found(NamedTuple):
    id: int
    type: str
    name: str
    id_number: str | None
    credit_code: str | None
    origin_county: str | None


def _select_in(uow: UnitOfWork, sql: str, values) -> list[tuple]:
    """``sql`` with one ``IN (…)`` per chunk of ``values``, through the driver's own cursor (plain tuples, no
    statement compiled per chunk: a county's 100,000 keys)."""
    conn = uow.session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor, out = conn.connection.cursor(), []
    try:
        for part in chunks(values):
            cursor.execute(sql.replace("(…)", f"({', '.join([mark] * len(part))})"), part)
            out += cursor.fetchall()
    finally:
        cursor.close()
    return out


def _subjects(uow: UnitOfWork, keys: set[str]) -> dict[str, list]:
    """Key (身份证号 or 统一社会信用代码) → the subjects holding it, for all keys in a few queries (one per column:
    an OR of two IN lists would keep SQLite from using either index)."""
    out: dict[str, list] = defaultdict(list)
    columns = "SELECT id, type, name, id_number, credit_code, origin_county FROM subjects"
    if len(keys) > SCAN_ABOVE:  # a county-sized list names most subjects: one pass over them all is cheaper
        cursor = uow.session.connection().connection.cursor()  # plain tuples: most of a county's subjects
        try:
            cursor.execute(columns)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        for r in rows:
            for key in (r[3], r[4]):  # id_number, credit_code
                if key in keys:
                    out[key].append(Found._make(r))
        return out
    for column in ("id_number", "credit_code"):
        for row in _select_in(uow, f"{columns} WHERE {column} IN (…)", keys):
            found = Found(*row)
            out[getattr(found, column)].append(found)
    return out


def _held(uow: UnitOfWork, subject_ids: set[int]) -> set[tuple]:
    """Natural keys of the records already in these files."""
    c = CreditRecord.__table__.c
    out = set()
    for part in chunks(subject_ids):
        out |= {tuple(r) for r in uow.session.execute(select(c.subject_id, c.kind, c.decision_date, c.case_no)
                                                      .where(c.subject_id.in_(part)))}
    return out


def _subject(found: list, key: str, spec, v: dict, own: str):
    if not key:
        raise ValidationError(SUBJECT, "必填，请填写身份证号或统一社会信用代码")
    matches = [s for s in found if s.type == spec.subject_type]
    if not matches:
        if found:
            raise ValidationError("信息类别", f"“{spec.name}”不适用于{TYPE_NAMES[found[0].type]}")
        refuse_malformed(key, SUBJECT)
        raise ValidationError(SUBJECT, f"找不到号码为“{key}”的{TYPE_NAMES[spec.subject_type]}，请先登记该信用主体")
    subject = matches[0]
    name = v.get("name", "").strip()
    if name and name != subject.name:
        raise ValidationError(NAME, f"“{name}”与该号码登记的“{subject.name}”不一致：请核对是否把一个人的号码配上了另一个人的姓名")
    if subject.origin_county and subject.origin_county != own:
        raise ValidationError(SUBJECT, f"“{subject.name}”的档案由 {subject.origin_county} 维护，本局只读")
    return subject


def _institution(found: dict, key: str):
    if not key:
        return None
    inst = next((s for s in found.get(key, []) if s.type == "institution"), None)
    if inst is None:
        refuse_malformed(key, INSTITUTION)
        raise ValidationError(INSTITUTION, f"找不到统一社会信用代码为“{key}”的定点医药机构")
    return inst.id


def _data(v: dict, by_name: dict) -> dict:
    """The row as the record form's fields (the columns carry the same names; a kind may be given by name)."""
    kind = v.get("kind", "")
    v["kind"] = by_name.get(kind, kind)
    v["source"] = v.get("source") or "smart_audit"
    return v


def _keys(rows: list[tuple[int, dict]], errors: list[dict]) -> list[tuple[int, dict, str, str]]:
    """Each row with its subject and institution codes folded once (a control character is the row's error)."""
    out = []
    for row, v in rows:
        subject, inst = v.get("subject", ""), v.get("institution", "")
        if subject.isascii() and subject.isprintable() and inst.isascii() and inst.isprintable():
            out.append((row, v, subject.strip().upper(), inst.strip().upper()))  # what fold gives plain ASCII text
            continue
        try:
            out.append((row, v, fold(subject, SUBJECT).upper(), fold(inst, INSTITUTION).upper()))
        except ValidationError as exc:
            errors.append({"row": row, "field": exc.field, "problem": exc.problem})
    return out


def check(uow: UnitOfWork, rows: list[tuple[int, dict]], errors: list[dict], progress=None) -> Checked:
    """Every row checked; ``rows`` are those that passed the file-level checks (duplicates, damaged cells)."""
    county = current_county(uow)
    catalogue = kinds(county.profile)
    by_name = {k.name: code for code, k in catalogue.items()}
    out = Checked(errors=errors)
    keyed = _keys(rows, out.errors)
    found = _subjects(uow, {k for _r, _v, k, _i in keyed} | {i for _r, _v, _k, i in keyed} - {""})
    pending, memo, profile, own = [], {}, county.profile, county.code
    for n, (row, v, key, inst) in enumerate(keyed, 1):
        try:
            fields, spec = records.record_fields(profile, _data(v, by_name), memo=memo)
            subject = _subject(found.get(key, []), key, spec, v, own)
            fields["subject_id"], fields["institution_id"] = subject.id, _institution(found, inst)
        except ValidationError as exc:
            out.errors.append({"row": row, "field": FIELD_COLUMNS.get(exc.field, exc.field), "problem": exc.problem})
            continue
        pending.append((row, fields))
        if progress and n % STEP == 0 and progress(n, len(rows), "核对Excel") is False:
            raise Cancelled("已取消Excel导入，未写入任何数据")
    held = _held(uow, {r["subject_id"] for _row, r in pending})
    seen, uuids = {}, iter(new_uuids(len(pending)))
    for row, r in pending:
        key = (r["subject_id"], r["kind"], r["decision_date"], r["case_no"])
        if key in seen:
            out.errors.append({"row": row, "field": "整行", "problem": f"与第{seen[key]}行重复，只导入一次"})
            continue
        seen[key] = row
        if key in held:
            out.already.append(row)
            continue
        r["uuid"] = next(uuids)
        out.rows.append(r)
        out.subject_ids.add(r["subject_id"])
    return out


COLUMNS = ("uuid", "created_at", "updated_at", "sync_pending", "origin_county", "subject_id", "institution_id", "kind",
           "good", "source", "case_no", "decision_date", "decision_type", "amount", "responsibility", "note",
           "entered_by", "supersedes_id", "correction_reason")


def write(uow: UnitOfWork, actor: Actor, checked: Checked) -> list[str]:
    """The checked rows in one executemany through the driver, values in the column types' storage form; their UUIDs.

    (Core's insert with a list of dicts costs 2.3× the driver's executemany; the column types' own bind
    processors keep the stored form identical to what the ORM writes. An amount is already checked to
    the fen, so it is stored as integer fen directly.)
    """
    if not checked.rows:
        return []
    conn = uow.session.connection()
    table = CreditRecord.__table__

    def stored(column: str, value):
        process = table.c[column].type._cached_bind_processor(conn.dialect)
        return process(value) if process and value is not None else value

    now = utcnow()
    constant = (stored("created_at", now), stored("updated_at", now), stored("sync_pending", True), None)
    who, good, bad = actor.username, stored("good", True), stored("good", False)
    dates: dict = {}
    rows = []
    for r in checked.rows:
        d = r["decision_date"]
        if d not in dates:
            dates[d] = stored("decision_date", d)
        amount = r["amount"]
        rows.append((r["uuid"], *constant, r["subject_id"], r["institution_id"], r["kind"], good if r["good"] else bad,
                     r["source"], r["case_no"], dates[d], r["decision_type"], None if amount is None else int(amount * 100),
                     r["responsibility"], r["note"], who, None, None))
    marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO credit_records ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    return [r["uuid"] for r in checked.rows]
