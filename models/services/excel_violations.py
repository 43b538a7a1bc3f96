"""A violation list checked as a set and written in bulk (a county's 100,000 rows in seconds, not an hour).

The rows pass the checks of the record form (records.shared_fields, records.complete and the same text,
code and amount checks) a column at a time, without touching the database (excel_columns.py): what rows
repeat (kind, date, source…) is checked once per distinct combination, and every refused cell is named
with its row and column. The subjects, institutions and records already held are looked up in batches
for all rows at once, and the valid rows are written with one executemany. A row whose natural key
(subject, kind, decision date, case number) is already in the file was imported before: it is skipped,
never stored twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple

from models.db.base import new_uuids, utcnow
from models.db.tables import CreditRecord
from models.services import excel_columns as columns, records
from models.services.base import Actor, ServiceError, UnitOfWork
from models.services.catalogue import kinds
from models.services.county import current_county
from models.services.subjects import TYPE_NAMES, refuse_malformed
from models.validation import ValidationError

CHUNK = 5000  # parameters per IN (SQLite since 3.32 allows 32,766)
STEP = 5000  # rows between progress reports
SUBJECT = "身份证号或统一社会信用代码"
NAME = "姓名或名称"
INSTITUTION = "所在机构统一社会信用代码"
FIELD_COLUMNS = {"信用主体": SUBJECT, "所在机构": INSTITUTION}


class Cancelled(ServiceError):
    pass


@dataclass
class Checked:
    columns: dict = field(default_factory=dict)  # column of credit_records → its value in each row to insert
    errors: list[dict] = field(default_factory=list)
    already: list[int] = field(default_factory=list)  # Excel rows imported before
    subject_ids: set[int] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.columns.get("subject_id", ()))


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


def _subjects(uow: UnitOfWork, keys: set[str]) -> dict[tuple[str, str], Found]:
    """(type, key) → the first subject of that type holding the key (身份证号 or 统一社会信用代码), for all keys in
    a few batched lookups (one per column: an OR of two IN lists would keep SQLite from using either index)."""
    out: dict[tuple[str, str], Found] = {}
    sql = "SELECT id, type, name, id_number, credit_code, origin_county FROM subjects WHERE {} IN (…)"
    for column, at in (("id_number", 3), ("credit_code", 4)):
        for row in _select_in(uow, sql.format(column), keys):
            out.setdefault((row[1], row[at]), Found._make(row))
    return out


def _held(uow: UnitOfWork, subject_ids: set[int]) -> set[tuple]:
    """Natural keys (subject, kind, decision date as ISO text, case number) of the records already in these files."""
    rows = _select_in(uow, "SELECT subject_id, kind, decision_date, case_no FROM credit_records WHERE subject_id IN (…)",
                      subject_ids)
    return {(sid, kind, str(day), case) for sid, kind, day, case in rows}  # the driver gives text or a date


def _subject(found: dict, key: str, spec, own: str) -> Found:
    """The subject a row's number names, for a kind of ``spec`` (None: the row's kind was refused, any type)."""
    if not key:
        raise ValidationError(SUBJECT, "必填，请填写身份证号或统一社会信用代码")
    held = [found[(t, key)] for t in TYPE_NAMES if (t, key) in found]
    matches = [s for s in held if spec is None or s.type == spec.subject_type]
    if not matches:
        if held:
            raise ValidationError("信息类别", f"“{spec.name}”不适用于{TYPE_NAMES[held[0].type]}")
        refuse_malformed(key, SUBJECT)
        what = TYPE_NAMES[spec.subject_type] if spec is not None else "信用主体"
        raise ValidationError(SUBJECT, f"找不到号码为“{key}”的{what}，请先登记该信用主体")
    subject = matches[0]
    if subject.origin_county and subject.origin_county != own:
        raise ValidationError(SUBJECT, f"“{subject.name}”的档案由 {subject.origin_county} 维护，本局只读")
    return subject


def _institution(found: dict, key: str) -> int | None:
    if not key:
        return None
    inst = found.get(("institution", key))
    if inst is None:
        refuse_malformed(key, INSTITUTION)
        raise ValidationError(INSTITUTION, f"找不到统一社会信用代码为“{key}”的定点医药机构")
    return inst.id


class _Rows:
    """The rows being checked, and the errors of those refused (a row may have several bad cells)."""

    def __init__(self, numbers: list[int], errors: list[dict], progress):
        self.numbers, self.errors, self.progress = numbers, errors, progress
        self.failed: dict[int, set[str]] = {}  # row index → the columns whose cells were refused

    def fail(self, i: int, exc: ValidationError) -> None:
        field_ = FIELD_COLUMNS.get(exc.field, exc.field)
        self.failed.setdefault(i, set()).add(field_)
        self.errors.append({"row": self.numbers[i], "field": field_, "problem": exc.problem})

    def step(self, part: float) -> None:
        n = len(self.numbers)
        if self.progress and self.progress(int(n * part), n, "核对Excel") is False:
            raise Cancelled("已取消Excel导入，未写入任何数据")


def _shared(profile: str, combos: list[tuple], by_name: dict, date_of, rows: _Rows) -> dict:
    """Kind, decision date, source, decision type, responsibility: checked once per distinct combination."""
    def check(combo):
        kind, day, source, decision_type, responsibility = combo
        fields, spec = records.shared_fields(profile, by_name.get(kind, kind), date_of(day), source or "smart_audit",
                                             decision_type, responsibility)
        records.refuse_points(spec)
        return fields, spec
    return columns.distinct(combos, check, rows.fail)


def _resolve(uow: UnitOfWork, keys: list, insts: list, kind_codes: list, names: list[str], rows: _Rows):
    """Subject and institution ids for each row: one batched lookup for all numbers; a number that does not
    name a subject of the kind's type here is checked once for its message (``kind_codes``: None where the
    row's kind was refused)."""
    county = current_county(uow)
    specs = kinds(county.profile)
    found = _subjects(uow, (set(keys) | set(insts)) - {"", None})
    type_of = {code: spec.subject_type for code, spec in specs.items()}
    subjects = list(map(found.get, zip(map(type_of.get, kind_codes), keys)))
    foreign = any(s.origin_county and s.origin_county != county.code for s in found.values())
    closer = [i for i, s in enumerate(subjects) if s is None and keys[i] is not None] if foreign is False else [
        i for i, s in enumerate(subjects) if keys[i] is not None and (s is None or s.origin_county)]
    if closer:
        pairs = [(keys[i], kind_codes[i]) for i in closer]
        for i, subject in zip(closer, columns.each_distinct(pairs, lambda pair: _subject(
                found, pair[0], specs.get(pair[1]), county.code), lambda j, exc: rows.fail(closer[j], exc))):
            subjects[i] = subject
    named = [s.name if s is not None else None for s in subjects]
    if named != names:
        for i, (name, held) in enumerate(zip(names, named)):
            if name and held is not None and name != held:
                rows.fail(i, ValidationError(NAME, f"“{name}”与该号码登记的“{held}”不一致："
                                                   "请核对是否把一个人的号码配上了另一个人的姓名"))
    institutions = columns.each_distinct(insts, lambda key: _institution(found, key) if key is not None else None,
                                         rows.fail)
    return [s.id if s is not None else None for s in subjects], institutions


