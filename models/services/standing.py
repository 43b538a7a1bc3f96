"""A subject's legal standing: the one place it is computed and stored, and the one place it is read.

The standing is everything with legal weight that follows from a file as of a day: points of the year,
score and grade, every measure with its state, list memberships, sanctions, registration status at every
institution and the bans that run. It is computed by the policy engine, its measures and registration
status are materialised by ``lifecycle.sync``, and the result is stored in ``subject_standing`` (one row per
subject) with its history in ``evaluations`` (a row only when the result changed) and the result itself
in ``standing_results`` (stored once however many subjects share it).

When it is brought up to date:
- in the same transaction as every write that changes a file: the unit of work collects the subjects
  whose facts were written (``after_change``, and automatically for rows written through the ORM) and
  refreshes them just before it commits;
- by the calendar: each row says until when it holds (``valid_until``); ``refresh_due`` recomputes only
  the rows that are due, missing or marked dirty (a new policy pack or indicator tree), in short batches
  of their own transactions, so a county-wide run costs what changed and never holds the write lock long;
- by a reader that finds the row out of date for today: it refreshes first.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from sqlalchemy import String, bindparam, event, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, selectinload

from models import policy
from models.db.base import new_uuid, utcnow
from models.db.tables import (County, CreditRecord, EvaluationSnapshot, IndicatorSetRow, MeasureChoiceRow,
                              Registration, StandingResult, Subject, SubjectStanding)
from models.db.tables_exchange import ReceivedPolicyPack
from models.db.tables_casework import MeasureRow, Rectification, Repair
from models.policy.results import IN_EFFECT, PENDING_CHOICE
from models.services import evaluation, lifecycle
from models.services.base import SYSTEM, Actor, Changes, Result, ServiceError, UnitOfWork, query, require
from models.services.county import current_county
from models.services.subjects import find_subject, mask_id

BATCH = 2000
CHANGED, REFRESHING, ACTOR, DAY = "standing_changed", "standing_refreshing", "standing_actor", "standing_day"
RULES_CHANGED = "standing_rules_changed"
STATUS_ORDER = {"终止": 0, "暂停": 1, "正常": 2}


class Cancelled(ServiceError):
    pass


# -- which subjects a unit of work changed ----------------------------------------------------------

_SUBJECT_OF = {
    CreditRecord: lambda o: o.subject_id,
    Repair: lambda o: o.subject_id,
    MeasureRow: lambda o: o.subject_id,
    Registration: lambda o: o.practitioner_id,
    Subject: lambda o: o.id,
    MeasureChoiceRow: lambda o: o.record.subject_id if o.record is not None else None,
    Rectification: lambda o: o.record.subject_id if o.record is not None else None,
}


# Rows that change the rules for everyone: the county's profile, the bureau's indicator tree, a pack from the city.
_RULES = (County, IndicatorSetRow, ReceivedPolicyPack)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    """Every fact written through the ORM marks its subject, so no write path can forget to."""
    if session.info.get(REFRESHING):
        return
    changed = session.info.setdefault(CHANGED, set())
    for obj in chain(session.new, session.dirty):
        of_subject = _SUBJECT_OF.get(type(obj))
        if of_subject is not None and (sid := of_subject(obj)) is not None:
            changed.add(sid)
        elif isinstance(obj, _RULES):
            session.info[RULES_CHANGED] = True


def after_change(uow: UnitOfWork, actor: Actor, subject_ids) -> None:
    """The facts of these subjects changed (bulk writes that bypass the ORM say so here): their standing is
    brought up to date before the unit of work commits."""
    uow.session.info.setdefault(CHANGED, set()).update(int(i) for i in subject_ids)
    uow.session.info.setdefault(ACTOR, actor)


def settle(uow: UnitOfWork) -> None:
    """Bring the standing of every subject changed so far in this unit of work up to date now.

    When the rules changed, every standing is marked dirty instead, in the same transaction; a county-wide
    ``refresh_due`` (with progress) recomputes them, and any reader refreshes a dirty row it needs first."""
    uow.session.flush()
    if uow.session.info.pop(RULES_CHANGED, False):
        mark_all_dirty(uow)
    changed = uow.session.info.pop(CHANGED, set())
    if changed:
        refresh(uow, changed, actor=uow.session.info.get(ACTOR) or uow.actor or SYSTEM, day=uow.session.info.get(DAY))


UnitOfWork.before_commit.append(settle)


# -- computing and storing -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    body: str
    digest: str
    columns: dict


def _registrations(regs: list[Registration]) -> list[dict]:
    return [{"institution": r.institution.name, "institution_uuid": r.institution.uuid,
             "registered_on": r.registered_on.isoformat(), "status": r.status,
             "since": (r.history[-1].effective_on if r.history else r.registered_on).isoformat()}
            for r in sorted(regs, key=lambda r: r.id)]


def _measure_states(rows: list[MeasureRow]) -> list[dict]:
    return [{"measure": r.uuid, "kind": r.kind, "name": r.name, "start": r.start.isoformat(),
             "planned_end": r.planned_end and r.planned_end.isoformat(), "state": r.state,
             "ended_on": r.ended_on and r.ended_on.isoformat(), "end_reason": r.end_reason or None,
             "basis": r.basis, "record": r.record.uuid if r.record else None}
            for r in sorted(rows, key=lambda r: r.id)]


def _stored(ev: policy.Evaluation, rows: list[MeasureRow], regs: list[Registration]) -> Stored:
    result = ev.to_json()
    body = {k: v for k, v in result.items() if k not in ("subject", "as_of", "valid_until")}
    body["measure_states"] = _measure_states(rows)
    body["registrations"] = _registrations(regs)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    statuses = [r.status for r in regs]
    bans = [m.end for m in ev.measures if m.kind == "registration_ban" and m.end]  # ended ones too: a late entry
    columns = dict(
        score=ev.score, grade=ev.grade, points_total=ev.points.total,
        measures=sum(1 for m in ev.measures if m.status == IN_EFFECT), sanction=bool(ev.sanctions),
        red=any(li.list == "red" for li in ev.lists), black=any(li.list == "black" for li in ev.lists),
        pending_choices=sum(1 for m in ev.measures if m.status == PENDING_CHOICE),
        registration_status=min(statuses, key=STATUS_ORDER.get) if statuses else None,
        ban_until=max(bans, default=None), rule_status=ev.rule_status.status, points_year=ev.points.year)
    return Stored(text, hashlib.sha256(text.encode()).hexdigest(), columns)


def _valid_until(ev: policy.Evaluation, rows: list[MeasureRow], day: date) -> date | None:
    """The engine's date, or earlier when a measure the bureau decided ends or starts before it."""
    dates = [d for r in rows if r.state == lifecycle.ACTIVE
             for d in (r.start, r.planned_end and r.planned_end + timedelta(days=1)) if d is not None and d > day]
    return min([ev.valid_until, *dates]) if ev.valid_until else min(dates, default=None)


