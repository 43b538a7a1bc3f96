"""What an institution's evaluation reads beyond its own records, set-based for a batch of institutions:
its staff's standing (淮医保发〔2020〕104号 三（四）: 医保医师考评结果与定点医疗机构考核挂钩), the objection
decisions on single indicator lines, and the published yearly ratings. Also the dependency the other way:
a practitioner whose standing changed marks the institutions where he is registered."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, case, exists, func, or_, select, update

from models.db.tables import EvaluationSnapshot, Registration, RegistrationStatus, ServiceCommitment, SubjectStanding
from models.db.tables_institutions import AnnualRating, AnnualRatingLine, IndicatorAdjustment
from models.policy.score import StaffFacts
from models.services.base import UnitOfWork
from models.services.evaluation import among


def _committed():
    return exists().where(ServiceCommitment.practitioner_id == Registration.practitioner_id,
                          or_(ServiceCommitment.institution_id == Registration.institution_id,
                              ServiceCommitment.institution_id.is_(None)))


def staff_facts(uow: UnitOfWork, institution_ids: list[int], day: date | None = None) -> dict[int, StaffFacts]:
    """One query for the batch. Without ``day``: the stored standing of each registered practitioner and the
    current registration status; with a past ``day``: the newest stored evaluation and status on that day."""
    if not institution_ids:
        return {}
    if day is None:
        points = func.coalesce(SubjectStanding.points_total, 0)
        status = Registration.status
        stmt = select(Registration.institution_id).outerjoin(
            SubjectStanding, SubjectStanding.subject_id == Registration.practitioner_id)
    else:
        points = func.coalesce(select(EvaluationSnapshot.points_total).where(
            EvaluationSnapshot.subject_id == Registration.practitioner_id, EvaluationSnapshot.as_of <= day)
            .order_by(EvaluationSnapshot.id.desc()).limit(1).scalar_subquery(), 0)
        status = func.coalesce(select(RegistrationStatus.status).where(
            RegistrationStatus.registration_id == Registration.id, RegistrationStatus.effective_on <= day)
            .order_by(RegistrationStatus.effective_on.desc(), RegistrationStatus.id.desc()).limit(1)
            .scalar_subquery(), "正常")
        stmt = select(Registration.institution_id).where(Registration.registered_on <= day)
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    stmt = stmt.add_columns(func.count(), one(points > 0), one(status == "暂停"), one(status == "终止"),
                            one(~_committed())).where(Registration.institution_id.in_(institution_ids)).group_by(
        Registration.institution_id)
    return {row[0]: StaffFacts(*(int(v or 0) for v in row[1:])) for row in uow.session.execute(stmt)}


def registered_on(uow: UnitOfWork, institution_id: int, day: date) -> list[int]:
    """The practitioners registered at the institution on the day."""
    return list(uow.session.scalars(select(Registration.practitioner_id).where(
        Registration.institution_id == institution_id, Registration.registered_on <= day)))


def adjustments(uow: UnitOfWork, subject_ids: list[int], day: date) -> dict[int, dict]:
    """Objection decisions on single lines in effect on the day: {subject: {(tree, version, code): points}}."""
    out: dict[int, dict] = defaultdict(dict)
    for a in uow.session.scalars(select(IndicatorAdjustment).where(
            among(IndicatorAdjustment.subject_id, sorted(subject_ids)), IndicatorAdjustment.from_day <= day)
            .order_by(IndicatorAdjustment.id)):
        key = (a.tree_id, a.tree_version, a.code)
        out[a.subject_id][key] = out[a.subject_id].get(key, 0) + a.points
    return out


def published(day: date):
    """Ratings published and valid on the day."""
    return and_(AnnualRating.state == "已发布", AnnualRating.published_on <= day,
                or_(AnnualRating.valid_from.is_(None), AnnualRating.valid_from <= day),
                or_(AnnualRating.valid_to.is_(None), AnnualRating.valid_to >= day))


def fixed_grades(uow: UnitOfWork, subject_ids: list[int], day: date) -> dict[int, dict[int, str]]:
    """Published yearly ratings known on the day: {subject: {year: grade}} (磐医保〔2021〕43号 第二十一条)."""
    out: dict[int, dict[int, str]] = defaultdict(dict)
    rows = uow.session.execute(select(AnnualRatingLine.subject_id, AnnualRating.year, AnnualRatingLine.grade)
                               .join(AnnualRating).where(among(AnnualRatingLine.subject_id, sorted(subject_ids)),
                                                         AnnualRating.state == "已发布",
                                                         AnnualRating.published_on <= day)
                               .order_by(AnnualRating.id))
    for sid, year, grade in rows:
        if grade:
            out[sid][year] = grade
    return out


def mark_institutions_of(uow: UnitOfWork, practitioner_ids) -> set[int]:
    """The institutions where these practitioners are registered: their standing is out of date (marked, not
    recomputed here)."""
    ids = sorted(set(practitioner_ids))
    if not ids:
        return set()
    marked: set[int] = set()
    wanted = set(ids)
    for start in range(0, len(ids), 5000):
        part = ids[start:start + 5000]
        marked |= {inst for pid, inst in uow.session.execute(select(
            Registration.practitioner_id, Registration.institution_id).where(among(Registration.practitioner_id, part)))
            if pid in wanted}
    if marked:
        uow.session.execute(update(SubjectStanding).where(SubjectStanding.subject_id.in_(marked))
                            .values(dirty=True))
    return marked