def check(uow: UnitOfWork, numbers: list[int], values: dict[str, list[str]], errors: list[dict], date_of,
          progress=None) -> Checked:
    """Every row checked, a column at a time; ``numbers`` and ``values`` hold the rows that passed the file-level
    checks (damaged cells, numbers for codes). ``date_of`` turns a date as people write it into ISO text."""
    n, rows = len(numbers), _Rows(numbers, errors, progress)
    profile = current_county(uow).profile
    by_name = {k.name: code for code, k in kinds(profile).items()}
    cell = {f: values.get(f) or [""] * n for f in ("subject", "name", "kind", "decision_date", "case_no",
                                                 "decision_type", "amount", "responsibility", "institution",
                                                 "source", "note")}
    combos = list(zip(*(cell[f] for f in ("kind", "decision_date", "source", "decision_type", "responsibility"))))
    shared = _shared(profile, combos, by_name, date_of, rows)
    rows.step(0.2)
    cases = columns.text(cell["case_no"], records.CASE_NO_LIMIT, "案件编号", rows.fail)
    notes = columns.text(cell["note"], records.NOTE_LIMIT, "备注", rows.fail)
    fen = columns.fen(cell["amount"], rows.fail)
    keys = columns.code(cell["subject"], SUBJECT, rows.fail)
    insts = columns.code(cell["institution"], INSTITUTION, rows.fail)
    rows.step(0.4)
    spec_of = {c: s[1] for c, s in shared.items() if s is not None}
    kind_of = {c: spec.code for c, spec in spec_of.items()}
    subject_ids, institution_ids = _resolve(uow, keys, insts, list(map(kind_of.get, combos)), cell["name"], rows)
    rows.step(0.7)
    unset = {c for c, s in shared.items() if s is not None and s[0]["responsibility"] is None and s[1].band}
    if None in fen or "" in cases or unset:  # what the kind asks of the other cells: an amount, a case number…
        for i, (yuan, case, combo) in enumerate(zip(fen, cases, combos)):
            if ((yuan is None or not case or combo in unset) and combo in spec_of
                    and not rows.failed.get(i, set()) & {"金额", "案件编号"}):  # a refused cell is not an empty one
                try:
                    records.complete(spec_of[combo], {"amount": yuan, "case_no": case,
                                                      "responsibility": shared[combo][0]["responsibility"]})
                except ValidationError as exc:
                    rows.fail(i, exc)
    valid = [i for i in range(n) if i not in rows.failed] if rows.failed else None
    return _new(uow, rows, valid, combos, shared, {"subject_id": subject_ids, "institution_id": institution_ids,
                                                    "case_no": cases, "amount": fen, "note": notes})