def _grouped(rows, key) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def _batch(uow: UnitOfWork, prof: policy.Profile, prof_name: str, part: list[int], day: date, actor: Actor,
           stats: Counter, shared: dict) -> None:
    session = uow.session
    wanted = set(part)
    subjects = [s for s in session.execute(select(
        Subject.id, Subject.uuid, Subject.type, Subject.name, Subject.id_number, Subject.credit_code).where(
        evaluation.among(Subject.id, part))) if s.id in wanted]
    records = evaluation._live_records(uow, part)
    live = [r for rows in records.values() for r in rows]
    choices = evaluation._choices(uow, [r.id for r in live])
    measures = _grouped(session.scalars(select(MeasureRow).where(evaluation.among(MeasureRow.subject_id, part))
                                        .options(selectinload(MeasureRow.record)).order_by(MeasureRow.id)),
                        lambda m: m.subject_id)
    regs = _grouped(session.scalars(select(Registration).where(evaluation.among(Registration.practitioner_id, part))
                                    .options(selectinload(Registration.history), selectinload(Registration.institution))),
                    lambda r: r.practitioner_id)
    choosers = dict(session.execute(select(CreditRecord.uuid, MeasureChoiceRow.chosen_by).join(
        MeasureChoiceRow.record).where(evaluation.among(CreditRecord.subject_id, part))
        .order_by(MeasureChoiceRow.id)).all())
    results: dict[int, Stored] = {}
    for s in subjects:
        recs, chosen = records.get(s.id, []), choices.get(s.id, [])
        rows, rregs = measures.get(s.id, []), regs.get(s.id, [])
        if recs or chosen:
            ev = evaluation.evaluate_rows(prof, s, recs, chosen, day)
        else:  # no facts of its own: every such subject of a type has the same result
            ev = shared.get(s.type) or shared.setdefault(s.type, evaluation.evaluate_rows(prof, s, [], [], day))
        if recs or rows or any(r.status != "正常" for r in rregs):
            lifecycle.sync(uow, actor, prof, ev, lifecycle.FileRows(
                s.id, rows, rregs, {r.uuid: r for r in recs}, choosers), day, stats)
        if not (recs or chosen or rows or rregs):
            key = ("stored", s.type)
            results[s.id] = shared.get(key) or shared.setdefault(key, _stored(ev, [], []))
        else:
            results[s.id] = _stored(ev, rows, rregs)
        results[s.id].columns["valid_until"] = _valid_until(ev, rows, day)
    _write(uow, prof_name, results, day, actor, stats)


