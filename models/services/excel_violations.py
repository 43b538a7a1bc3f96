"""A violation list checked as a set and written in bulk (a county's 100,000 rows in seconds, not an hour).

Each row passes the checks of the record form (records.record_fields) without touching the database;
the subjects, institutions and records already held are looked up once for all rows, and the valid
rows are written with one executemany. A row whose natural key (subject, kind, decision date, case
number) is already in the file was imported before: it is skipped, never stored twice.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from models.db.base import new_uuid, utcnow
from models.db.tables import CreditRecord, Subject
from models.services import records
from models.services.base import Actor, ServiceError, UnitOfWork
from models.services.catalogue import kinds
from models.services.county import current_county
from models.services.excel_read import Sheet
from models.services.subjects import TYPE_NAMES, refuse_malformed
from models.validation import ValidationError, fold

CHUNK = 900  # parameters per IN (SQLite allows 999 in old builds)
STEP = 5000  # rows between progress reports
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


def _subjects(uow: UnitOfWork, keys: set[str]) -> dict[str, list]:
    """Key (身份证号 or 统一社会信用代码) → the subjects holding it, for all keys in a few queries."""
    s = Subject.__table__.c
    out: dict[str, list] = defaultdict(list)
    for part in chunks(keys):
        for row in uow.session.execute(select(s.id, s.type, s.name, s.id_number, s.credit_code, s.origin_county).where(
                or_(s.id_number.in_(part), s.credit_code.in_(part)))):
            out[row.id_number or row.credit_code].append(row)
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
    kind = v.get("kind", "")
    return {"kind": by_name.get(kind, kind), "decision_date": v.get("decision_date", ""), "case_no": v.get("case_no"),
            "decision_type": v.get("decision_type"), "amount": v.get("amount"), "responsibility": v.get("responsibility"),
            "source": v.get("source") or "smart_audit", "note": v.get("note")}


def check(uow: UnitOfWork, actor: Actor, sheet: Sheet, rows: list[tuple[int, dict]], errors: list[dict],
          progress=None) -> Checked:
    """Every row checked; ``rows`` are those that passed the file-level checks (duplicates, damaged cells)."""
    county = current_county(uow)
    catalogue = kinds(county.profile)
    by_name = {k.name: code for code, k in catalogue.items()}
    keys = {fold(v.get("subject")).upper() for _r, v in rows}
    found = _subjects(uow, keys | {fold(v.get("institution")).upper() for _r, v in rows} - {""})
    out = Checked(errors=errors)
    pending, memo = [], {}
    for n, (row, v) in enumerate(rows, 1):
        try:
            fields, spec = records.record_fields(county.profile, _data(v, by_name), memo=memo)
            key = fold(v.get("subject"), SUBJECT).upper()
            subject = _subject(found.get(key, []), key, spec, v, county.code)
            institution = _institution(found, fold(v.get("institution"), INSTITUTION).upper())
        except ValidationError as exc:
            out.errors.append({"row": row, "field": FIELD_COLUMNS.get(exc.field, exc.field), "problem": exc.problem})
            continue
        pending.append((row, {**fields, "subject_id": subject.id, "institution_id": institution}))
        if progress and n % STEP == 0 and progress(n, len(rows), "核对Excel") is False:
            raise Cancelled("已取消Excel导入，未写入任何数据")
    held = _held(uow, {r["subject_id"] for _row, r in pending})
    now, who, seen = utcnow(), actor.username, {}
    for row, r in pending:
        key = (r["subject_id"], r["kind"], r["decision_date"], r["case_no"])
        if key in seen:
            out.errors.append({"row": row, "field": "整行", "problem": f"与第{seen[key]}行重复，只导入一次"})
            continue
        seen[key] = row
        if key in held:
            out.already.append(row)
            continue
        out.rows.append({**r, "uuid": new_uuid(), "created_at": now, "updated_at": now, "sync_pending": True,
                         "origin_county": None, "entered_by": who, "supersedes_id": None, "correction_reason": None})
        out.subject_ids.add(r["subject_id"])
    return out


COLUMNS = ("uuid", "created_at", "updated_at", "sync_pending", "origin_county", "subject_id", "institution_id", "kind",
           "good", "source", "case_no", "decision_date", "decision_type", "amount", "responsibility", "note",
           "entered_by", "supersedes_id", "correction_reason")


def write(uow: UnitOfWork, checked: Checked) -> list[str]:
    """The checked rows in one executemany through the driver, values in the column types' storage form; their UUIDs.

    (Core's insert with a list of dicts costs 2.3× the driver's executemany; the column types' own bind
    processors keep the stored form identical to what the ORM writes.)
    """
    if not checked.rows:
        return []
    conn = uow.session.connection()
    table = CreditRecord.__table__
    process = {c: table.c[c].type._cached_bind_processor(conn.dialect) for c in COLUMNS}
    first = checked.rows[0]
    # Values every row shares are put in storage form once; dates repeat and are converted once each.
    constant = {c: process[c](first[c]) if process[c] and first[c] is not None else first[c]
                for c in ("created_at", "updated_at", "sync_pending", "entered_by")}
    dates = {}
    to_date, to_money, to_bool = process["decision_date"], process["amount"], process["good"]
    marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(COLUMNS))
    rows = []
    for r in checked.rows:
        d = r["decision_date"]
        if d not in dates:
            dates[d] = to_date(d) if to_date else d
        stored = {**r, **constant, "decision_date": dates[d],
                  "amount": to_money(r["amount"]) if r["amount"] is not None else None,
                  "good": to_bool(r["good"]) if to_bool else r["good"]}
        rows.append(tuple(stored[c] for c in COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO credit_records ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    return [r["uuid"] for r in checked.rows]
