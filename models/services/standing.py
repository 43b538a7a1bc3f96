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

import json
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import chain

from sqlalchemy import and_, event, exists, func, or_, select, union, update
from sqlalchemy.orm import Session, selectinload

from models import policy
from models.db.base import utcnow
from models.db.tables import (County, CreditRecord, IndicatorSetRow, MeasureChoiceRow, Registration, StandingResult,
                              Subject, SubjectStanding)
from models.db.tables_exchange import ReceivedPolicyPack
from models.db.tables_casework import MeasureRow, Rectification, Repair
from models.db.tables_institutions import AnnualRatingLine, IndicatorAdjustment
from models.policy.score import StaffFacts
from models.services import evaluation, institution_facts, lifecycle, warnings
from models.services.base import SYSTEM, Actor, Changes, Result, ServiceError, UnitOfWork, query, require
from models.services.county import current_county
from models.services.standing_store import (Stored, as_plain, measure_states, registrations, shared_history, stored,
                                            write, write_plain)
from models.services.subjects import find_subject, mask_id

BATCH = 2000
CHANGED, REFRESHING, ACTOR, DAY = "standing_changed", "standing_refreshing", "standing_actor", "standing_day"
RULES_CHANGED = "standing_rules_changed"
STAFF_MARKED, COUNTY_RUN = "standing_staff_marked", "standing_county_run"


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
    actor = uow.session.info.get(ACTOR) or uow.actor or SYSTEM
    if changed:
        refresh(uow, changed, actor=actor, day=uow.session.info.get(DAY))
    # Institutions whose staff's standing changed (淮 三（四）): few per write, refreshed before commit too. A
    # county-wide run leaves them marked and takes them in its last batch (and checks warnings county-wide).
    marked = uow.session.info.pop(STAFF_MARKED, set())
    if marked and not uow.session.info.get(COUNTY_RUN):
        refresh(uow, marked, actor=actor, day=uow.session.info.get(DAY))
        uow.session.info.pop(STAFF_MARKED, None)
        changed |= marked
    if changed:
        warnings.refresh(uow, changed, uow.session.info.get(DAY))  # 信用预警 follow the standing they read


UnitOfWork.before_commit.append(settle)


# -- computing and storing -----------------------------------------------------------------------------

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
    subjects = [s for s in session.execute(select(*IDENTITY).where(evaluation.among(Subject.id, part)))
                if s.id in wanted]
    staff = institution_facts.staff_facts(uow, [s.id for s in subjects if s.type == "institution"])
    adjust = institution_facts.adjustments(uow, part, day)
    fixed = institution_facts.fixed_grades(uow, part, day)
    own = set(staff) | set(adjust) | set(fixed) | {s.id for s in subjects if s.type == "institution"}
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
        if recs or chosen or s.id in own:
            ev = evaluation.evaluate_rows(prof, s, recs, chosen, day, staff=staff.get(s.id, StaffFacts()),
                                          adjustments=adjust.get(s.id), fixed=fixed.get(s.id))
        else:
            ev = _default(prof, s, day, shared)[0]
        if recs or rows or any(r.status != "正常" for r in rregs):
            lifecycle.sync(uow, actor, prof, ev, lifecycle.FileRows(
                s.id, rows, rregs, {r.uuid: r for r in recs}, choosers), day, stats)
        if not (recs or chosen or rows or s.id in own) and all(r.status == "正常" for r in rregs):
            results[s.id] = _default(prof, s, day, shared)[1]
        else:
            results[s.id] = stored(ev, rows, rregs)
            results[s.id].columns["valid_until"] = _valid_until(ev, rows, day)
    before = dict(session.execute(select(SubjectStanding.subject_id, SubjectStanding.result_hash).where(
        evaluation.among(SubjectStanding.subject_id, part))).all())
    write(uow, prof_name, results, day, actor, stats)
    moved = [s.id for s in subjects if s.type == "practitioner" and before.get(s.id) != results[s.id].digest]
    session.info.setdefault(STAFF_MARKED, set()).update(institution_facts.mark_institutions_of(uow, moved) - wanted)