SET_BASED = 50  # subjects sharing one result are written with set-based statements from this many on
HISTORY = EvaluationSnapshot.__table__
STANDING = SubjectStanding.__table__
OWN_COLUMNS = ("rule_status", "points_year")  # kept in the history row only


def _history_values(st: Stored, day: date, now, actor: Actor, prof_name: str) -> dict:
    c = st.columns
    return dict(as_of=day, computed_at=now, computed_by=actor.username, profile=prof_name, score=c["score"],
                grade=c["grade"], points_year=c["points_year"], points_total=c["points_total"],
                rule_status=c["rule_status"], result_hash=st.digest, result="")


def _standing_values(st: Stored, day: date) -> dict:
    return dict(as_of=day, result_hash=st.digest, dirty=False,
                **{k: v for k, v in st.columns.items() if k not in OWN_COLUMNS})


def _random_uuid(session, hexed):
    """A random UUID for each row of a set-based insert: SQLite has no uuid(), PostgreSQL has gen_random_uuid()."""
    if session.get_bind().dialect.name != "sqlite":
        return func.cast(func.gen_random_uuid(), String)
    parts = [func.substr(hexed, 1, 8), "-", func.substr(hexed, 9, 4), "-4", func.substr(hexed, 14, 3), "-a",
             func.substr(hexed, 18, 3), "-", func.substr(hexed, 21, 12)]
    out = parts[0]
    for p in parts[1:]:
        out = out.op("||")(p)
    return out


def _write_shared(uow: UnitOfWork, ids: list[int], known: dict, st: Stored, day: date, now, actor: Actor,
                  prof_name: str) -> None:
    """Many subjects with one result: a history row each and their standing rows, in three statements."""
    session = uow.session
    source = select(Subject.id.label("sid"), func.lower(func.hex(func.randomblob(16))).label("h")).where(
        Subject.id.in_(ids)).subquery()
    values = _history_values(st, day, now, actor, prof_name)
    session.execute(insert(HISTORY).from_select(
        ["uuid", "subject_id", *values], select(_random_uuid(session, source.c.h), source.c.sid,
                                              *(literal(v, HISTORY.c[k].type) for k, v in values.items()))))
    newest = select(func.max(HISTORY.c.id)).where(HISTORY.c.subject_id == Subject.id).scalar_subquery()
    cols = _standing_values(st, day)
    new = [i for i in ids if i not in known]
    if new:
        session.execute(insert(STANDING).from_select(
            ["subject_id", "evaluation_id", *cols], select(Subject.id, newest, *(
                literal(v, STANDING.c[k].type) for k, v in cols.items())).where(Subject.id.in_(new))))
    moved = [i for i in ids if i in known]
    if moved:
        latest = select(func.max(HISTORY.c.id)).where(HISTORY.c.subject_id == STANDING.c.subject_id).scalar_subquery()
        session.execute(update(STANDING).where(STANDING.c.subject_id.in_(moved)).values(evaluation_id=latest, **cols))


def _write_each(uow: UnitOfWork, ids: list[int], known: dict, results: dict[int, Stored], day: date, now,
                actor: Actor, prof_name: str) -> None:
    """Subjects with results of their own: one executemany per statement (the ORM's bulk paths would fall back
    to a statement per row)."""
    session = uow.session
    session.execute(insert(HISTORY), [dict(uuid=new_uuid(), subject_id=sid,
                                           **_history_values(results[sid], day, now, actor, prof_name)) for sid in ids])
    newest = select(func.max(HISTORY.c.id)).where(HISTORY.c.subject_id == bindparam("sid")).scalar_subquery()
    rows = [dict(sid=sid, **_standing_values(results[sid], day)) for sid in ids]
    values = {c: bindparam(c) for c in rows[0] if c != "sid"}
    new = [r for r in rows if r["sid"] not in known]
    moved = [r for r in rows if r["sid"] in known]
    if new:
        session.execute(insert(STANDING).values(subject_id=bindparam("sid"), evaluation_id=newest, **values), new)
    if moved:
        session.execute(update(STANDING).where(STANDING.c.subject_id == bindparam("sid")).values(
            evaluation_id=newest, **values), moved)


