"""Measures in the database and their lifecycle: 生效 → 期满 / 修复提前结束 / 撤销.

The policy engine decides which measures a file calls for; ``sync`` materialises them as
``MeasureRow`` so that they have a state, a handler and a history, and keeps the practitioner's
registration status at every institution in line with them (状态联动, 济医保发〔2025〕6号 四(三)).
Everything that can change a file's measures (confirmation, a choice, a correction, a repair,
the date passing) ends by calling ``sync``; ``tick`` is the date passing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from models import policy
from models.db.tables import AuditEntry, CreditRecord, MeasureChoiceRow, Registration, RegistrationStatus, Subject
from models.db.tables_casework import MeasureRow, Repair
from models.policy.packs import basis as cite
from models.policy.results import ENDED, IN_EFFECT
from models.policy.score import in_force
from models.services import evaluation
from models.services.base import Actor, Changes, Result, UnitOfWork, query, require, service

# Measures that decide the registration status (暂停/终止期间不予结算, 济医保发〔2025〕6号 四(三)).
PAYMENT_STATUS = {"terminate_payment_qualification": "终止", "suspend_payment_qualification": "暂停"}


def current_evaluation(uow: UnitOfWork, subject: Subject, day: date) -> policy.Evaluation:
    rows = evaluation._live_records(uow, [subject.id])[subject.id]
    choices = evaluation._choices(uow, [r.id for r in rows])[subject.id]
    return evaluation._evaluate(evaluation.profile_for(uow), subject, rows, choices, day)


def summary(row: MeasureRow) -> dict:
    return {"measure": row.uuid, "kind": row.kind, "name": row.name, "start": row.start, "planned_end": row.planned_end,
            "months": row.months, "state": row.state, "ended_on": row.ended_on, "basis": row.basis,
            "record": row.record.uuid if row.record else None}


def _wanted(ev: policy.Evaluation) -> dict[tuple[str, str], tuple]:
    """(record uuid, kind) → (name, start, end, months, basis) for every measure with dates and a cause."""
    out = {}
    for m in ev.measures:
        if m.record and m.start and m.status in (IN_EFFECT, ENDED):
            out[(m.record, m.kind)] = (m.name, m.start, m.end, m.chosen.months if m.chosen else None, m.basis)
    for li in ev.lists:  # list entries are measures too; they end when the record is repaired
        if li.record:
            out[(li.record, f"list_{li.list}")] = (li.list_name, li.since, None, None, li.basis)
    return out


def _repaired(row: MeasureRow) -> bool:
    return row.record is not None and any(r.state == "已修复" for r in row.record.repairs)


def _shortened(uow: UnitOfWork, row: MeasureRow) -> bool:
    return uow.session.scalar(select(Repair.id).where(Repair.measure_id == row.id, Repair.kind == "shorten")) is not None


def _end(uow: UnitOfWork, actor: Actor, row: MeasureRow, state: str, ended_on: date, reason: str) -> None:
    before = summary(row)
    row.state, row.ended_on, row.end_reason = state, ended_on, reason
    uow.audit(actor, "measure.end", "measure", row.uuid, before=before, after=summary(row), reason=reason)


def _auto_restore(uow: UnitOfWork, actor: Actor, row: MeasureRow) -> bool:
    """鲁医保发〔2024〕25号 第十二条: corrected, effects removed and repair committed within the period →
    credit restored when the measure ends. Recorded as a repair decision effective the next day."""
    rec = row.record
    if rec is None or row.planned_end is None or not rec.rectifications or _repaired(row):
        return False
    corrected = min(c.corrected_on for c in rec.rectifications)
    found = in_force(evaluation.profile_for(uow), "auto_restore", rec.decision_date)
    if found is None or corrected > row.planned_end:
        return False
    on = row.planned_end + timedelta(days=1)
    repair = Repair(subject_id=row.subject_id, record=rec, measure=row, kind="auto", applied_on=on,
                    entered_by=actor.username, state="已修复", decided_by=actor.username, decided_on=on,
                    repaired_on=on, basis=cite(*found),
                    decision_reason=f"于{corrected.isoformat()}纠正失信行为、作出修复承诺，措施期满信用自动修复")
    uow.session.add(repair)
    uow.session.flush()
    uow.audit(actor, "repair.auto", "repair", repair.uuid, after={"record": rec.uuid, "repaired_on": on,
                                                                    "basis": repair.basis})
    return True


def _expire(uow: UnitOfWork, actor: Actor, row: MeasureRow, stats: Counter) -> None:
    state = "修复提前结束" if _shortened(uow, row) else "期满"
    _end(uow, actor, row, state, row.planned_end + timedelta(days=1), f"期限至{row.planned_end.isoformat()}届满")
    stats["expired"] += 1
    stats["restored"] += _auto_restore(uow, actor, row)


def take_effect(uow: UnitOfWork, actor: Actor, subject: Subject, today: date | None = None) -> None:
    """After a file changed: evaluate it again and bring its measures and registrations in line at once."""
    evaluation.refresh(uow, [subject.id], actor=actor)
    sync(uow, actor, subject, today or date.today())


def sync(uow: UnitOfWork, actor: Actor, subject: Subject, today: date, stats: Counter | None = None) -> Counter:
    """Bring the subject's measure rows and registration status in line with the engine as of ``today``."""
    stats = Counter() if stats is None else stats
    wanted = _wanted(current_evaluation(uow, subject, today))
    rows = list(uow.session.scalars(select(MeasureRow).where(MeasureRow.subject_id == subject.id).order_by(MeasureRow.id)))
    newest = {(r.record.uuid if r.record else None, r.kind): r for r in rows}
    chooser = {c.record.uuid: c.chosen_by for c in uow.session.scalars(
        select(MeasureChoiceRow).join(MeasureChoiceRow.record).where(MeasureChoiceRow.record.has(subject_id=subject.id))
        .order_by(MeasureChoiceRow.id))}
    records = {r.uuid: r for r in evaluation._live_records(uow, [subject.id])[subject.id]}
    for key, (name, start, end, months, basis) in wanted.items():
        row = newest.get(key)
        if row is None:
            row = MeasureRow(subject=subject, record=records.get(key[0]), kind=key[1], name=name, basis=basis,
                             start=start, planned_end=end, months=months, decided_by=chooser.get(key[0], actor.username))
            uow.session.add(row)
            uow.session.flush()
            uow.audit(actor, "measure.impose", "measure", row.uuid, after=summary(row))
            stats["imposed"] += 1
        elif row.state == "生效" and (row.start, row.planned_end, row.months) != (start, end, months):
            before = summary(row)
            row.start, row.planned_end, row.months = start, end, months
            uow.audit(actor, "measure.change", "measure", row.uuid, before=before, after=summary(row))
        if row.state == "生效" and row.planned_end is not None and row.planned_end < today:
            _expire(uow, actor, row, stats)
    for row in rows:  # decided by the bureau (discretionary.py), not by the rules: only the date ends them
        if row.record is None and row.state == "生效" and row.planned_end is not None and row.planned_end < today:
            _end(uow, actor, row, "期满", row.planned_end + timedelta(days=1), f"期限至{row.planned_end.isoformat()}届满")
            stats["expired"] += 1
    for key, row in newest.items():
        if row.record is None:
            continue
        if row.state == "生效" and key not in wanted:
            repaired = _repaired(row)
            _end(uow, actor, row, "修复提前结束" if repaired else "撤销", today,
                 "信用修复后不再适用" if repaired else "引起措施的记录已被更正或不再满足条件")
            stats["ended"] += 1
    uow.session.flush()
    link_registrations(uow, actor, subject, today, stats)
    return stats