IDENTITY = (Subject.id, Subject.uuid, Subject.type, Subject.name, Subject.id_number, Subject.credit_code,
            Subject.institution_kind)


def _default(prof: policy.Profile, s, day: date, shared: dict) -> tuple[policy.Evaluation, Stored]:
    """The result of a subject without facts of its own, the same for every such subject of its type (and kind
    of institution): computed once per run, stored once, with one history row (standing_store.write_plain)."""
    key = (s.type, s.institution_kind)
    if key not in shared:
        ev = evaluation.evaluate_rows(prof, s, [], [], day)
        st = as_plain(stored(ev, [], []), registered=s.type == "practitioner")
        st.columns["valid_until"] = _valid_until(ev, [], day)
        shared[key] = (ev, st)
    return shared[key]


def _with_facts(*more):
    """The subjects that a record, measure, registration not 正常, objection decision on one indicator line or
    published yearly rating refers to (and institutions with staff); every other subject's standing is the default
    result of its type (``_default``). A registration in good standing changes no result: the standing row takes
    its status from the registrations (standing_store.registration_status). ``more``: other SELECTs of ids to add."""
    refs = (CreditRecord.subject_id, MeasureRow.subject_id, Registration.institution_id, IndicatorAdjustment.subject_id,
            AnnualRatingLine.subject_id)
    return union(*(select(ref) for ref in refs),
                 select(Registration.practitioner_id).where(Registration.status != "正常"), *more)


def _is_due(sid, day: date):
    """The test of ``due`` for the subject ``sid`` (a column) in a set-based statement, correlated to its table
    only (also inside an UPDATE of subject_standing)."""
    return ~exists().where(SubjectStanding.subject_id == sid, SubjectStanding.dirty.is_(False),
                           or_(SubjectStanding.valid_until.is_(None), SubjectStanding.valid_until > day)
                           ).correlate(sid.table)


PLAIN_BATCH = 50_000  # subjects per set-based transaction: well under a second of write lock


def _refresh_defaults(db, day: date, groups: list, rules: tuple[policy.Profile, str], shared: dict, actor: Actor,
                      progress, total: int) -> tuple[int, int]:
    """The due subjects without facts of their own, set-based, by type and id range: none of their rows is read
    into the program. ``groups``: (type, lowest id, highest id). Returns (subjects brought up to date, results
    changed)."""
    prof, prof_name = rules
    done = changed = 0
    for type_, low, high in groups:
        same = Subject.type == type_
        for start in range(low, high + 1, PLAIN_BATCH):
            with UnitOfWork(db) as uow:
                uow.session.info[REFRESHING] = True
                sample = uow.session.execute(select(*IDENTITY).where(Subject.id == low)).one()
                result = _default(prof, sample, day, shared)[1]
                history = shared_history(uow, result, day, utcnow(), actor, prof_name)
                # Chosen inside the writing statements: a clerk may have saved a record since the run began.
                span = (start, start + PLAIN_BATCH - 1)
                chosen = select(Subject.id).where(same, Subject.id.between(*span), Subject.id.not_in(_with_facts()),
                                                  _is_due(Subject.id, day))
                # Their rows already stored, found from the rows themselves (none on a first run).
                existing = and_(SubjectStanding.subject_id.between(*span), _due_where(day),
                                SubjectStanding.subject_id.not_in(_with_facts()),
                                exists().where(Subject.id == SubjectStanding.subject_id, same).correlate(SubjectStanding))
                written, moved = write_plain(uow, chosen, result, history, day, existing)
                uow.commit()
            done, changed = done + written, changed + moved
            if written and progress and progress(done, total, "更新信用状况") is False:
                raise Cancelled(f"已取消：已更新{done}名信用主体的信用状况，其余未更新")
    return done, changed