def _write(uow: UnitOfWork, prof_name: str, results: dict[int, Stored], day: date, actor: Actor,
           stats: Counter) -> None:
    session = uow.session
    ids = list(results)
    known = {r.subject_id: r for r in session.execute(
        select(SubjectStanding.subject_id, SubjectStanding.result_hash, SubjectStanding.as_of,
               SubjectStanding.valid_until, SubjectStanding.dirty).where(
            evaluation.among(SubjectStanding.subject_id, sorted(ids)))) if r.subject_id in results}
    digests = {st.digest: st.body for st in results.values()}
    have = set(session.scalars(select(StandingResult.hash).where(StandingResult.hash.in_(list(digests)))))
    fresh_bodies = [{"hash": h, "body": StandingResult.pack(b)} for h, b in digests.items() if h not in have]
    if fresh_bodies:
        session.execute(insert(StandingResult), fresh_bodies)
    now = utcnow()
    groups: dict[str, list[int]] = defaultdict(list)
    for sid, st in results.items():
        if sid not in known or known[sid].result_hash != st.digest:
            groups[st.digest].append(sid)
    single = [sid for group in groups.values() if len(group) < SET_BASED for sid in group]
    if single:
        _write_each(uow, single, known, results, day, now, actor, prof_name)
    for group in groups.values():
        if len(group) >= SET_BASED:
            _write_shared(uow, group, known, results[group[0]], day, now, actor, prof_name)
    stats["changed"] += sum(len(g) for g in groups.values())
    # Unchanged results that hold from a new day: one UPDATE per validity date.
    moved_on: dict[date | None, list[int]] = defaultdict(list)
    for sid, st in results.items():
        k = known.get(sid)
        if k is not None and k.result_hash == st.digest and (k.as_of, k.valid_until, k.dirty) != (
                day, st.columns["valid_until"], False):
            moved_on[st.columns["valid_until"]].append(sid)
    for until, same in moved_on.items():
        session.execute(update(STANDING).where(STANDING.c.subject_id.in_(same)).values(
            as_of=day, valid_until=until, dirty=False))
    stats["subjects"] += len(results)


def refresh(uow: UnitOfWork, subject_ids, *, actor: Actor = SYSTEM, day: date | None = None) -> Counter:
    """Compute and store the standing of these subjects as of ``day`` (default today), in this transaction."""
    ids = sorted(set(subject_ids))
    stats: Counter = Counter()
    if not ids:
        return stats
    day = day or date.today()
    prof, prof_name = evaluation.profile_for(uow), current_county(uow).profile
    shared: dict = {}
    session = uow.session
    session.info[REFRESHING] = True
    try:
        for start in range(0, len(ids), BATCH):
            _batch(uow, prof, prof_name, ids[start:start + BATCH], day, actor, stats, shared)
        session.flush()
    finally:
        session.info[REFRESHING] = False
    return stats


def due(uow: UnitOfWork, day: date) -> list[int]:
    """Subjects whose standing is missing, marked dirty, or no longer holds on ``day``."""
    stmt = (select(Subject.id).outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
            .where(or_(SubjectStanding.subject_id.is_(None), SubjectStanding.dirty.is_(True),
                       SubjectStanding.valid_until <= day)).order_by(Subject.id))
    return list(uow.session.scalars(stmt))


@dataclass(frozen=True)
class RefreshRun:
    as_of: date
    subjects: int  # subjects brought up to date
    changed: int  # of which the result changed
    county: int  # subjects in the county
    stats: Counter  # what the lifecycle did: measures imposed, expired, ended; registrations changed


def refresh_due(db, *, actor: Actor, day: date | None = None, progress=None, batch: int = BATCH) -> RefreshRun:
    """Bring every standing that is due by ``day`` up to date, one short transaction per batch.

    ``progress(done, total, message)`` returning False stops after the current batch; what was done stays
    (each batch is complete in itself)."""
    day = day or date.today()
    with UnitOfWork(db) as uow:
        ids = due(uow, day)
        county = uow.session.scalar(select(func.count(Subject.id)))
    stats: Counter = Counter()
    for start in range(0, len(ids), batch):
        with UnitOfWork(db) as uow:
            uow.session.info[DAY] = day
            stats += refresh(uow, ids[start:start + batch], actor=actor, day=day)
            uow.commit()
        if progress and progress(min(start + batch, len(ids)), len(ids), "更新信用状况") is False:
            raise Cancelled(f"已取消：已更新{min(start + batch, len(ids))}名信用主体的信用状况，其余未更新")
    return RefreshRun(day, len(ids), stats["changed"], county, stats)


