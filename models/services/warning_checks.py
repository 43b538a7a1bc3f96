"""The checks behind credit warnings: each reads the standing (``subject_standing`` and its history in
``evaluations``) or the credit records in one set-based query and says which subjects it concerns and why.

A check never computes points or grades itself: it compares what the standing stored. The suspension
threshold is read from the points rule in force, never written here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from models.db.tables import CreditRecord, EvaluationSnapshot, Registration, Subject, SubjectStanding
from models.policy.boundaries import Range
from models.policy.packs import basis as cite
from models.policy.score import in_force
from models.services import catalogue as cat, evaluation
from models.services.base import UnitOfWork, day_text
from models.services.county import current_county

GRADE_RANK = {"优秀": 1, "良好": 2, "中等": 3, "较差": 4, "差": 5}


@dataclass(frozen=True)
class WarningRule:
    code: str
    name: str
    subject_type: str  # practitioner / institution / any
    level: str
    enabled: bool
    params: dict
    basis: str
    explain: str = ""


@dataclass(frozen=True)
class Hit:
    subject_id: int
    cause: str
    text: str
    basis: str
    source: str
    source_ref: str | None = None


def _limit(stmt, column, ids: list[int] | None):
    return stmt if ids is None else stmt.where(evaluation.among(column, ids))


def suspension_threshold(uow: UnitOfWork, day: date) -> tuple[int, str] | None:
    """The year's points at which 暂停医保支付资格 begins, and its basis, from the points rule in force."""
    found = in_force(evaluation.profile_for(uow), "points", day)
    if found is None:
        return None
    entry, rule = found
    for tier in rule["thresholds"]:
        if "months" in tier:
            lower = Range.parse(tier["total"]).lower
            value = int(lower.value) if lower.word == "以上" else int(lower.value) + 1
            return value, cite(entry, rule)
    return None


def points_near_suspension(uow: UnitOfWork, rule: WarningRule, day: date, ids: list[int] | None) -> list[Hit]:
    found = suspension_threshold(uow, day)
    if found is None:
        return []
    threshold, threshold_basis = found
    start = int(rule.params["points_from"])
    stmt = (select(SubjectStanding.subject_id, SubjectStanding.points_total, SubjectStanding.evaluation_id)
            .join(Subject, Subject.id == SubjectStanding.subject_id)
            .where(Subject.type == "practitioner", SubjectStanding.as_of >= date(day.year, 1, 1),
                   SubjectStanding.points_total >= start, SubjectStanding.points_total < threshold))
    return [Hit(sid, f"{day.year}:{points}",
                f"{day.year}年累计记分{points}分，达到预警分值{start}分；累计{threshold}分将暂停医保支付资格，"
                f"还差{threshold - points}分",
                f"{rule.basis}；暂停分值依据{threshold_basis}", "subject_standing")
            for sid, points, _e in uow.session.execute(_limit(stmt, SubjectStanding.subject_id, ids))]


def institution_grade_fell(uow: UnitOfWork, rule: WarningRule, day: date, ids: list[int] | None) -> list[Hit]:
    """The newest change of grade in the standing's history, when it was a fall, is recent and still holds."""
    rank = case(GRADE_RANK, value=EvaluationSnapshot.grade)
    history = _limit(select(EvaluationSnapshot.subject_id, EvaluationSnapshot.id, EvaluationSnapshot.uuid,
                            EvaluationSnapshot.as_of, EvaluationSnapshot.grade, rank.label("rank"),
                            func.lag(EvaluationSnapshot.grade).over(partition_by=EvaluationSnapshot.subject_id,
                                                                    order_by=EvaluationSnapshot.id).label("before"),
                            func.lag(rank).over(partition_by=EvaluationSnapshot.subject_id,
                                                order_by=EvaluationSnapshot.id).label("before_rank"))
                     .join(Subject, Subject.id == EvaluationSnapshot.subject_id)
                     .where(Subject.type == "institution", EvaluationSnapshot.as_of <= day),
                     EvaluationSnapshot.subject_id, ids).subquery()
    changes = (select(history).where(history.c.grade.is_not(None), history.c.before.is_not(None),
                                     history.c.grade != history.c.before).order_by(history.c.subject_id, history.c.id))
    newest: dict[int, object] = {}
    for row in uow.session.execute(changes):
        newest[row.subject_id] = row  # ordered by id: the last one per subject stays
    since = day - timedelta(days=int(rule.params["within_days"]))
    current = dict(uow.session.execute(_limit(
        select(SubjectStanding.subject_id, SubjectStanding.grade).join(Subject, Subject.id == SubjectStanding.subject_id)
        .where(Subject.type == "institution"), SubjectStanding.subject_id, ids)).all())
    return [Hit(sid, r.uuid, f"信用等级由{r.before}降为{r.grade}（{day_text(r.as_of)}评价）",
                rule.basis, "evaluations", r.uuid)
            for sid, r in newest.items()
            if r.rank > r.before_rank and r.as_of > since and current.get(sid) == r.grade]


