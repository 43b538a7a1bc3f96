"""Findings (违规认定) for the entry screen: unconfirmed ones waiting for a reviewer, or all, a page at a time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models.db.tables_casework import Finding, FindingWithdrawal, ResponsiblePerson
from models.services import catalogue as cat
from models.services.base import Actor, UnitOfWork, query
from models.services.county import current_county
from models.services.subjects import mask_id
from models.services.users import display_names

SORTS = {"decision_date": Finding.decision_date, "case_no": Finding.case_no, "entered": Finding.id}


@dataclass(frozen=True)
class PersonRow:
    name: str
    number: str
    responsibility: str
    kind: str
    kind_name: str
    band: tuple[int, int] | None
    entered_by: str


@dataclass(frozen=True)
class FindingRow:
    uuid: str
    case_no: str
    institution: str
    decision_type: str
    decision_date: date
    amount: Decimal | None
    article: str
    state: str
    entered_by: str
    confirmed_by: str | None
    confirmed_on: date | None
    persons: tuple[PersonRow, ...]
    people: dict[str, str] = field(default_factory=dict)  # login name → display name, for the screen

    @property
    def entrants(self) -> set[str]:
        """Everyone who entered part of the case: none of them may confirm it (双人复核)."""
        return {self.entered_by, *(p.entered_by for p in self.persons)}


def _row(f: Finding, names: dict[str, cat.KindSpec], full_id: bool, people: dict[str, str]) -> FindingRow:
    persons = tuple(PersonRow(
        p.practitioner.name, p.practitioner.id_number if full_id else mask_id(p.practitioner.id_number),
        p.responsibility, p.kind, names[p.kind].name if p.kind in names else p.kind,
        names[p.kind].band if p.kind in names else None, p.entered_by) for p in f.persons)
    return FindingRow(f.uuid, f.case_no, f.institution.name, f.decision_type, f.decision_date, f.amount, f.article,
                      WITHDRAWN if f.withdrawal is not None else f.state, f.entered_by, f.confirmed_by, f.confirmed_on,
                      persons, people)


WITHDRAWN = "已撤回"  # a pending finding its clerk withdrew (finding_withdrawals); the state column stays 待确认


def _where(stmt, state: str | None):
    withdrawn = Finding.id.in_(select(FindingWithdrawal.finding_id))
    if state == WITHDRAWN:
        return stmt.where(withdrawn)
    if state == "待确认":
        return stmt.where(Finding.state == state, ~withdrawn)
    return stmt.where(Finding.state == state) if state else stmt


@query
def finding_page(uow: UnitOfWork, *, actor: Actor, state: str | None = "待确认", offset: int = 0, limit: int = 200,
                 sort: str | None = None, descending: bool = False) -> list[FindingRow]:
    key = SORTS.get(sort or "entered", Finding.id)
    order = (key.desc(), Finding.id.desc()) if descending else (key.asc(), Finding.id.asc())
    stmt = _where(select(Finding), state).options(
        selectinload(Finding.persons).selectinload(ResponsiblePerson.practitioner), selectinload(Finding.institution),
        selectinload(Finding.withdrawal))
    names = cat.kinds(current_county(uow).profile)
    full = actor.can("id.view_full")
    found = list(uow.session.scalars(stmt.order_by(*order).offset(offset).limit(limit)))
    people = display_names(uow, {u for f in found for u in (f.entered_by, f.confirmed_by,
                                                            *(p.entered_by for p in f.persons))})
    return [_row(f, names, full, people) for f in found]


@query
def finding_count(uow: UnitOfWork, *, actor: Actor, state: str | None = "待确认") -> int:
    return uow.session.scalar(_where(select(func.count()).select_from(Finding), state))
