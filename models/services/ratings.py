"""年度信用评价结果: the bureau fixes the grades of a year as of a date, besides the dynamic evaluation.

A clerk drafts it from the standing of every subject of a type on that date; a reviewer other than the clerk
reviews it; a signer other than both signs it off; it is then published with its validity period. Published
ratings are what the red list counts as the years' grades (磐医保〔2021〕43号 第二十一条 “信用等级保持优秀3年以上”)
and what a 双随机 draw takes as the grade while they are valid (第十八条 “引用信用评价结果”). Nothing of a
rating is rewritten: a wrong rating is superseded by a new one for the same year.
"""
from __future__ import annotations

import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from models.db.tables import StandingResult, Subject, SubjectStanding
from models.db.tables_institutions import AnnualRating, AnnualRatingLine
from models.policy.dates import add_years
from models.services import standing
from models.services.base import Actor, Changes, NotFound, Result, ServiceError, UnitOfWork, query, require, service
from models.services.institution_facts import published
from models.services.subjects import INSTITUTION_KINDS, TYPE_NAMES
from models.services.users import display_names
from models.validation import ValidationError, clean, max_length

BASIS = "磐医保〔2021〕43号 第十四条、第二十一条"
STATES = ("草稿", "已复核", "已签发", "已发布")
RATED_TYPES = ("institution", "practitioner")


@dataclass(frozen=True)
class RatingInfo:
    uuid: str
    year: int
    subject_type: str
    as_of: date
    state: str
    drafted_by: str
    reviewed_by: str | None
    signed_by: str | None
    published_on: date | None
    valid_from: date | None
    valid_to: date | None
    subjects: int
    by_grade: dict  # grade (or 无等级) → count
    note: str
    people: dict = field(default_factory=dict)  # login name → display name of who drafted, reviewed, signed

    @property
    def title(self) -> str:
        return f"{self.year}年度{TYPE_NAMES[self.subject_type]}信用评价结果"


def _info(uow: UnitOfWork, r: AnnualRating) -> RatingInfo:
    counts = Counter(line.grade or "无等级" for line in r.lines)
    return RatingInfo(r.uuid, r.year, r.subject_type, r.as_of, r.state, r.drafted_by, r.reviewed_by, r.signed_by,
                      r.published_on, r.valid_from, r.valid_to, len(r.lines), dict(counts), r.note,
                      display_names(uow, (r.drafted_by, r.reviewed_by, r.signed_by)))


def _rating(uow: UnitOfWork, key: str) -> AnnualRating:
    row = uow.session.scalar(select(AnnualRating).where(AnnualRating.uuid == clean(key)))
    if row is None:
        raise NotFound(f"没有编号为“{key}”的年度信用评价结果")
    return row


def _results(uow: UnitOfWork, subject_type: str, day: date) -> list[tuple[int, object, str | None, str]]:
    """(subject, score, grade, tree) of every subject of the type as of the day, read from the standing."""
    ids = list(uow.session.scalars(select(Subject.id).where(Subject.type == subject_type).order_by(Subject.id)))
    if day >= date.today():
        wanted = set(ids)
        standing.refresh(uow, [i for i in standing.due(uow, day, institutions_last=True) if i in wanted],
                         actor=uow.actor, day=day)
        rows = uow.session.execute(select(SubjectStanding.subject_id, SubjectStanding.score, SubjectStanding.grade,
                                          StandingResult.body).join(
            StandingResult, StandingResult.hash == SubjectStanding.result_hash).where(
            SubjectStanding.subject_id.in_(ids)))
        bodies = {}
        out = []
        for sid, score, grade, body in rows:
            tree = bodies.get(body)
            if tree is None:
                tree = bodies[body] = _tree_text(json.loads(zlib.decompress(body)).get("indicators"))
            out.append((sid, score, grade, tree))
        return out
    out = []
    for s in uow.session.scalars(select(Subject).where(Subject.id.in_(ids))):
        result = standing.of(uow, s, day)
        score = result["score"]
        out.append((s.id, None if score is None else Decimal(score), result["grade"],
                    _tree_text(result.get("indicators"))))
    return out


def _tree_text(tree: dict | None) -> str:
    return "" if not tree else f"{tree.get('title') or '本局评价指标体系'} 第{tree['version']}版"


@service
def draft(uow: UnitOfWork, *, actor: Actor, year: int, subject_type: str = "institution", as_of: date | None = None,
          note: str = "") -> Result:
    """Fix the grades of ``year`` as of a date (default 31 December of that year) from the standing (录入员)."""
    require(actor, "rating.draft")
    if subject_type not in RATED_TYPES:
        raise ValidationError("评价对象", f"应为{'、'.join(TYPE_NAMES[t] for t in RATED_TYPES)}")
    as_of = as_of or date(int(year), 12, 31)
    if as_of.year != int(year):
        raise ValidationError("评价日期", f"{as_of} 不在{year}年内")
    if as_of > date.today():
        raise ValidationError("评价日期", f"{as_of} 尚未到来：年度结果只能按已经过去或当天的信用状况确定")
    row = AnnualRating(year=int(year), subject_type=subject_type, as_of=as_of, state="草稿", drafted_by=actor.username,
                       note=max_length(clean(note), 2000, "说明"))
    uow.session.add(row)
    uow.session.flush()
    for sid, score, grade, tree in _results(uow, subject_type, as_of):
        row.lines.append(AnnualRatingLine(subject_id=sid, score=score, grade=grade, tree=tree))
    uow.session.flush()
    info = _info(uow, row)
    uow.audit(actor, "rating.draft", "annual_rating", row.uuid,
              after={"year": row.year, "subject_type": subject_type, "as_of": as_of, "subjects": info.subjects,
                     "by_grade": info.by_grade})
    return Result(info)


