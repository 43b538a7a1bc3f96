"""How a standing is stored: the result without the subject's identity, compressed once per distinct result
(``standing_results``); one row per subject (``subject_standing``) with the columns lists and charts filter on;
a history row (``evaluations``) only when a subject's result changed. Subjects without facts of their own
all share the default result: their rows point to one history row of it (``subject_id`` NULL) and are
written with set-based statements, as are other subjects sharing one result; the rest with one executemany
per statement.

Only models.services.standing calls this module.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, String, bindparam, case, exists, func, insert, literal, select, update

from models import policy
from models.db.base import new_uuid, utcnow
from models.db.tables import EvaluationSnapshot, Registration, StandingResult, Subject, SubjectStanding
from models.db.tables_casework import MeasureRow
from models.policy.results import IN_EFFECT, PENDING_CHOICE
from models.services import evaluation
from models.services.base import Actor, UnitOfWork

STATUS_ORDER = {"终止": 0, "暂停": 1, "正常": 2}


@dataclass(frozen=True)
class Stored:
    body: str
    digest: str
    columns: dict
    plain: bool = False  # the default result of subjects without facts of their own: one shared history row
    registered: bool = False  # plain: the subjects have registrations, the rows take their status from them


def registrations(regs: list[Registration]) -> list[dict]:
    """A practitioner's registrations as the standing shows them. They are read from the registrations when the
    standing is read, not stored in the result: the lifecycle keeps their status in step with the standing in the
    same transaction, and a result without them can be shared by every practitioner without facts of his own."""
    return [{"institution": r.institution.name, "institution_uuid": r.institution.uuid,
             "registered_on": r.registered_on.isoformat(), "status": r.status,
             "since": (r.history[-1].effective_on if r.history else r.registered_on).isoformat()}
            for r in sorted(regs, key=lambda r: r.id)]


def measure_states(rows: list[MeasureRow]) -> list[dict]:
    return [{"measure": r.uuid, "kind": r.kind, "name": r.name, "start": r.start.isoformat(),
             "planned_end": r.planned_end and r.planned_end.isoformat(), "state": r.state,
             "ended_on": r.ended_on and r.ended_on.isoformat(), "end_reason": r.end_reason or None,
             "basis": r.basis, "record": r.record.uuid if r.record else None}
            for r in sorted(rows, key=lambda r: r.id)]


def stored(ev: policy.Evaluation, rows: list[MeasureRow], regs: list[Registration]) -> Stored:
    result = ev.to_json()
    body = {k: v for k, v in result.items() if k not in ("subject", "as_of", "valid_until")}
    body["measure_states"] = measure_states(rows)
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


def registration_status(subject_id):
    """The most restrictive status among a practitioner's registrations (终止, then 暂停, then 正常; none: NULL), as
    a SQL expression for the standing row of ``subject_id`` (a column): set-based writes take it from the
    registrations as the lifecycle left them in this transaction."""
    order = case({"终止": 0, "暂停": 1}, value=Registration.status, else_=2)
    return (select(Registration.status).where(Registration.practitioner_id == subject_id).order_by(order).limit(1)
            .scalar_subquery())


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


def _literals(cols: dict, subject_id, registered: bool = True) -> list:
    """The values of ``cols`` as the columns of an INSERT ... SELECT, each subject's registration status its own
    (``registered``: the subjects may have registrations)."""
    return [registration_status(subject_id) if k == "registration_status" and registered else
            literal(v, STANDING.c[k].type) for k, v in cols.items()]


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
            ["subject_id", "evaluation_id", *cols], select(Subject.id, newest, *_literals(cols, Subject.id)).where(
                Subject.id.in_(new))))
    moved = [i for i in ids if i in known]
    if moved:
        latest = select(func.max(HISTORY.c.id)).where(HISTORY.c.subject_id == STANDING.c.subject_id).scalar_subquery()
        session.execute(update(STANDING).where(STANDING.c.subject_id.in_(moved)).values(
            evaluation_id=latest, **cols, registration_status=registration_status(STANDING.c.subject_id)))


def shared_history(uow: UnitOfWork, st: Stored, day: date, now, actor: Actor, prof_name: str) -> int:
    """The one history row of a default result (``subject_id`` NULL): the latest with this result, or a new one
    when the default changed (new rules). The result itself is stored once too."""
    session = uow.session
    if session.get(StandingResult, st.digest) is None:
        session.execute(insert(StandingResult).values(hash=st.digest, body=StandingResult.pack(st.body)))
    latest = session.scalar(select(HISTORY.c.id).where(HISTORY.c.subject_id.is_(None), HISTORY.c.result_hash == st.digest)
                            .order_by(HISTORY.c.id.desc()).limit(1))
    if latest is not None:
        return latest
    return session.execute(insert(HISTORY).values(uuid=new_uuid(), subject_id=None, **_history_values(
        st, day, now, actor, prof_name))).inserted_primary_key[0]


def write_plain(uow: UnitOfWork, chosen: Select, st: Stored, history: int, day: date, existing=None) -> tuple[int, int]:
    """The standing of the subjects ``chosen`` (a SELECT of subject ids, all without facts of their own) is the
    default result ``st``: rows inserted or changed to point at its ``history`` row (``shared_history``), rows
    already on it moved on to ``day``; three statements however many subjects. ``existing``: the same subjects'
    standing rows as a condition on ``subject_standing`` itself, when the caller can say it more cheaply than
    through ``chosen``. Returns how many rows were written and how many of them changed their result."""
    session = uow.session
    ids = chosen.subquery()
    cols = {"evaluation_id": history, **_standing_values(st, day)}
    on_it = STANDING.c.subject_id.in_(select(ids.c[0])) if existing is None else existing
    added = session.execute(insert(STANDING).from_select(["subject_id", *cols], select(
        ids.c[0], *_literals(cols, ids.c[0], st.registered)).where(
        ~exists().where(STANDING.c.subject_id == ids.c[0])))).rowcount
    status = registration_status(STANDING.c.subject_id) if st.registered else None
    moved = session.execute(update(STANDING).where(on_it, STANDING.c.result_hash != st.digest).values(
        **cols | {"registration_status": status})).rowcount
    kept = session.execute(update(STANDING).where(on_it, STANDING.c.result_hash == st.digest).values(
        as_of=day, valid_until=st.columns["valid_until"], dirty=False, registration_status=status)).rowcount
    return added + moved + kept, added + moved


def as_plain(st: Stored, registered: bool) -> Stored:
    return replace(st, plain=True, registered=registered)


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


def write(uow: UnitOfWork, prof_name: str, results: dict[int, Stored], day: date, actor: Actor,
           stats: Counter) -> None:
    session = uow.session
    session.flush()  # the registrations as the lifecycle left them: set-based statements read them
    now = utcnow()
    plain: dict[str, list[int]] = defaultdict(list)
    for sid, st in results.items():
        if st.plain:
            plain[st.digest].append(sid)
    for group in plain.values():
        st = results[group[0]]
        stats["changed"] += write_plain(uow, select(Subject.id).where(Subject.id.in_(group)), st,
                                        shared_history(uow, st, day, now, actor, prof_name), day)[1]
    results = {sid: st for sid, st in results.items() if not st.plain}
    if results:
        _write_own(uow, prof_name, results, day, now, actor, stats)
    stats["subjects"] += sum(len(g) for g in plain.values())


def _keep_default_in_history(uow: UnitOfWork, ids: list[int]) -> None:
    """Subjects leaving the shared default result for one of their own: the default they had becomes the first row
    of their own history (a copy of the shared row), so their history still shows what held before. One statement;
    a row per subject only when it first gets facts of its own."""
    if not ids:
        return
    session = uow.session
    shared = HISTORY.alias("shared")
    copied = [c for c in HISTORY.c.keys() if c not in ("id", "uuid", "subject_id")]
    source = (select(STANDING.c.subject_id, func.lower(func.hex(func.randomblob(16))).label("h"),
                     *(shared.c[c] for c in copied))
              .join(shared, shared.c.id == STANDING.c.evaluation_id)
              .where(shared.c.subject_id.is_(None), STANDING.c.subject_id.in_(ids)).subquery())
    session.execute(insert(HISTORY).from_select(["uuid", "subject_id", *copied], select(
        _random_uuid(session, source.c.h), source.c.subject_id, *(source.c[c] for c in copied))))


def _write_own(uow: UnitOfWork, prof_name: str, results: dict[int, Stored], day: date, now, actor: Actor,
               stats: Counter) -> None:
    """Subjects with results of their own: a history row and a new result body only when the result changed."""
    session = uow.session
    ids = list(results)
    known = {r.subject_id: r for r in session.execute(
        select(SubjectStanding.subject_id, SubjectStanding.result_hash, SubjectStanding.as_of,
               SubjectStanding.valid_until, SubjectStanding.dirty, SubjectStanding.registration_status).where(
            evaluation.among(SubjectStanding.subject_id, sorted(ids)))) if r.subject_id in results}
    digests = {st.digest: st.body for st in results.values()}
    have = set(session.scalars(select(StandingResult.hash).where(StandingResult.hash.in_(list(digests)))))
    fresh_bodies = [{"hash": h, "body": StandingResult.pack(b)} for h, b in digests.items() if h not in have]
    if fresh_bodies:
        session.execute(insert(StandingResult), fresh_bodies)
    groups: dict[str, list[int]] = defaultdict(list)
    for sid, st in results.items():
        if sid not in known or known[sid].result_hash != st.digest:
            groups[st.digest].append(sid)
    stats["changed"] += sum(len(g) for g in groups.values())
    _keep_default_in_history(uow, [sid for group in groups.values() for sid in group if sid in known])
    single = [sid for group in groups.values() if len(group) < SET_BASED for sid in group]
    if single:
        _write_each(uow, single, known, results, day, now, actor, prof_name)
    for group in groups.values():
        if len(group) >= SET_BASED:
            _write_shared(uow, group, known, results[group[0]], day, now, actor, prof_name)
    # Unchanged results that hold from a new day (or whose registrations changed): one UPDATE per validity date.
    moved_on: dict[date | None, list[int]] = defaultdict(list)
    for sid, st in results.items():
        k = known.get(sid)
        if k is not None and k.result_hash == st.digest and (k.as_of, k.valid_until, k.dirty, k.registration_status) != (
                day, st.columns["valid_until"], False, st.columns["registration_status"]):
            moved_on[st.columns["valid_until"]].append(sid)
    for until, same in moved_on.items():
        session.execute(update(STANDING).where(STANDING.c.subject_id.in_(same)).values(
            as_of=day, valid_until=until, dirty=False, registration_status=registration_status(STANDING.c.subject_id)))
    stats["subjects"] += len(results)
