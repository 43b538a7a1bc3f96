"""Measures in the database and their lifecycle: 生效 → 期满 / 修复提前结束 / 撤销, and registration status.

The policy engine decides which measures a file calls for; ``sync`` materialises them as ``MeasureRow``
so that they have a state, a handler and a history, and keeps the practitioner's registration status at
every institution in line with them (状态联动, 济医保发〔2025〕6号 四(三)). Only the standing refresh
(models.services.standing) calls ``sync``, with the evaluation it has just made.

Time only moves forward here: processing a day never ends or revokes a decision dated after it, an
ended measure is never revived by an earlier day, and every transition is dated by its own event (a
measure that expired on day D is 期满 from D whichever later day notices it), so catching up over N
days leaves exactly the state of N daily runs.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from models import policy
from models.db.tables import CreditRecord, Registration, RegistrationStatus
from models.db.tables_casework import MeasureRow, Repair
from models.policy.packs import basis as cite
from models.policy.results import ENDED, IN_EFFECT
from models.policy.score import in_force
from models.services.base import Actor, UnitOfWork, query
from models.services.subjects import find_subject

# Measures that decide the registration status (暂停/终止期间不予结算, 济医保发〔2025〕6号 四(三)).
PAYMENT_STATUS = {"terminate_payment_qualification": "终止", "suspend_payment_qualification": "暂停"}
ACTIVE = "生效"


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


def _auto_restore(uow: UnitOfWork, actor: Actor, prof: policy.Profile, row: MeasureRow) -> bool:
    """鲁医保发〔2024〕25号 第十二条: corrected, effects removed and repair committed within the period →
    credit restored when the measure ends. Recorded as a repair decision effective the next day."""
    rec = row.record
    if rec is None or row.planned_end is None or not rec.rectifications or _repaired(row):
        return False
    corrected = min(c.corrected_on for c in rec.rectifications)
    found = in_force(prof, "auto_restore", rec.decision_date)
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


def _expire(uow: UnitOfWork, actor: Actor, prof: policy.Profile, row: MeasureRow, stats: Counter) -> None:
    state = "修复提前结束" if _shortened(uow, row) else "期满"
    _end(uow, actor, row, state, row.planned_end + timedelta(days=1), f"期限至{row.planned_end.isoformat()}届满")
    stats["expired"] += 1
    stats["restored"] += _auto_restore(uow, actor, prof, row)


@dataclass
class FileRows:
    """What the database holds of one subject's measures and registrations, loaded in batches by the caller."""

    subject_id: int
    measures: list[MeasureRow]
    registrations: list[Registration]
    records: dict[str, CreditRecord]  # live records by uuid
    choosers: dict[str, str]  # record uuid → who chose its period


def sync(uow: UnitOfWork, actor: Actor, prof: policy.Profile, ev: policy.Evaluation, rows: FileRows, today: date,
         stats: Counter) -> None:
    """Bring the subject's measure rows and registration status in line with the engine as of ``today``."""
    wanted = _wanted(ev)
    newest = {(r.record.uuid if r.record else None, r.kind): r for r in rows.measures}
    for key, (name, start, end, months, basis) in wanted.items():
        row = newest.get(key)
        if row is None:
            row = MeasureRow(subject_id=rows.subject_id, record=rows.records.get(key[0]), kind=key[1], name=name,
                             basis=basis, start=start, planned_end=end, months=months,
                             decided_by=rows.choosers.get(key[0], actor.username))
            uow.session.add(row)
            uow.session.flush()
            rows.measures.append(row)
            uow.audit(actor, "measure.impose", "measure", row.uuid, after=summary(row))
            stats["imposed"] += 1
        elif row.state == ACTIVE and (row.start, row.planned_end, row.months) != (start, end, months):
            before = summary(row)
            row.start, row.planned_end, row.months = start, end, months
            uow.audit(actor, "measure.change", "measure", row.uuid, before=before, after=summary(row))
        if row.state == ACTIVE and row.planned_end is not None and row.planned_end < today:
            _expire(uow, actor, prof, row, stats)
    for row in rows.measures:
        if row.state != ACTIVE:
            continue
        if row.record is None:  # decided by the bureau (discretionary.py), not by the rules: only the date ends it
            if row.planned_end is not None and row.planned_end < today:
                _end(uow, actor, row, "期满", row.planned_end + timedelta(days=1),
                     f"期限至{row.planned_end.isoformat()}届满")
                stats["expired"] += 1
            continue
        key = (row.record.uuid, row.kind)
        # A decision dated after the day being processed is not this day's business (monotone time).
        if key not in wanted and row.start <= today and row.record.decision_date <= today:
            repaired = _repaired(row)
            _end(uow, actor, row, "修复提前结束" if repaired else "撤销", today,
                 "信用修复后不再适用" if repaired else "引起措施的记录已被更正或不再满足条件")
            stats["ended"] += 1
    uow.session.flush()
    link_registrations(uow, actor, rows, today, stats)


