"""Objections, repairs and appeals for the 异议与修复 screen, a page at a time, and the records a case may concern."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models.db.tables import CreditRecord
from models.db.tables_appeals import Appeal
from models.db.tables_casework import MeasureRow, Objection, Repair
from models.queries.credit_file_cases import REPAIR_KIND_NAMES
from models.services import appeals
from models.services import catalogue as cat
from models.services.base import Actor, UnitOfWork, query
from models.services.cases import by_uuid
from models.services.county import current_county
from models.services.subjects import find_subject
from models.services.users import display_names

OPEN_OBJECTIONS = ("待复核",)
OPEN_REPAIRS = ("已受理", "公示中")
OPEN_APPEALS = appeals.OPEN


@dataclass(frozen=True)
class ObjectionRow:
    uuid: str
    subject: str
    subject_uuid: str
    target: str  # 信用信息 / 评价结果
    record: str | None
    case_no: str | None
    delivered_on: date
    received_on: date
    reason: str
    filing_deadline: date | None
    review_deadline: date | None
    provisional: bool
    basis: str
    state: str
    outcome: str | None
    answer: str | None
    entered_by: str
    decided_by: str | None
    decided_on: date | None
    people: dict[str, str] = field(default_factory=dict)  # login name → display name, for the screen


@dataclass(frozen=True)
class RepairRow:
    uuid: str
    subject: str
    subject_uuid: str
    kind: str
    kind_name: str
    record: str
    case_no: str
    applied_on: date
    eligible: bool
    reasons: tuple[str, ...]
    decision_deadline: date | None
    extended_to: date | None
    latest_deadline: date | None
    provisional: bool
    notice_end: date | None
    repaired_on: date | None
    basis: str
    state: str
    entered_by: str
    decided_by: str | None
    decision_reason: str | None
    people: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AppealRow:
    uuid: str
    subject: str
    subject_uuid: str
    matter: str
    measure_name: str | None  # None: the appeal is against points
    case_no: str | None
    appellant: str
    institution: str | None
    received_on: date
    reason: str
    deadline: date | None
    provisional: bool
    deadline_basis: str
    state: str
    assessor: str | None
    outcome: str | None
    effect: str | None
    entered_by: str
    decided_by: str | None
    people: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordChoice:
    uuid: str
    label: str


def _objection(o: Objection, people: dict[str, str] | None = None) -> ObjectionRow:
    return ObjectionRow(o.uuid, o.subject.name, o.subject.uuid, "信用信息" if o.target == "record" else "评价结果",
                        o.record.uuid if o.record else None, o.record.case_no if o.record else None, o.delivered_on,
                        o.received_on, o.reason, o.filing_deadline, o.review_deadline, o.provisional, o.basis, o.state,
                        o.outcome, o.answer, o.entered_by, o.decided_by, o.decided_on, people or {})


def _repair(r: Repair, people: dict[str, str] | None = None) -> RepairRow:
    return RepairRow(r.uuid, r.subject.name, r.subject.uuid, r.kind, REPAIR_KIND_NAMES[r.kind], r.record.uuid,
                     r.record.case_no, r.applied_on, r.eligible, tuple(json.loads(r.reasons)), r.decision_deadline,
                     r.extended_to, r.latest_deadline, r.provisional, r.notice_end, r.repaired_on, r.basis, r.state,
                     r.entered_by, r.decided_by, r.decision_reason, people or {})


def _appeal(a: Appeal, people: dict[str, str] | None = None) -> AppealRow:
    row = appeals.row(a)
    return AppealRow(a.uuid, a.subject.name, a.subject.uuid, a.matter, row["measure_name"], row["case_no"],
                     a.appellant, row["institution"], a.received_on, a.reason, a.deadline, a.provisional,
                     row["deadline_basis"], a.state, a.assessor, a.outcome, a.effect, a.entered_by, a.decided_by,
                     people or {})


@dataclass(frozen=True)
class _Kind:
    """One kind of case as its list pages it: the table, its open states, the dates it sorts by, what to load."""

    table: type
    open_states: tuple[str, ...]
    received: object  # the column sorted by default
    deadline: object  # the column sorted by sort="deadline"
    loads: tuple
    make: object  # (row, people) -> the row dataclass


_OBJECTIONS = _Kind(Objection, OPEN_OBJECTIONS, Objection.received_on, Objection.review_deadline,
                    (selectinload(Objection.subject), selectinload(Objection.record)), _objection)
_REPAIRS = _Kind(Repair, OPEN_REPAIRS, Repair.applied_on, Repair.decision_deadline,
                 (selectinload(Repair.subject), selectinload(Repair.record)), _repair)
_APPEALS = _Kind(Appeal, OPEN_APPEALS, Appeal.received_on, Appeal.deadline,
                 (selectinload(Appeal.subject), selectinload(Appeal.record), selectinload(Appeal.institution),
                  selectinload(Appeal.measure).selectinload(MeasureRow.record)), _appeal)


def _states(stmt, kind: _Kind, open_only: bool):
    return stmt.where(kind.table.state.in_(kind.open_states)) if open_only else stmt


def _page(uow: UnitOfWork, kind: _Kind, *, open_only: bool, offset: int, limit: int, sort: str | None,
          descending: bool) -> list:
    key = kind.deadline if sort == "deadline" else kind.received
    order = (key.desc(), kind.table.id.desc()) if descending else (key.asc(), kind.table.id.asc())
    stmt = _states(select(kind.table), kind, open_only).options(*kind.loads)
    found = list(uow.session.scalars(stmt.order_by(*order).offset(offset).limit(limit)))
    people = display_names(uow, {u for c in found for u in (c.entered_by, c.decided_by)})
    return [kind.make(c, people) for c in found]


def _count(uow: UnitOfWork, kind: _Kind, open_only: bool) -> int:
    return uow.session.scalar(_states(select(func.count()).select_from(kind.table), kind, open_only))


@query
def objection_page(uow: UnitOfWork, *, actor: Actor, open_only: bool = True, offset: int = 0, limit: int = 200,
                   sort: str | None = None, descending: bool = False) -> list[ObjectionRow]:
    return _page(uow, _OBJECTIONS, open_only=open_only, offset=offset, limit=limit, sort=sort, descending=descending)


@query
def objection_count(uow: UnitOfWork, *, actor: Actor, open_only: bool = True) -> int:
    return _count(uow, _OBJECTIONS, open_only)


@query
def repair_page(uow: UnitOfWork, *, actor: Actor, open_only: bool = True, offset: int = 0, limit: int = 200,
                sort: str | None = None, descending: bool = False) -> list[RepairRow]:
    return _page(uow, _REPAIRS, open_only=open_only, offset=offset, limit=limit, sort=sort, descending=descending)


@query
def repair_count(uow: UnitOfWork, *, actor: Actor, open_only: bool = True) -> int:
    return _count(uow, _REPAIRS, open_only)


@query
def appeal_page(uow: UnitOfWork, *, actor: Actor, open_only: bool = True, offset: int = 0, limit: int = 200,
                sort: str | None = None, descending: bool = False) -> list[AppealRow]:
    return _page(uow, _APPEALS, open_only=open_only, offset=offset, limit=limit, sort=sort, descending=descending)


@query
def appeal_count(uow: UnitOfWork, *, actor: Actor, open_only: bool = True) -> int:
    return _count(uow, _APPEALS, open_only)


@query
def objection_row(uow: UnitOfWork, *, actor: Actor, uuid: str) -> ObjectionRow:
    return _objection(by_uuid(uow, Objection, uuid, "异议"))


@query
def repair_row(uow: UnitOfWork, *, actor: Actor, uuid: str) -> RepairRow:
    return _repair(by_uuid(uow, Repair, uuid, "信用修复申请"))


@query
def case_records(uow: UnitOfWork, *, actor: Actor, subject: str, bad_only: bool = True) -> list[RecordChoice]:
    """The subject's records a case may concern, newest first: not superseded by a correction
    (a correction is objected to or repaired, not the record it replaced)."""
    s = find_subject(uow, subject)
    names = cat.kinds(current_county(uow).profile)
    superseded = select(CreditRecord.supersedes_id).where(CreditRecord.supersedes_id.is_not(None))
    stmt = select(CreditRecord).where(CreditRecord.subject_id == s.id, CreditRecord.id.not_in(superseded))
    if bad_only:
        stmt = stmt.where(CreditRecord.good.is_(False))
    rows = uow.session.scalars(stmt.order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc()))
    return [RecordChoice(r.uuid, f"{r.decision_date.isoformat()}　{names[r.kind].name if r.kind in names else r.kind}"
                                 + (f"　{r.case_no}" if r.case_no else "")) for r in rows]