def _pick(column, rows: list[int] | None):
    """The values of ``column`` in ``rows`` (None: in all rows)."""
    return column if rows is None else [column[i] for i in rows]


def _new(uow: UnitOfWork, rows: _Rows, valid: list[int] | None, combos: list, shared: dict, own: dict) -> Checked:
    """The valid rows that are neither repeated in the file nor held already, as columns to insert (``own``: the
    columns checked cell by cell; the others follow from each row's combination of shared fields)."""
    fields = {c: (s[0]["kind"], s[0]["good"], s[0]["source"], s[0]["decision_date"], s[0]["decision_type"],
                  s[0]["responsibility"], s[0]["decision_date"].isoformat()) for c, s in shared.items() if s is not None}
    per_combo = list(map(fields.__getitem__, _pick(combos, valid)))
    cols = dict(zip(("kind", "good", "source", "decision_date", "decision_type", "responsibility", "day"),
                    zip(*per_combo) if per_combo else ((),) * 7))
    cols.update((column, _pick(values, valid)) for column, values in own.items())
    natural = list(zip(cols["subject_id"], cols["kind"], cols.pop("day"), cols["case_no"]))
    held = _held(uow, set(cols["subject_id"]))
    out = Checked(errors=rows.errors)
    if held or len(set(natural)) < len(natural):
        numbers = _pick(rows.numbers, valid)
        seen, take = {}, []
        for j, key in enumerate(natural):
            if key in seen:
                out.errors.append({"row": numbers[j], "field": "整行", "problem": f"与第{seen[key]}行重复，只导入一次"})
                continue
            seen[key] = numbers[j]
            if key in held:
                out.already.append(numbers[j])
            else:
                take.append(j)
        cols = {column: _pick(values, take) for column, values in cols.items()}
    out.columns, out.subject_ids = cols, set(cols["subject_id"])
    return out


def write(uow: UnitOfWork, actor: Actor, checked: Checked) -> list[str]:
    """The checked rows in one executemany through the driver, values in the column types' storage form; their UUIDs.

    (Core's insert with a list of dicts costs 2.3× the driver's executemany; the column types' own bind
    processors, applied once per distinct value, keep the stored form identical to what the ORM writes. An
    amount is already checked to the fen, so it is stored as integer fen directly.)
    """
    if not checked.count:
        return []
    conn = uow.session.connection()
    table = CreditRecord.__table__

    def stored(column: str, values) -> list:
        process = table.c[column].type._cached_bind_processor(conn.dialect)
        if not process:
            return values
        forms = {v: process(v) if v is not None else None for v in set(values)}
        return list(map(forms.__getitem__, values))

    c, uuids, now = checked.columns, new_uuids(checked.count), utcnow()
    created, updated, pending = (stored(k, [v])[0] for k, v in (("created_at", now), ("updated_at", now),
                                                                ("sync_pending", True)))
    rows = zip(uuids, repeat(created), repeat(updated), repeat(pending), repeat(None), c["subject_id"],
               c["institution_id"], c["kind"], stored("good", c["good"]), c["source"], c["case_no"], stored("decision_date", c["decision_date"]), c["decision_type"], c["amount"], c["responsibility"],
               c["note"], repeat(actor.username), repeat(None), repeat(None))
    marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO credit_records ({', '.join(COLUMNS)}) VALUES ({marks})", list(rows))
    return uuids


COLUMNS = ("uuid", "created_at", "updated_at", "sync_pending", "origin_county", "subject_id", "institution_id", "kind",
           "good", "source", "case_no", "decision_date", "decision_type", "amount", "responsibility", "note",
           "entered_by", "supersedes_id", "correction_reason")
