"""Points are notified to every institution where the person is registered (济医保发〔2025〕6号 四（六）),
whichever path the points came by: a finding confirmed here, or another county's decision received by exchange."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from models.db.tables import CreditRecord, Registration, Subject
from models.db.tables_casework import PointsNotification
from models.services import standing
from models.services.base import Actor, UnitOfWork


def notify(uow: UnitOfWork, actor: Actor, record: CreditRecord, institutions: list[Subject], today: date) -> int:
    """One notification per institution, with the record's points and the year's total from the standing."""
    day = min(today, date(record.decision_date.year, 12, 31))
    year = standing.of(uow, record.subject, day)["points"]
    points = next((e["points"] for e in year["entries"] if e["record"] == record.uuid), None)
    if not points:
        return 0
    for institution in institutions:
        n = PointsNotification(record_id=record.id, practitioner_id=record.subject_id, institution=institution,
                               points=points, year_total=year["total"], created_by=actor.username)
        uow.session.add(n)
        uow.session.flush()
        uow.audit(actor, "points.notify", "points_notification", n.uuid, after={
            "practitioner": record.subject.uuid, "institution": institution.name, "record": record.uuid,
            "points": points, "year": day.year, "year_total": year["total"]})
    return len(institutions)


def notify_received(uow: UnitOfWork, actor: Actor, practitioner_ids, own: str, today: date) -> int:
    """Another county's points records of these practitioners, to each institution of this county where they are
    registered and which has not been notified of that record yet (re-running notifies nobody twice)."""
    ids = sorted(set(practitioner_ids))
    if not ids:
        return 0
    standing.settle(uow)  # the points of the year as they stand with what just arrived
    regs = list(uow.session.scalars(select(Registration).join(Registration.institution).where(
        Registration.practitioner_id.in_(ids), or_(Subject.origin_county.is_(None), Subject.origin_county == own))))
    if not regs:
        return 0
    superseded = select(CreditRecord.supersedes_id).where(CreditRecord.supersedes_id.is_not(None))
    records = uow.session.scalars(select(CreditRecord).where(
        CreditRecord.subject_id.in_({r.practitioner_id for r in regs}), CreditRecord.origin_county.is_not(None),
        CreditRecord.origin_county != own, CreditRecord.good.is_(False), CreditRecord.id.not_in(superseded)))
    done = set(uow.session.execute(select(PointsNotification.record_id, PointsNotification.institution_id).where(
        PointsNotification.practitioner_id.in_(ids))).all())
    sent = 0
    for rec in records:
        todo = [r.institution for r in regs if r.practitioner_id == rec.subject_id and (rec.id, r.institution_id) not in done]
        if todo:
            sent += notify(uow, actor, rec, todo, today)
    return sent
