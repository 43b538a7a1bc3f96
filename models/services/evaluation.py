"""Evaluation on the database: facts from rows, the pure engine, snapshots kept as history.

A snapshot is written only when the result differs from the subject's newest one, so the
history records every change while a county-wide run of unchanged subjects writes nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import insert, select, update
from sqlalchemy.orm import selectinload

from models import policy
from models.db.base import new_uuid, utcnow
from models.db.tables import CreditRecord, EvaluationSnapshot, MeasureChoiceRow, Subject, SubjectStanding
from models.services.base import Actor, Result, ServiceError, UnitOfWork, Changes, query, service, SYSTEM
from models.services.county import current_county
from models.services.subjects import find_subject

RED_LIST_YEARS = 3  # 磐医保〔2021〕43号 第二十一条: 优秀 three years or more


class Cancelled(ServiceError):
    pass


@lru_cache(maxsize=4)
def profile(name: str) -> policy.Profile:
    return policy.load_profile(name)


def profile_for(uow: UnitOfWork) -> policy.Profile:
    """The county's profile with the packs the city sent and the bureau's own indicator tree."""
    from models.services.indicators import with_bureau_indicators

    return with_bureau_indicators(uow, _with_received(uow, profile(current_county(uow).profile)))


def _with_received(uow: UnitOfWork, prof: policy.Profile) -> policy.Profile:
    from models.db.tables_exchange import ReceivedPolicyPack
    from models.policy.packs import pack_from_dict, with_received_packs

    rows = list(uow.session.scalars(select(ReceivedPolicyPack).order_by(ReceivedPolicyPack.id)))
    if not rows:
        return prof
    received = []
    for row in rows:
        raw = json.loads(row.content)
        received.append((pack_from_dict(raw, f"收到的政策包 {row.pack_id}"), raw.get("successor_of")))
    return with_received_packs(prof, received)


@query
def catalogue(uow: UnitOfWork) -> list[dict]:
    return policy.catalogue_json(profile_for(uow))


def subject_facts(s: Subject) -> policy.SubjectFacts:
    return policy.SubjectFacts(uuid=s.uuid, type=s.type, name=s.name, id_number=s.id_number, credit_code=s.credit_code)


def record_fact(r: CreditRecord) -> policy.RecordFact:
    # Records of one finding share the case number: that is "one decision" for the 12-point rule.
    # Casework decisions reach the engine here: a completed repair (信用修复, 鲁 第十二条 自动修复)
    # stops the record counting from its date, 减免记分 (济 四(七)) lowers its points, and a
    # rectification (纠正并承诺) dates the correction for 鲁 第十二条.
    done = [p for p in getattr(r, "repairs", ()) if p.state == "已修复"]
    corrected = [c.corrected_on for c in getattr(r, "rectifications", ())]
    return policy.RecordFact(
        uuid=r.uuid, kind=r.kind, decision_date=r.decision_date, amount=r.amount, responsibility=r.responsibility,
        decision_type=r.decision_type, decision_id=r.case_no or r.uuid,
        repaired_on=min((p.repaired_on for p in done if p.repaired_on), default=None),
        points_reduction=sum(p.points_reduction for p in done), corrected_on=min(corrected, default=None),
    )


def _live_records(uow: UnitOfWork, subject_ids: list[int] | None) -> dict[int, list[CreditRecord]]:
    """Records that count: every record not superseded by a correction."""
    superseded = select(CreditRecord.supersedes_id).where(CreditRecord.supersedes_id.is_not(None))
    stmt = select(CreditRecord).where(CreditRecord.id.not_in(superseded)).options(
        selectinload(CreditRecord.repairs), selectinload(CreditRecord.rectifications))  # read by record_fact
    if subject_ids is not None:
        stmt = stmt.where(CreditRecord.subject_id.in_(subject_ids))
    grouped: dict[int, list[CreditRecord]] = defaultdict(list)
    for r in uow.session.scalars(stmt):
        grouped[r.subject_id].append(r)
    return grouped


def _choices(uow: UnitOfWork, record_ids: list[int]) -> dict[int, list[policy.MeasureChoice]]:
    grouped: dict[int, list[policy.MeasureChoice]] = defaultdict(list)
    if not record_ids:
        return grouped
    rows = uow.session.scalars(select(MeasureChoiceRow).where(MeasureChoiceRow.record_id.in_(record_ids))
                               .order_by(MeasureChoiceRow.id))
    for c in rows:  # a later choice for the same record replaces the earlier one in the engine's map
        grouped[c.record.subject_id].append(policy.MeasureChoice(ref=c.record.uuid, months=c.months, reason=c.reason,
                                                                 start=c.start))
    return grouped


def _evaluate(prof: policy.Profile, s: Subject, rows: list[CreditRecord], choices, as_of: date) -> policy.Evaluation:
    facts = subject_facts(s)
    recs = [record_fact(r) for r in rows]
    history = ()
    if prof.indicators is not None and s.type in prof.indicators.subject_types and recs:
        # Yearly grades at each year's end feed the red list (磐 第二十一条).
        history = tuple(
            policy.YearGrade(year=y, grade=policy.evaluate(facts, recs, date(y, 12, 31), prof).grade)
            for y in range(as_of.year - RED_LIST_YEARS, as_of.year)
        )
    return policy.evaluate(facts, recs, as_of, prof, choices=choices, history=history)


def _hash(result: dict) -> str:
    stable = {k: v for k, v in result.items() if k != "as_of"}
    return hashlib.sha256(json.dumps(stable, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class EvaluationRun:
    as_of: date
    subjects: int
    changed: int


def _worth_keeping(result: dict) -> bool:
    """A result with nothing in it (no points, score, measures or lists) is fully told by its columns."""
    return bool(result["points"]["entries"] or result["score"] is not None or result["measures"] or result["lists"]
                or result["rule_status"]["status"] != "in_force")


def _store(uow: UnitOfWork, actor: Actor, prof_name: str, items: list[tuple[Subject, policy.Evaluation]]) -> int:
    """Write snapshots for results that changed and move the standing rows; returns how many changed.

    Bulk statements: a county-wide run touches 200,000 subjects.
    """
    ids = [s.id for s, _ in items]
    known = dict(uow.session.execute(
        select(SubjectStanding.subject_id, SubjectStanding.result_hash).where(SubjectStanding.subject_id.in_(ids))).all())
    now = utcnow()
    snapshots, changed = [], []
    for s, ev in items:
        result = ev.to_json()
        digest = _hash(result)
        if known.get(s.id) == digest:
            continue
        snapshots.append(dict(
            uuid=new_uuid(), subject_id=s.id, as_of=ev.as_of, computed_at=now, computed_by=actor.username,
            profile=prof_name, score=ev.score, grade=ev.grade, points_year=ev.points.year,
            points_total=ev.points.total, rule_status=ev.rule_status.status, result_hash=digest,
            result=json.dumps(result, ensure_ascii=False) if _worth_keeping(result) else ""))
        changed.append((s.id, ev, digest))
    if not snapshots:
        return 0
    snap_ids = uow.session.scalars(
        insert(EvaluationSnapshot).returning(EvaluationSnapshot.id, sort_by_parameter_order=True), snapshots).all()
    fresh, moved = [], []
    for snap_id, (subject_id, ev, digest) in zip(snap_ids, changed):
        row = dict(subject_id=subject_id, evaluation_id=snap_id, as_of=ev.as_of, score=ev.score, grade=ev.grade,
                   points_total=ev.points.total, result_hash=digest,
                   measures=sum(1 for m in ev.measures if m.status == "in_effect"))
        (moved if subject_id in known else fresh).append(row)
    if fresh:
        uow.session.execute(insert(SubjectStanding), fresh)
    if moved:
        uow.session.execute(update(SubjectStanding), moved)  # bulk UPDATE by primary key
    return len(snapshots)


def refresh(uow: UnitOfWork, subject_ids: list[int], *, actor: Actor = SYSTEM, as_of: date | None = None) -> int:
    """Re-evaluate just these subjects (after their records changed)."""
    prof_name = current_county(uow).profile
    prof = profile_for(uow)
    day = as_of or date.today()
    records = _live_records(uow, subject_ids)
    choices = _choices(uow, [r.id for rows in records.values() for r in rows])
    subjects = uow.session.scalars(select(Subject).where(Subject.id.in_(subject_ids)))
    return _store(uow, actor, prof_name, [(s, _evaluate(prof, s, records[s.id], choices[s.id], day)) for s in subjects])


@query
def explain(uow: UnitOfWork, *, actor: Actor, subject: str, as_of: date | None = None) -> dict:
    """The evaluation of one subject as of a date, with the records, rules and articles behind it."""
    s = find_subject(uow, subject)
    prof = profile_for(uow)
    rows = _live_records(uow, [s.id])[s.id]
    choices = _choices(uow, [r.id for r in rows])[s.id]
    result = _evaluate(prof, s, rows, choices, as_of or date.today()).to_json()
    if not actor.can("id.view_full") and result["subject"].get("id_number"):
        from models.services.subjects import mask_id

        result["subject"]["id_number"] = mask_id(result["subject"]["id_number"])
    return result


@service
def evaluate_all(uow: UnitOfWork, *, actor: Actor, as_of: date | None = None, progress=None,
                 chunk: int = 2000) -> Result:
    """Evaluate every subject; progress(done, total, message) returning False cancels (nothing is kept)."""
    from models.services.base import require

    require(actor, "evaluation.run")
    prof_name = current_county(uow).profile
    prof = profile_for(uow)
    day = as_of or date.today()
    ids = list(uow.session.scalars(select(Subject.id).order_by(Subject.id)))
    changed = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        records = _live_records(uow, part)
        choices = _choices(uow, [r.id for rows in records.values() for r in rows])
        subjects = list(uow.session.scalars(select(Subject).where(Subject.id.in_(part))))
        changed += _store(uow, actor, prof_name,
                          [(s, _evaluate(prof, s, records[s.id], choices[s.id], day)) for s in subjects])
        uow.session.expunge_all()
        if progress and progress(min(start + chunk, len(ids)), len(ids), "信用评价") is False:
            raise Cancelled("已取消信用评价，未保存任何结果")
    uow.audit(actor, "evaluation.run", "county", None, after={"as_of": day, "subjects": len(ids), "changed": changed})
    return Result(EvaluationRun(day, len(ids), changed), Changes(lists=True))