def refresh(uow: UnitOfWork, subject_ids, *, actor: Actor = SYSTEM, day: date | None = None,
            rules: tuple[policy.Profile, str] | None = None, shared: dict | None = None) -> Counter:
    """Compute and store the standing of these subjects as of ``day`` (default today), in this transaction.

    A county-wide run passes the rules (profile, profile name) and the results shared by subjects without facts
    of their own, so that its batches load and compute them once."""
    ids = sorted(set(subject_ids))
    stats: Counter = Counter()
    if not ids:
        return stats
    day = day or date.today()
    prof, prof_name = rules or (evaluation.profile_for(uow), current_county(uow).profile)
    shared = {} if shared is None else shared
    session = uow.session
    session.info[REFRESHING] = True
    # Institutions last: their evaluation reads the standing of their staff (淮 三（四）).
    institutions = set(session.scalars(select(Subject.id).where(evaluation.among(Subject.id, ids),
                                                                Subject.type == "institution")))
    ids = [i for i in ids if i not in institutions] + [i for i in ids if i in institutions]
    try:
        for start in range(0, len(ids), BATCH):
            part = ids[start:start + BATCH]
            kinds = {i in institutions for i in part}
            if len(kinds) == 2:  # keep the staff and the institutions in separate batches
                first = [i for i in part if i not in institutions]
                _batch(uow, prof, prof_name, first, day, actor, stats, shared)
                part = [i for i in part if i in institutions]
            _batch(uow, prof, prof_name, part, day, actor, stats, shared)
        session.flush()
    finally:
        session.info[REFRESHING] = False
    return stats


def _due_where(day: date):
    return or_(SubjectStanding.subject_id.is_(None), SubjectStanding.dirty.is_(True), SubjectStanding.valid_until <= day)


def due(uow: UnitOfWork, day: date, institutions_last: bool = False, among=None) -> list[int]:
    """Subjects whose standing is missing, marked dirty, or no longer holds on ``day`` (institutions last when
    asked: their evaluation reads their staff's standing); ``among``: only these (a SELECT of subject ids)."""
    stmt = (select(Subject.id).outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
            .where(_due_where(day)).order_by(Subject.id))
    if among is not None:
        stmt = stmt.where(Subject.id.in_(among))
    ids = list(uow.session.scalars(stmt))
    if not institutions_last or not ids:
        return ids
    institutions = set(_institution_ids(uow))
    return [i for i in ids if i not in institutions] + [i for i in ids if i in institutions]


def _institution_ids(uow: UnitOfWork, due_on: date | None = None) -> list[int]:
    """Every institution (a few dozen in a county), or those due on ``due_on``."""
    stmt = select(Subject.id).where(Subject.type == "institution").order_by(Subject.id)
    if due_on is not None:
        stmt = stmt.outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id).where(_due_where(due_on))
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
        county = uow.session.scalar(select(func.count(Subject.id)))
        # Every subject has at most one standing row (its primary key, a foreign key to the subject).
        total = county - uow.session.scalar(select(func.count()).where(~_due_where(day)).select_from(SubjectStanding))
        rules = (evaluation.profile_for(uow), current_county(uow).profile)
        # Persons without facts, set-based by id range; institutions (each evaluated with its staff) and everyone
        # with facts the ordinary way below.
        ranges = uow.session.execute(select(Subject.type, func.min(Subject.id), func.max(Subject.id)).where(
            Subject.type != "institution").group_by(Subject.type)).all() if total else []
    stats: Counter = Counter()
    shared: dict = {}
    done, stats["changed"] = _refresh_defaults(db, day, ranges, rules, shared, actor, progress, total)
    with UnitOfWork(db) as uow:  # what is left: subjects with facts of their own and institutions
        ids = due(uow, day, institutions_last=True, among=_with_facts(
            select(Subject.id).where(Subject.type == "institution"))) if total else []
    for start in range(0, len(ids), batch):
        with UnitOfWork(db) as uow:
            uow.session.info[DAY] = day
            uow.session.info[COUNTY_RUN] = True
            stats += refresh(uow, ids[start:start + batch], actor=actor, day=day, rules=rules, shared=shared)
            uow.commit()
        if progress and progress(done + min(start + batch, len(ids)), total, "更新信用状况") is False:
            raise Cancelled(f"已取消：已更新{done + min(start + batch, len(ids))}名信用主体的信用状况，其余未更新")
    # Institutions whose staff changed in the run after they were taken: one more batch.
    with UnitOfWork(db) as uow:
        uow.session.info[DAY] = day
        uow.session.info[COUNTY_RUN] = True
        marked = _institution_ids(uow, due_on=day) if total else []
        if marked:
            stats += refresh(uow, marked, actor=actor, day=day, rules=rules, shared=shared)
            uow.commit()
    return RefreshRun(day, done + len(set(ids) | set(marked)), stats["changed"], county, stats)


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
    regs = uow.session.scalars(select(Registration).where(Registration.practitioner_id == subject.id).options(
        selectinload(Registration.history), selectinload(Registration.institution))).all()
    return {"subject": _subject_json(subject), "as_of": row.as_of.isoformat(),
            "valid_until": row.valid_until and row.valid_until.isoformat(), **body,
            "registrations": registrations(regs)}