def _staff_points_before(ref: date, year_start: date, ids: list[int] | None):
    """Each practitioner's points of the year in the newest stored standing on or before ``ref`` (only the staff
    of the institutions ``ids`` when given)."""
    newest = select(EvaluationSnapshot.subject_id, func.max(EvaluationSnapshot.id).label("id")).where(
        EvaluationSnapshot.as_of <= ref)
    if ids is not None:
        newest = newest.where(EvaluationSnapshot.subject_id.in_(
            select(Registration.practitioner_id).where(evaluation.among(Registration.institution_id, ids))))
    newest = newest.group_by(EvaluationSnapshot.subject_id).subquery()
    ev = aliased(EvaluationSnapshot)
    points = case((ev.as_of >= year_start, ev.points_total), else_=0)
    return select(ev.subject_id, points.label("points")).join(newest, newest.c.id == ev.id).subquery()


def institution_staff_points(uow: UnitOfWork, rule: WarningRule, day: date, ids: list[int] | None) -> list[Hit]:
    """The points of the year of the staff registered at an institution (登记备案) rose by at least the set amount
    within the set days (淮医保发〔2020〕104号 三（四）: 考评结果与定点医疗机构考核挂钩)."""
    year_start = date(day.year, 1, 1)
    ref = max(day - timedelta(days=int(rule.params["within_days"])), year_start - timedelta(days=1))
    before = _staff_points_before(ref, year_start, ids)
    now = case((SubjectStanding.as_of >= year_start, SubjectStanding.points_total), else_=0)
    stmt = (select(Registration.institution_id, func.sum(now).label("now"),
                   func.sum(func.coalesce(before.c.points, 0)).label("before"),
                   func.sum(case((now > 0, 1), else_=0)).label("people"))
            .join(SubjectStanding, SubjectStanding.subject_id == Registration.practitioner_id)
            .outerjoin(before, before.c.subject_id == Registration.practitioner_id)
            .group_by(Registration.institution_id))
    rise_from = int(rule.params["rise_from"])
    out = []
    for inst, total, earlier, people in uow.session.execute(_limit(stmt, Registration.institution_id, ids)):
        total, earlier = int(total or 0), int(earlier or 0)
        if total - earlier >= rise_from:
            out.append(Hit(inst, f"{day.year}:{total}",
                           f"登记备案人员{day.year}年累计记分合计{total}分（{people}人有记分），"
                           f"自{day_text(ref)}以来增加{total - earlier}分", rule.basis, "subject_standing"))
    return out


def repeat_violation(uow: UnitOfWork, rule: WarningRule, day: date, ids: list[int] | None) -> list[Hit]:
    """The same kind of bad information at least the set number of times within the set days up to ``day``
    (records corrected by a later one count once, as the correction)."""
    since = day - timedelta(days=int(rule.params["within_days"]))
    superseded = select(CreditRecord.supersedes_id).where(CreditRecord.supersedes_id.is_not(None))
    stmt = (select(CreditRecord.subject_id, CreditRecord.kind, func.count().label("n"),
                   func.max(CreditRecord.decision_date).label("last"))
            .join(Subject, Subject.id == CreditRecord.subject_id)
            .where(CreditRecord.good.is_(False), CreditRecord.decision_date > since, CreditRecord.decision_date <= day,
                   CreditRecord.id.not_in(superseded), Subject.type != "insured" if rule.subject_type == "any"
                   else Subject.type == rule.subject_type)
            .group_by(CreditRecord.subject_id, CreditRecord.kind)
            .having(func.count() >= int(rule.params["times_from"])))
    names = _kind_names(uow)
    return [Hit(sid, f"{kind}:{n}:{last.isoformat()}",
                f"{rule.params['within_days']}天内第{n}次发生同类不良信息（{names.get(kind, kind)}，最近一次"
                f"{day_text(last)}）", rule.basis, "credit_records")
            for sid, kind, n, last in uow.session.execute(_limit(stmt, CreditRecord.subject_id, ids))]


def _kind_names(uow: UnitOfWork) -> dict[str, str]:
    return {code: spec.name for code, spec in cat.kinds(current_county(uow).profile).items()}


CHECKS = {"points_near_suspension": points_near_suspension, "institution_grade_fell": institution_grade_fell,
          "institution_staff_points": institution_staff_points, "repeat_violation": repeat_violation}
REQUIRED_PARAMS = {"points_near_suspension": ("points_from",), "institution_grade_fell": ("within_days",),
                   "institution_staff_points": ("rise_from", "within_days"),
                   "repeat_violation": ("within_days", "times_from")}


def affected(uow: UnitOfWork, subject_ids) -> list[int]:
    """The subjects whose warnings a change of these subjects may change: themselves and the institutions
    where a practitioner among them is registered (their staff's points)."""
    ids = sorted({int(i) for i in subject_ids})
    if not ids:
        return []
    insts = uow.session.scalars(select(Registration.institution_id).where(
        evaluation.among(Registration.practitioner_id, ids)))
    return sorted(set(ids) | set(insts))
