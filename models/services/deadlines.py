"""Deadlines stored as 暂定 are recomputed when the year they reach gets its official schedule (DOMAIN §5).

A deadline that reaches a year without a loaded holiday schedule is counted on weekends alone and
stored as provisional. Loading that year's schedule (by the admin or from the city) recomputes every
provisional deadline of an open case from the event that started it, and puts each change on the
audit trail.
"""
from __future__ import annotations

from sqlalchemy import select

from models.db.tables_appeals import Appeal
from models.db.tables_casework import Objection, Repair
from models.services import appeals, workdays
from models.services.base import Actor, Result, UnitOfWork, service
from models.services.cases import deadline


def _objection(uow: UnitOfWork, o: Objection) -> dict:
    filing = deadline(uow, "objection_filing", o.subject.type, o.delivered_on)
    review = deadline(uow, "objection_review", o.subject.type, o.received_on)
    return {"filing_deadline": filing.deadline if filing else o.filing_deadline,
            "review_deadline": review.deadline if review else o.review_deadline,
            "provisional": bool((filing and filing.provisional) or (review and review.provisional))}


def _repair(uow: UnitOfWork, r: Repair) -> dict:
    due = deadline(uow, "repair_decision", r.subject.type, r.applied_on)
    values = {"decision_deadline": due.deadline if due else r.decision_deadline,
              "latest_deadline": due.latest if due else r.latest_deadline}
    if r.extended_to is not None:
        values["extended_to"] = values["latest_deadline"]
    cal = workdays.calendar_from_db(uow)
    values["provisional"] = bool(due and due.provisional) or (
        r.extended_to is not None and cal.provisional_between(values["decision_deadline"] or r.applied_on,
                                                             values["extended_to"]))
    if r.state == "公示中" and r.decided_on is not None:
        notice = deadline(uow, "repair_public_notice", r.subject.type, r.decided_on)
        if notice is not None:
            values["notice_end"] = notice.deadline
    return values


def recompute_provisional(uow: UnitOfWork, actor: Actor) -> int:
    """Recompute every provisional deadline of an open case; returns how many cases changed."""
    changed = 0
    cases = [(o, _objection) for o in uow.session.scalars(
        select(Objection).where(Objection.provisional.is_(True), Objection.state == "待复核"))]
    cases += [(r, _repair) for r in uow.session.scalars(
        select(Repair).where(Repair.provisional.is_(True), Repair.state.in_(("已受理", "公示中"))))]
    cases += [(a, appeals.recompute) for a in uow.session.scalars(
        select(Appeal).where(Appeal.provisional.is_(True), Appeal.state.in_(appeals.OPEN)))]
    for case, compute in cases:
        after = compute(uow, case)
        before = {k: getattr(case, k) for k in after}
        if before == after:
            continue
        for k, v in after.items():
            setattr(case, k, v)
        uow.audit(actor, "deadline.recompute", type(case).__tablename__.rstrip("s"), case.uuid, before=before,
                  after=after, reason="载入节假日安排后按正式安排重新计算期限")
        changed += 1
    return changed


@service
def load_schedule(uow: UnitOfWork, *, actor: Actor, text: str, source: str) -> Result:
    """Load the years' official schedules, then recompute the provisional deadlines they settle."""
    result = workdays.load_schedule.in_uow(uow, actor=actor, text=text, source=source)
    recompute_provisional(uow, actor)
    return result