def _as_of_past(uow: UnitOfWork, subject: Subject, day: date) -> dict:
    prof = evaluation.profile_for(uow)
    recs = evaluation._live_records(uow, [subject.id])[subject.id]
    chosen = evaluation._choices(uow, [r.id for r in recs])[subject.id]
    staff = _staff_on(uow, prof, subject.id, day) if subject.type == "institution" else None
    ev = evaluation.evaluate_rows(prof, subject, recs, chosen, day, staff=staff,
                                  adjustments=institution_facts.adjustments(uow, [subject.id], day).get(subject.id),
                                  fixed=institution_facts.fixed_grades(uow, [subject.id], day).get(subject.id))
    rows = list(uow.session.scalars(select(MeasureRow).where(MeasureRow.subject_id == subject.id,
                                                             MeasureRow.start <= day)))
    out = ev.to_json()
    out["measure_states"] = measure_states(rows)
    out["registrations"] = []
    return out


def _staff_on(uow: UnitOfWork, prof: policy.Profile, institution_id: int, day: date) -> StaffFacts:
    """An institution's staff on an earlier day: status and commitments as they stood then, and each registered
    practitioner's points of that day computed from his file (the stored standing is today's)."""
    staff = institution_facts.staff_facts(uow, [institution_id], day).get(institution_id, StaffFacts())
    people = institution_facts.registered_on(uow, institution_id, day)
    records = evaluation._live_records(uow, people)
    choices = evaluation._choices(uow, [r.id for rows in records.values() for r in rows])
    with_points = 0
    for p in uow.session.scalars(select(Subject).where(Subject.id.in_(list(records)))):
        ev = evaluation.evaluate_rows(prof, p, records[p.id], choices.get(p.id, []), day)
        with_points += ev.points.total > 0
    return replace(staff, with_points=with_points)


def grades_on(uow: UnitOfWork, ids: list[int], days: list[date]) -> dict[int, list[str | None]]:
    """The grade each subject's standing gives on each of ``days``, computed as the standing computes it
    (its records and the handler's choices), subjects without facts of their own sharing one computation."""
    prof = evaluation.profile_for(uow)
    out: dict[int, list[str | None]] = {}
    shared: dict[str, list[str | None]] = {}
    for start in range(0, len(ids), BATCH):
        part = sorted(ids[start:start + BATCH])
        wanted = set(part)
        records = evaluation._live_records(uow, part)
        choices = evaluation._choices(uow, [r.id for rows in records.values() for r in rows])
        staff = institution_facts.staff_facts(uow, part)
        for s in uow.session.execute(select(Subject.id, Subject.uuid, Subject.type, Subject.name, Subject.id_number,
                                            Subject.credit_code, Subject.institution_kind)
                                     .where(evaluation.among(Subject.id, part))):
            if s.id not in wanted:
                continue
            recs, chosen = records.get(s.id, []), choices.get(s.id, [])
            alone = not (recs or chosen) and s.type != "institution"
            if alone and s.type in shared:
                out[s.id] = shared[s.type]
                continue
            out[s.id] = [evaluation.evaluate_rows(prof, s, recs, chosen, day, staff=staff.get(s.id)).grade
                         for day in days]
            if alone:
                shared[s.type] = out[s.id]
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
    warnings.refresh_county(db, day=as_of)
    with UnitOfWork(db) as uow:
        uow.audit(actor, "evaluation.run", "county", None,
                  after={"as_of": run.as_of, "subjects": run.subjects, "changed": run.changed})
        uow.commit()
    return Result(run, Changes(lists=True))