def link_registrations(uow: UnitOfWork, actor: Actor, subject: Subject, today: date, stats: Counter) -> None:
    """状态联动: the status at every institution follows the payment-qualification measures."""
    if subject.type != "practitioner":
        return
    rows = list(uow.session.scalars(select(MeasureRow).where(
        MeasureRow.subject_id == subject.id, MeasureRow.kind.in_(PAYMENT_STATUS))))
    active = sorted((r for r in rows if r.state == "生效" and r.start <= today),
                    key=lambda r: (r.kind != "terminate_payment_qualification", r.start))
    if active:
        lead = active[0]
        status, on = PAYMENT_STATUS[lead.kind], lead.start
        until = f"至{lead.planned_end.isoformat()}" if lead.planned_end else ""
        reason = f"{lead.name}（{lead.start.isoformat()}起{until}，依据{lead.basis}）"
    else:
        ends = [r.ended_on for r in rows if r.ended_on]
        status, on = "正常", max(ends, default=today)
        reason = "医保支付资格措施已结束，恢复正常"
    for reg in uow.session.scalars(select(Registration).where(Registration.practitioner_id == subject.id)):
        if reg.status == status:
            continue
        before = {"status": reg.status}
        reg.history.append(RegistrationStatus(status=status, effective_on=on, reason=reason, actor=actor.username))
        reg.status = status
        uow.audit(actor, "registration.status", "registration", reg.uuid, before=before, reason=reason,
                  after={"status": status, "effective_on": on, "institution": reg.institution.name})
        stats["registrations"] += 1


@dataclass(frozen=True)
class TickRun:
    today: date
    subjects: int
    imposed: int
    expired: int
    ended: int
    restored: int
    registrations: int
    repairs_finished: int


@service
def tick(uow: UnitOfWork, *, actor: Actor, today: date | None = None) -> Result:
    """Process everything due by date: measures that expired, public notices that ended, registrations."""
    from models.services.repairs import finish_due  # repairs builds on this module

    require(actor, "casework.tick")
    day = today or date.today()
    stats = Counter()
    finished = finish_due(uow, actor, day, stats)
    ids = set(uow.session.scalars(select(MeasureRow.subject_id).where(MeasureRow.state == "生效")))
    ids |= set(uow.session.scalars(select(Registration.practitioner_id).where(Registration.status != "正常")))
    ids |= finished
    # Bad records entered directly (record add) since the last run may call for measures no service
    # has materialised yet; looking only at those keeps a county-wide tick from re-evaluating everyone.
    last = uow.session.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.action == "casework.tick"))
    new = select(CreditRecord.subject_id).where(CreditRecord.good.is_(False))
    ids |= set(uow.session.scalars(new if last is None else new.where(CreditRecord.created_at >= last)))
    for s in uow.session.scalars(select(Subject).where(Subject.id.in_(ids))):
        sync(uow, actor, s, day, stats)
    evaluation.refresh(uow, sorted(ids), actor=actor, as_of=day)
    run = TickRun(day, len(ids), stats["imposed"], stats["expired"], stats["ended"], stats["restored"],
                  stats["registrations"], stats["repairs_finished"])
    uow.audit(actor, "casework.tick", "county", None, after=run.__dict__)
    touched = uow.session.scalars(select(Subject.uuid).where(Subject.id.in_(ids)))
    return Result(run, Changes(subjects=frozenset(touched), lists=True))


@query
def measures_of(uow: UnitOfWork, *, subject: str) -> list[dict]:
    from models.services.subjects import find_subject

    s = find_subject(uow, subject)
    rows = uow.session.scalars(select(MeasureRow).where(MeasureRow.subject_id == s.id).order_by(MeasureRow.id))
    return [summary(r) | {"decided_by": r.decided_by, "end_reason": r.end_reason} for r in rows]