def mark_all_dirty(uow: UnitOfWork) -> None:
    """The rules changed (a policy pack or indicator tree): every standing must be recomputed."""
    uow.session.execute(update(SubjectStanding).values(dirty=True))


# -- reading ---------------------------------------------------------------------------------------

def _subject_json(s: Subject) -> dict:
    out = {"uuid": s.uuid, "type": s.type, "name": s.name}
    out["credit_code" if s.type == "institution" else "id_number"] = (
        s.credit_code if s.type == "institution" else s.id_number)
    return out


def _fresh(row: SubjectStanding | None, day: date) -> bool:
    return row is not None and not row.dirty and row.as_of <= day and (row.valid_until is None or day < row.valid_until)


def of(uow: UnitOfWork, subject: Subject, day: date | None = None) -> dict:
    """The standing of one subject as of ``day`` (default today), in the JSON contract of ``explain``.

    Today or later: the stored standing, brought up to date first when it no longer holds. An earlier day:
    computed from the file as it is, not stored (the stored standing is today's)."""
    today = date.today()
    day = day or today
    row = uow.session.get(SubjectStanding, subject.id)
    if not _fresh(row, day):
        if day < today:
            return _as_of_past(uow, subject, day)
        refresh(uow, [subject.id], actor=uow.session.info.get(ACTOR) or uow.actor or SYSTEM, day=day)
        uow.session.expire(row) if row is not None else None
        row = uow.session.get(SubjectStanding, subject.id)
    body = uow.session.get(StandingResult, row.result_hash).result()
    return {"subject": _subject_json(subject), "as_of": row.as_of.isoformat(),
            "valid_until": row.valid_until and row.valid_until.isoformat(), **body}


def _as_of_past(uow: UnitOfWork, subject: Subject, day: date) -> dict:
    prof = evaluation.profile_for(uow)
    recs = evaluation._live_records(uow, [subject.id])[subject.id]
    chosen = evaluation._choices(uow, [r.id for r in recs])[subject.id]
    ev = evaluation.evaluate_rows(prof, subject, recs, chosen, day)
    rows = list(uow.session.scalars(select(MeasureRow).where(MeasureRow.subject_id == subject.id,
                                                             MeasureRow.start <= day)))
    out = ev.to_json()
    out["measure_states"] = _measure_states(rows)
    out["registrations"] = []
    return out


def listed(uow: UnitOfWork, which: str, day: date | None = None) -> list[tuple[Subject, list[dict]]]:
    """The subjects on the red or black list as of ``day`` (today: every due standing is brought up to date
    first), each with its list entries, sorted by name: what a published list prints."""
    day = day or date.today()
    if day >= date.today():
        refresh(uow, due(uow, day), actor=uow.session.info.get(ACTOR) or uow.actor or SYSTEM, day=day)
    flag = {"red": SubjectStanding.red, "black": SubjectStanding.black}[which]
    rows = uow.session.execute(
        select(Subject, StandingResult.body).join(SubjectStanding, SubjectStanding.subject_id == Subject.id)
        .join(StandingResult, StandingResult.hash == SubjectStanding.result_hash)
        .where(flag.is_(True)).order_by(Subject.name, Subject.id))
    out = []
    for s, body in rows:
        entries = [li for li in json.loads(zlib.decompress(body))["lists"] if li["list"] == which and li["since"] <= day.isoformat()]
        if entries:
            out.append((s, entries))
    return out


@query
def explain(uow: UnitOfWork, *, actor: Actor, subject: str, as_of: date | None = None) -> dict:
    """The standing of one subject as of a date, with the records, rules and articles behind it."""
    s = find_subject(uow, subject)
    result = of(uow, s, as_of)
    if not actor.can("id.view_full") and result["subject"].get("id_number"):
        result["subject"]["id_number"] = mask_id(result["subject"]["id_number"])
    return result


def evaluate_all(db, *, actor: Actor, as_of: date | None = None, progress=None, chunk: int = BATCH) -> Result:
    """Bring every standing in the county up to date as of a day (default today), with progress and cancel."""
    require(actor, "evaluation.run")
    run = refresh_due(db, actor=actor, day=as_of, progress=progress, batch=chunk)
    with UnitOfWork(db) as uow:
        uow.audit(actor, "evaluation.run", "county", None,
                  after={"as_of": run.as_of, "subjects": run.subjects, "changed": run.changed})
        uow.commit()
    return Result(run, Changes(lists=True))
