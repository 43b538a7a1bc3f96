"""Subject lists at county scale: one page of rows and a count, never the whole table.

A county has about 200,000 insured persons, 3,000 practitioners and 60 institutions. Each page is
one LIMIT/OFFSET query ordered by an indexed column (name: the pinyin key, ix_subjects_sort_key / ix_subjects_type_sort_key)
with the row id as tie-breaker, so pages never overlap or skip rows. The newest grade, score,
points and measures come from ``subject_standing`` (one row per subject, kept by the evaluation).

Search (one box): Chinese text matches the name anywhere (prefix included); Latin letters match the
pinyin initials from the start (``subjects.initials``, stored at write time: 张三丰 → zsf); digits
match the 身份证号 or 统一社会信用代码, exactly or from the start, and 4 to 6 of them also the end
of the 身份证号 (what a masked number shows; ``subjects.id_number_reversed``). Lists sort by the
pinyin key stored with the name (``subjects.sort_key``). Prefixes are written as ranges
(``col >= 'ab' AND col < 'ab~'``) because SQLite's case-insensitive LIKE cannot use an index.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_, select

from models.db.tables import Registration, Subject, SubjectStanding
from models.policy.packs import basis
from models.policy.score import in_force
from models.services.base import Actor, UnitOfWork, query
from models.services.evaluation import profile_for
from models.services.subjects import INSTITUTION_KINDS, TYPE_NAMES, mask_id
from models.validation import fold

GRADES = ("优秀", "良好", "中等", "较差", "差")
UNGRADED = "未评价"
# Sort keys a screen may ask for; each is an indexed column or a top-N sort over the standing join.
SORTS = {
    "name": Subject.sort_key,  # pinyin (models/pinyin.py): 陈 before 李 before 张
    "score": SubjectStanding.score,
    "points": SubjectStanding.points_total,
    "measures": SubjectStanding.measures,
}
_NUMBER = re.compile(r"^[0-9A-Z]*[0-9][0-9A-Z]*$")
_LETTERS = re.compile(r"^[a-z]+$")
TAIL_DIGITS = (4, 6)  # a search this long also matches the end of an ID number
PAST_LAST = "~"  # sorts after every digit and upper-case letter used in ID numbers and credit codes


@dataclass(frozen=True)
class SubjectQuery:
    """What the user asked for: search text, filters and order."""

    text: str = ""
    type: str | None = None  # practitioner | insured | institution
    grade: str | None = None  # one of GRADES, or UNGRADED
    registered_at: str | None = None  # institution uuid: only practitioners registered there
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class SubjectRow:
    uuid: str
    type: str
    type_name: str
    name: str
    number: str  # 身份证号 (masked unless the role may see it) or 统一社会信用代码
    category: str  # 人员类别 / 参保类型 / 机构类别
    township: str
    grade: str | None
    score: Decimal | None
    points: int | None
    measures: int | None
    as_of: date | None


# Reading rows in display order and filtering costs about 1.3 µs per row read until a page is
# full; fetching every match by the number index and sorting costs about 3 µs per match. A number
# prefix with more matches than this (the county's region code "370921" matches nearly everyone)
# is therefore filtered in display order, a narrower one is looked up by the index (0.6 s → 5 ms
# for "370921" at 200,000 subjects; a 16-digit prefix stays at about 1 ms).
WIDE_PREFIX_MATCHES = 4000


def _prefix(column, text: str):
    return and_(column >= text, column < text + PAST_LAST)


def _number(text: str) -> str | None:
    upper = fold(text).upper()
    return upper if _NUMBER.match(upper) else None


def search_condition(text: str, *, wide: bool = False):
    """The WHERE clause for the search box, or None for an empty box.

    ``wide``: a number prefix that matches many subjects, tested without the number indexes
    (``column || ''`` is the same value, but SQLite does not use an index for it).
    """
    t = fold(text)
    if not t:
        return None
    number = _number(t)
    if number:
        if len(number) == 18:
            return or_(Subject.id_number == number, Subject.credit_code == number)
        columns = (Subject.id_number.concat(""), Subject.credit_code.concat("")) if wide else \
            (Subject.id_number, Subject.credit_code)
        found = [_prefix(c, number) for c in columns]
        if TAIL_DIGITS[0] <= len(number) <= TAIL_DIGITS[1]:  # the end a masked number shows (…123X)
            found.append(_prefix(Subject.id_number_reversed, number[::-1]))
        return or_(*found)
    if _LETTERS.match(t.lower()):
        return _prefix(Subject.initials, t.lower())
    escaped = t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Subject.name.like(f"%{escaped}%", escape="\\")


def _wide(uow: UnitOfWork, text: str) -> bool:
    number = _number(text)
    if not number or len(number) == 18:
        return False
    matches = uow.session.scalar(select(func.count()).select_from(Subject).where(search_condition(number)))
    return matches > WIDE_PREFIX_MATCHES


def _filtered(stmt: Select, q: SubjectQuery, *, wide: bool = False) -> Select:
    condition = search_condition(q.text, wide=wide)
    if condition is not None:
        stmt = stmt.where(condition)
    if q.type:
        stmt = stmt.where(Subject.type == q.type)
    if q.grade == UNGRADED:
        stmt = stmt.where(SubjectStanding.grade.is_(None))
    elif q.grade:
        stmt = stmt.where(SubjectStanding.grade == q.grade)
    if q.registered_at:
        institution = select(Subject.id).where(Subject.uuid == q.registered_at).scalar_subquery()
        stmt = stmt.where(Subject.id.in_(
            select(Registration.practitioner_id).where(Registration.institution_id == institution)))
    return stmt


def _joined(stmt: Select) -> Select:
    return stmt.outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)


COLUMNS = (Subject.uuid, Subject.type, Subject.name, Subject.id_number, Subject.credit_code, Subject.profession,
           Subject.insurance_type, Subject.institution_kind, Subject.township, SubjectStanding.grade,
           SubjectStanding.score, SubjectStanding.points_total, SubjectStanding.measures, SubjectStanding.as_of)


def _rows_statement(q: SubjectQuery, *, wide: bool = False) -> Select:
    key = SORTS.get(q.sort, Subject.sort_key)
    first = key.desc() if q.descending else key.asc()
    if key is not Subject.sort_key:  # subjects not yet evaluated go last in either direction
        first = first.nulls_last()
    order = (first, Subject.id.desc() if q.descending else Subject.id.asc())
    return _filtered(_joined(select(*COLUMNS).select_from(Subject)), q, wide=wide).order_by(*order)


def _row(r, full_id: bool) -> SubjectRow:
    if r.type == "institution":
        number, category = r.credit_code or "", INSTITUTION_KINDS.get(r.institution_kind or "", r.institution_kind or "")
    else:
        number = (r.id_number or "") if full_id else mask_id(r.id_number)
        category = (r.profession if r.type == "practitioner" else r.insurance_type) or ""
    return SubjectRow(r.uuid, r.type, TYPE_NAMES[r.type], r.name, number, category, r.township or "", r.grade, r.score,
                      r.points_total, r.measures, r.as_of)


@query
def subject_page(uow: UnitOfWork, *, actor: Actor, q: SubjectQuery, offset: int = 0, limit: int = 200
                 ) -> list[SubjectRow]:
    """Rows ``offset`` to ``offset + limit`` of the list; ID numbers masked for roles without id.view_full."""
    full = actor.can("id.view_full")
    stmt = _rows_statement(q, wide=_wide(uow, q.text)).offset(offset).limit(limit)
    return [_row(r, full) for r in uow.session.execute(stmt)]


@query
def subject_count(uow: UnitOfWork, *, actor: Actor, q: SubjectQuery) -> int:
    stmt = select(func.count()).select_from(Subject)
    if q.grade:  # the standing table is needed only to filter by grade
        stmt = _joined(stmt)
    return uow.session.scalar(_filtered(stmt, q))


@query
def column_basis(uow: UnitOfWork, *, day: date | None = None) -> dict:
    """The legal basis of the grade and points columns in force on ``day``, for the list's tooltips."""
    prof = profile_for(uow)
    out = {"sample": bool(prof.indicators is not None and prof.indicators.sample)}
    for rule_type, key in (("grades", "grade"), ("points", "points")):
        found = in_force(prof, rule_type, day or date.today())
        out[key] = basis(*found) if found else None
    return out


def stream_subjects(db, *, actor: Actor, q: SubjectQuery, batch: int = 2000) -> Iterator[SubjectRow]:
    """Every row of the list in order, fetched ``batch`` rows at a time from one read transaction.

    For exports: memory stays at one batch whatever the county's size; closing the generator
    (a cancelled export) ends the transaction.
    """
    full = actor.can("id.view_full")
    with UnitOfWork(db) as uow:
        for part in uow.session.execute(_rows_statement(q, wide=_wide(uow, q.text))).yield_per(batch).partitions():
            for r in part:
                yield _row(r, full)