def _interval(row: MeasureRow) -> tuple[date, date | None]:
    """[start, end): the days a payment measure held the registration."""
    if row.ended_on is not None:
        return row.start, row.ended_on
    return row.start, None if row.planned_end is None else row.planned_end + timedelta(days=1)


def status_on(rows: list[MeasureRow], day: date) -> tuple[str, MeasureRow | None]:
    """The registration status a practitioner's payment measures give on ``day``: 终止 over 暂停 over 正常."""
    held = [r for r in rows if r.kind in PAYMENT_STATUS and _interval(r)[0] <= day
            and (_interval(r)[1] is None or day < _interval(r)[1])]
    held.sort(key=lambda r: (r.kind != "terminate_payment_qualification", r.start))
    return (PAYMENT_STATUS[held[0].kind], held[0]) if held else ("正常", None)


def _reason(status: str, lead: MeasureRow | None) -> str:
    if lead is None:
        return "医保支付资格措施已结束，恢复正常"
    until = f"至{lead.planned_end.isoformat()}" if lead.planned_end else ""
    return f"{lead.name}（{lead.start.isoformat()}起{until}，依据{lead.basis}）"


def _recorded(entries: list[tuple[date, int, str]], day: date) -> str | None:
    """The status the history gives on ``day``: its last entry by (date, order of entry) up to that day."""
    held = [e for e in entries if e[0] <= day]
    return max(held)[2] if held else None


def link_registrations(uow: UnitOfWork, actor: Actor, rows: FileRows, today: date, stats: Counter) -> None:
    """状态联动: the status history of every registration says, for each day up to ``today``, what the payment
    measures give that day, never before the registration.

    The history is append-only and read by (effective date, order of entry): a decision entered after a later
    change (a termination dated before a suspension's end, recorded afterwards) is appended at its own date, and
    the later entries it overrides are followed by a new entry, so the old entries stay as they were written."""
    if not rows.registrations:
        return
    payment = [r for r in rows.measures if r.kind in PAYMENT_STATUS]
    points = {d for r in payment for d in _interval(r) if d is not None}
    for reg in rows.registrations:
        entries = [(h.effective_on, n, h.status) for n, h in enumerate(reg.history)]
        days = sorted({reg.registered_on, *(d for d in points | {e[0] for e in entries} if d > reg.registered_on)})
        for day in (d for d in days if d <= today):
            status, lead = status_on(payment, day)
            if status == _recorded(entries, day):
                continue
            reason = _reason(status, lead)
            before = {"status": reg.status}
            reg.history.append(RegistrationStatus(status=status, effective_on=day, reason=reason, actor=actor.username))
            entries.append((day, len(entries), status))
            uow.audit(actor, "registration.status", "registration", reg.uuid, before=before, reason=reason,
                      after={"status": status, "effective_on": day, "institution": reg.institution.name})
            stats["registrations"] += 1
        status = _recorded(entries, today) or reg.status
        if reg.status != status:  # an unchanged value assigned would still make the row dirty for every flush
            reg.status = status


@query
def measures_of(uow: UnitOfWork, *, subject: str) -> list[dict]:
    s = find_subject(uow, subject)
    rows = uow.session.scalars(select(MeasureRow).where(MeasureRow.subject_id == s.id).order_by(MeasureRow.id))
    return [summary(r) | {"decided_by": r.decided_by, "end_reason": r.end_reason} for r in rows]