def _step(uow: UnitOfWork, actor: Actor, key: str, permission: str, expected: str, verb: str) -> AnnualRating:
    require(actor, permission)
    row = _rating(uow, key)
    if row.state != expected:
        raise ServiceError(f"{row.year}年度评价结果当前状态为“{row.state}”，不能{verb}（应为“{expected}”）")
    earlier = {row.drafted_by: "起草", row.reviewed_by: "复核"}
    if actor.username in earlier:
        raise ServiceError(f"{row.year}年度评价结果由您{earlier[actor.username]}，须由另一人{verb}（双人复核）")
    return row


@service
def review(uow: UnitOfWork, *, actor: Actor, rating: str, today: date | None = None) -> Result:
    row = _step(uow, actor, rating, "rating.review", "草稿", "复核")
    row.state, row.reviewed_by, row.reviewed_on = "已复核", actor.username, today or date.today()
    uow.audit(actor, "rating.review", "annual_rating", row.uuid, before={"state": "草稿"}, after={"state": row.state})
    return Result(_info(uow, row))


@service
def sign_off(uow: UnitOfWork, *, actor: Actor, rating: str, today: date | None = None) -> Result:
    row = _step(uow, actor, rating, "rating.sign_off", "已复核", "签发")
    row.state, row.signed_by, row.signed_on = "已签发", actor.username, today or date.today()
    uow.audit(actor, "rating.sign_off", "annual_rating", row.uuid, before={"state": "已复核"},
              after={"state": row.state})
    return Result(_info(uow, row))


@service
def publish(uow: UnitOfWork, *, actor: Actor, rating: str, on: date | None = None, valid_from: date | None = None,
            valid_to: date | None = None) -> Result:
    """Publish a signed rating (签发人). Validity: from the day of publication for one year unless set; an earlier
    published rating of the same year and type ends the day before. The standing of every rated subject is
    brought up to date in the same transaction (the red list counts published years)."""
    require(actor, "rating.sign_off")
    row = _rating(uow, rating)
    if row.state != "已签发":
        raise ServiceError(f"{row.year}年度评价结果当前状态为“{row.state}”，须签发后才能发布")
    on = on or date.today()
    valid_from = valid_from or on
    valid_to = valid_to or add_years(valid_from, 1) - timedelta(days=1)
    if valid_to < valid_from:
        raise ValidationError("有效期", f"截止日 {valid_to} 早于起始日 {valid_from}")
    for old in uow.session.scalars(select(AnnualRating).where(
            AnnualRating.year == row.year, AnnualRating.subject_type == row.subject_type,
            AnnualRating.state == "已发布", AnnualRating.id != row.id)):
        if old.valid_to is None or old.valid_to >= valid_from:
            uow.audit(actor, "rating.supersede", "annual_rating", old.uuid, before={"valid_to": old.valid_to},
                      after={"valid_to": valid_from - timedelta(days=1), "by": row.uuid})
            old.valid_to = valid_from - timedelta(days=1)
    row.state, row.published_on, row.valid_from, row.valid_to = "已发布", on, valid_from, valid_to
    uow.audit(actor, "rating.publish", "annual_rating", row.uuid, before={"state": "已签发"},
              after={"state": row.state, "published_on": on, "valid_from": valid_from, "valid_to": valid_to})
    standing.after_change(uow, actor, [line.subject_id for line in row.lines])
    return Result(_info(uow, row), Changes(lists=True))


@query
def list_ratings(uow: UnitOfWork) -> list[RatingInfo]:
    return [_info(uow, r) for r in uow.session.scalars(select(AnnualRating).order_by(AnnualRating.id.desc()))]


RATING_HEADERS = ("名称", "统一社会信用代码/身份证号", "类别", "所在乡镇", "信用分", "信用等级", "指标体系")


@query
def show(uow: UnitOfWork, *, rating: str) -> tuple[RatingInfo, list[tuple]]:
    """The rating and its lines as the export prints them (RATING_HEADERS), by grade then name."""
    row = _rating(uow, rating)
    order = {g: i for i, g in enumerate(("优秀", "良好", "中等", "较差", "差"))}
    lines = []
    for line in row.lines:
        s = line.subject
        kind = INSTITUTION_KINDS.get(s.institution_kind or "", "") if s.type == "institution" else (s.profession or "")
        lines.append((s.name, s.credit_code or s.id_number or "", kind, s.township or "", line.score,
                      line.grade or "无等级", line.tree))
    lines.sort(key=lambda x: (order.get(x[5], 9), x[0]))
    return _info(uow, row), lines


def fixed_grades_on(uow: UnitOfWork, subject_ids: list[int], day: date) -> dict[int, tuple[str, str]]:
    """The grade of each subject in the newest published rating valid on the day: {subject: (grade, title)}."""
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(subject_ids), 5000):
        rows = uow.session.execute(select(AnnualRatingLine.subject_id, AnnualRatingLine.grade, AnnualRating.year,
                                          AnnualRating.subject_type).join(AnnualRating)
                                   .where(AnnualRatingLine.subject_id.in_(subject_ids[start:start + 5000]),
                                          published(day)).order_by(AnnualRating.year, AnnualRating.id))
        for sid, grade, year, stype in rows:
            if grade:
                out[sid] = (grade, f"{year}年度{TYPE_NAMES[stype]}信用评价结果")
    return out
