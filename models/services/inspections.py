"""“双随机、一公开” (鲁政办 2019 意见 二（一）): random subjects, random inspectors, a published result.

The probability of each subject follows its grade (磐医保〔2021〕43号 第十八条) through the engine's
``draw_inspection``. A draw stores its seed, parameters, the candidates with the grades used and
the inspector pool, so anyone holding the published data can re-derive it; :func:`verify` does.
Each inspection is made by at least two law-enforcement officers (《行政处罚法》第四十二条).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, insert, select

from models import policy
from models.db.base import new_uuid, utcnow
from models.db.tables import Subject, SubjectStanding
from models.db.tables_inspections import InspectionDraw, InspectionDrawItem, Inspector
from models.queries.statistics import local_subjects, scope
from models.services import ratings, risk, standing
from models.services.base import SYSTEM, Actor, NotFound, Result, UnitOfWork, query, require, service
from models.services.county import current_county
from models.services.profiles import profile
from models.services.subjects import TYPE_NAMES, mask_id
from models.validation import ValidationError, clean, fold, max_length, required

MIN_INSPECTORS = 2  # 《行政处罚法》第四十二条：执法人员不得少于两人
MAX_INSPECTORS = 5


@dataclass(frozen=True)
class InspectorInfo:
    uuid: str
    name: str
    certificate_no: str
    unit: str
    active: bool


def _inspector(i: Inspector) -> InspectorInfo:
    return InspectorInfo(i.uuid, i.name, i.certificate_no, i.unit, i.active)


@service
def add_inspector(uow: UnitOfWork, *, actor: Actor, name: str, certificate_no: str, unit: str = "") -> Result:
    require(actor, "inspectors.manage")
    name = max_length(required(name, "姓名"), 40, "姓名")
    number = max_length(required(fold(certificate_no).replace(" ", ""), "执法证号"), 40, "执法证号")
    if uow.session.scalar(select(Inspector).where(Inspector.certificate_no == number)):
        raise ValidationError("执法证号", f"“{number}”已在名录中")
    row = Inspector(name=name, certificate_no=number, unit=max_length(clean(unit), 100, "所在单位"), active=True,
                    added_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "inspector.add", "inspector", row.uuid, after={"name": name, "certificate_no": number, "unit": row.unit})
    return Result(_inspector(row))


@service
def set_inspector_active(uow: UnitOfWork, *, actor: Actor, certificate_no: str, active: bool, reason: str) -> Result:
    """Taking someone off the roster (调离、退休、证件失效) keeps them in the draws that named them."""
    require(actor, "inspectors.manage")
    row = uow.session.scalar(select(Inspector).where(Inspector.certificate_no == fold(certificate_no)))
    if row is None:
        raise NotFound(f"名录中没有执法证号为“{certificate_no}”的人员")
    reason = required(reason, "原因")
    if row.active != active:
        uow.audit(actor, "inspector.active", "inspector", row.uuid, before={"active": row.active},
                  after={"active": active}, reason=reason)
        row.active = active
    return Result(_inspector(row))


@query
def list_inspectors(uow: UnitOfWork, *, active_only: bool = False) -> list[InspectorInfo]:
    stmt = select(Inspector).order_by(Inspector.active.desc(), Inspector.id)
    if active_only:
        stmt = stmt.where(Inspector.active.is_(True))
    return [_inspector(i) for i in uow.session.scalars(stmt)]


# -- parameters ----------------------------------------------------------------------------------

def parse_ratio(value) -> Decimal:
    """0.1, "0.1" or "10%"; the base ratio the grade ratios multiply (磐 第十八条 “原抽查比例”)."""
    text = fold(value).replace("％", "%")
    try:
        ratio = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise ValidationError("基础抽查比例", f"“{text}”不是有效比例，应写作 0.1 或 10%") from None
    if not Decimal(0) < ratio <= Decimal(1):
        raise ValidationError("基础抽查比例", "应大于0且不超过1（即不超过100%）")
    return ratio.normalize()


def _subject_type(value) -> str:
    text = clean(value)
    by_name = {v: k for k, v in TYPE_NAMES.items()} | {"医保医师": "practitioner", "医保药师": "practitioner"}
    found = text if text in TYPE_NAMES else by_name.get(text)
    if found is None:
        raise ValidationError("抽查对象", f"“{text}”不是可选值，应为：{'、'.join(TYPE_NAMES.values())}")
    return found


def _filters(uow: UnitOfWork, subject_type: str, institutions, township) -> dict:
    codes = []
    for key in institutions or ():
        inst = uow.session.scalar(select(Subject).where(Subject.type == "institution",
                                                        (Subject.credit_code == fold(key).upper()) | (Subject.uuid == clean(key))))
        if inst is None:
            raise ValidationError("定点医药机构", f"“{key}”不是已登记的定点医药机构")
        codes.append(inst.credit_code or inst.uuid)
    if codes and subject_type == "insured":
        raise ValidationError("定点医药机构", "参保人抽查不按机构限定范围")
    town = clean(township) or None
    return {"institutions": sorted(set(codes)), "township": town}


@dataclass(frozen=True)
class Graded:
    """A candidate with what its probability rests on: grade (dynamic or the published yearly rating) and risk."""

    candidate: policy.Candidate
    grade_source: str  # 动态评价 / the published rating's title
    risk_level: str | None
    risk_text: str | None


def _graded(uow: UnitOfWork, subject_type: str, filters: dict, day: date) -> list[Graded]:
    """Each candidate with its grade and, for institutions, its risk level. The grade is the published yearly
    rating valid on the day where there is one (磐医保〔2021〕43号 第十八条 引用信用评价结果), else the standing,
    brought up to date first where it no longer holds."""
    ids = scope(uow, subject_type, institutions=filters["institutions"], township=filters["township"])
    wanted = set(uow.session.scalars(ids))
    standing.refresh(uow, [i for i in standing.due(uow, day, institutions_last=True) if i in wanted],
                     actor=uow.actor or SYSTEM, day=day)
    rows = list(uow.session.execute(select(Subject.id, Subject.uuid, SubjectStanding.grade)
                                    .outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
                                    .where(Subject.id.in_(ids))))
    sids = [r.id for r in rows]
    fixed = ratings.fixed_grades_on(uow, sids, day) if subject_type in ratings.RATED_TYPES else {}
    levels = risk.risks(uow, _profile(uow)[1], sids, day) if subject_type == "institution" else {}
    out = []
    for sid, uuid, grade in rows:
        grade, source = fixed.get(sid, (grade, "动态评价"))
        lv = levels.get(sid)
        out.append(Graded(policy.Candidate(uuid, grade, lv.factor if lv else Decimal(1)), source,
                          lv and lv.level, lv and lv.text))
    return out


def _candidates(uow: UnitOfWork, subject_type: str, filters: dict, day: date | None = None) -> list[policy.Candidate]:
    return [g.candidate for g in _graded(uow, subject_type, filters, day or date.today())]


def _profile(uow: UnitOfWork) -> tuple[str, policy.Profile]:
    # The shipped profile: the packs carry the ratios; the bureau's indicator tree does not matter here.
    name = current_county(uow).profile
    return name, profile(name)


@query
def scope_choices(uow: UnitOfWork) -> tuple[list[tuple[str, str, str]], list[str]]:
    """What a draw may be limited to: institutions (credit code, name, township) and townships."""
    local = local_subjects(current_county(uow).code)
    institutions = [(code or uuid, name, town or "") for code, uuid, name, town in uow.session.execute(
        select(Subject.credit_code, Subject.uuid, Subject.name, Subject.township)
        .where(Subject.type == "institution", local).order_by(Subject.township, Subject.name))]
    towns = list(uow.session.scalars(select(Subject.township).where(Subject.township.is_not(None), local)
                                     .distinct().order_by(Subject.township)))
    return institutions, towns


@dataclass(frozen=True)
class Preview:
    population: int
    by_grade: dict  # grade (or "无等级") → (candidates, probability as text)
    expected: Decimal  # expected number drawn
    by_risk: dict = None  # institutions: risk level → candidates
    fixed: int = 0  # candidates whose grade is a published yearly rating
    risk_note: str = ""


@query
def preview(uow: UnitOfWork, *, subject_type: str, base_ratio, institutions=(), township=None,
            as_of: date | None = None) -> Preview:
    """The population and the probability per grade, before drawing (shown in the draw dialog)."""
    subject_type = _subject_type(subject_type)
    ratio = parse_ratio(base_ratio)
    filters = _filters(uow, subject_type, institutions, township)
    _name, prof = _profile(uow)
    day = as_of or date.today()
    graded = _graded(uow, subject_type, filters, day)
    counts = Counter(g.candidate.grade for g in graded)
    by_grade, expected = {}, Decimal(0)
    for grade, n in sorted(counts.items(), key=lambda kv: _grade_order(kv[0])):
        p = policy.sampling.probability(prof, day, policy.Candidate("", grade), ratio)
        by_grade[grade or "无等级"] = (n, _percent(p))
    for g in graded:
        expected += policy.sampling.probability(prof, day, g.candidate, ratio)
    by_risk = dict(Counter(g.risk_level for g in graded if g.risk_level)) or None
    note = ""
    if by_risk:
        rules = risk.rules_in_force(uow)
        note = (f"按风险等级调整抽查概率（{'；'.join(f'{lv.level}×{lv.factor}' for lv in (*rules.levels, rules.otherwise))}"
                f"{'，示例规则' if rules.sample else ''}），依据{rules.basis}")
    return Preview(len(graded), by_grade, expected.quantize(Decimal("0.1")), by_risk,
                   sum(1 for g in graded if g.grade_source != "动态评价"), note)


def _grade_order(grade: str | None) -> int:
    order = ("优秀", "良好", "中等", "较差", "差")
    return order.index(grade) if grade in order else len(order)


def _percent(p: Decimal) -> str:
    return f"{(p * 100).quantize(Decimal('0.01')).normalize():f}%"


# -- drawing -------------------------------------------------------------------------------------

def _candidate_lines(candidates) -> str:
    """“uuid<TAB>grade”, and “<TAB>risk factor” where the risk level changes the probability (draws made before
    risk levels keep their two columns, so their published checksum still holds)."""
    return "".join(f"{c.uuid}\t{c.grade or ''}" + (f"\t{c.risk}" if Decimal(c.risk) != 1 else "") + "\n"
                   for c in sorted(candidates, key=lambda c: c.uuid))


def _pack_candidates(candidates: list[policy.Candidate]) -> tuple[bytes, str]:
    text = _candidate_lines(candidates)
    return zlib.compress(text.encode(), 9), hashlib.sha256(text.encode()).hexdigest()


def unpack_candidates(blob: bytes) -> list[policy.Candidate]:
    out = []
    for line in zlib.decompress(blob).decode().splitlines():
        uuid, grade, *factor = line.split("\t")
        out.append(policy.Candidate(uuid, grade or None, Decimal(factor[0]) if factor else Decimal(1)))
    return out


def _number(uow: UnitOfWork, day: date) -> str:
    used = uow.session.scalar(select(func.count()).where(InspectionDraw.number.like(f"{day.year}-%")))
    return f"{day.year}-{used + 1:03d}"


def _pool(uow: UnitOfWork, chosen, per_subject: int) -> list[dict]:
    stmt = select(Inspector).where(Inspector.active.is_(True)).order_by(Inspector.certificate_no)
    if chosen is not None:
        stmt = stmt.where(Inspector.certificate_no.in_([fold(c) for c in chosen]))
    pool = [{"certificate_no": i.certificate_no, "name": i.name, "unit": i.unit} for i in uow.session.scalars(stmt)]
    if len(pool) < per_subject:
        raise ValidationError("执法检查人员", f"名录中可选派的在岗人员只有{len(pool)}人，每个检查对象需要{per_subject}人"
                                         "（《行政处罚法》第四十二条：执法人员不得少于两人）")
    return pool


def _seed(value) -> str:
    text = fold(value)
    if not text:
        return str(secrets.randbelow(10**12))  # recorded with the draw, so it can be re-run
    return max_length(text, 40, "随机种子")


@service
def draw(uow: UnitOfWork, *, actor: Actor, subject_type: str, base_ratio, title: str = "", institutions=(),
         township=None, seed=None, per_subject: int = MIN_INSPECTORS, inspectors=None, note: str = "",
         today: date | None = None, progress=None) -> Result:
    """Draw subjects and inspectors and store the draw; ``inspectors`` (certificate numbers) limits the pool.

    ``progress`` is accepted for the task runner's busy dialog; one draw is a single step.
    """
    require(actor, "inspection.draw")
    subject_type = _subject_type(subject_type)
    ratio = parse_ratio(base_ratio)
    if not MIN_INSPECTORS <= int(per_subject) <= MAX_INSPECTORS:
        raise ValidationError("每组检查人员", f"应为{MIN_INSPECTORS}至{MAX_INSPECTORS}人（《行政处罚法》第四十二条：不得少于两人）")
    filters = _filters(uow, subject_type, institutions, township)
    day = today or date.today()
    title = max_length(clean(title) or f"{day.year}年{TYPE_NAMES[subject_type]}“双随机、一公开”抽查", 200, "抽查事项")
    graded = _graded(uow, subject_type, filters, day)
    candidates = [g.candidate for g in graded]
    if not candidates:
        raise ValidationError("抽查范围", "所选范围内没有信用主体")
    pool = _pool(uow, inspectors, int(per_subject))
    seed = _seed(seed)
    profile_name, prof = _profile(uow)
    try:
        result = policy.draw_inspection(candidates, ratio, seed, prof, day,
                                        [p["certificate_no"] for p in pool], int(per_subject))
    except policy.PolicyError as exc:
        raise ValidationError("抽查参数", str(exc)) from None
    blob, digest = _pack_candidates(candidates)
    row = InspectionDraw(number=_number(uow, day), title=title, subject_type=subject_type,
                         filters=json.dumps(filters, ensure_ascii=False), base_ratio=str(ratio), seed=seed, as_of=day,
                         profile=profile_name, per_subject=int(per_subject), population=len(candidates),
                         selected=len(result.selected), candidates=blob, candidates_sha256=digest,
                         pool=json.dumps(pool, ensure_ascii=False),
                         basis=json.dumps(_basis(uow, result, graded), ensure_ascii=False),
                         note=max_length(clean(note), 2000, "备注"), drawn_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    _store_items(uow, row, result, {c.uuid: c.grade for c in candidates})
    uow.audit(actor, "inspection.draw", "inspection_draw", row.uuid, reason=title,
              after={"number": row.number, "subject_type": subject_type, "filters": filters, "base_ratio": str(ratio),
                     "seed": seed, "population": row.population, "selected": row.selected,
                     "candidates_sha256": digest, "pool": [p["certificate_no"] for p in pool]})
    return Result(_draw_info(row))


def _basis(uow: UnitOfWork, result: policy.InspectionDraw, graded: list[Graded]) -> list[str]:
    out = list(result.basis)
    if any(g.grade_source != "动态评价" for g in graded):
        out.append(f"年度信用评价结果（{ratings.BASIS}）")
    if any(g.risk_level for g in graded):
        rules = risk.rules_in_force(uow)
        out.append(f"风险等级{'（示例规则）' if rules.sample else ''}：{rules.basis}")
    return out


def _store_items(uow: UnitOfWork, row: InspectionDraw, result: policy.InspectionDraw, grades: dict) -> None:
    """The selected subjects with the grade the draw used (the published rating's where there was one)."""
    uuids = [s.uuid for s in result.selected]
    ids = {}
    for start in range(0, len(uuids), 5000):  # SQLite limits bound parameters per statement
        for sid, uuid in uow.session.execute(select(Subject.id, Subject.uuid)
                                             .where(Subject.uuid.in_(uuids[start:start + 5000]))):
            ids[uuid] = sid
    now = utcnow()
    items = [dict(uuid=new_uuid(), created_at=now, updated_at=now, sync_pending=True, origin_county=None,
                  draw_id=row.id, position=n, subject_id=ids[s.uuid], grade=grades[s.uuid],
                  probability=str(s.probability), inspectors=json.dumps(list(s.inspectors)))
             for n, s in enumerate(result.selected, start=1)]
    if items:
        uow.session.execute(insert(InspectionDrawItem), items)


# -- reading -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DrawInfo:
    uuid: str
    number: str
    title: str
    subject_type: str
    filters: dict
    base_ratio: str
    seed: str
    as_of: date
    profile: str
    per_subject: int
    population: int
    selected: int
    candidates_sha256: str
    pool: tuple
    basis: tuple
    note: str
    drawn_by: str
    drawn_at: datetime

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.subject_type]

    @property
    def scope_text(self) -> str:
        parts = [self.type_name]
        if self.filters.get("institutions"):
            parts.append(f"限定机构 {len(self.filters['institutions'])} 家")
        if self.filters.get("township"):
            parts.append(f"乡镇（街道）：{self.filters['township']}")
        return "；".join(parts)

    @property
    def ratio_text(self) -> str:
        return _percent(Decimal(self.base_ratio))


def _draw_info(r: InspectionDraw) -> DrawInfo:
    return DrawInfo(r.uuid, r.number, r.title, r.subject_type, json.loads(r.filters), r.base_ratio, r.seed, r.as_of,
                    r.profile, r.per_subject, r.population, r.selected, r.candidates_sha256,
                    tuple(json.loads(r.pool)), tuple(json.loads(r.basis)), r.note, r.drawn_by, r.created_at)


def find_draw(uow: UnitOfWork, key: str) -> InspectionDraw:
    key = clean(key)
    row = uow.session.scalar(select(InspectionDraw).where((InspectionDraw.number == key) | (InspectionDraw.uuid == key)))
    if row is None:
        raise NotFound(f"没有编号为“{key}”的抽查记录")
    return row


@query
def list_draws(uow: UnitOfWork) -> list[DrawInfo]:
    return [_draw_info(r) for r in uow.session.scalars(select(InspectionDraw).order_by(InspectionDraw.id.desc()))]


@query
def get_draw(uow: UnitOfWork, *, draw: str) -> DrawInfo:
    return _draw_info(find_draw(uow, draw))


ITEM_COLUMNS = ("序号", "检查对象", "证件号码/统一社会信用代码", "信用等级", "抽中概率", "检查人员", "执法证号", "UUID")


@query
def draw_items(uow: UnitOfWork, *, actor: Actor, draw: str, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """The selected subjects (:data:`ITEM_COLUMNS`), in the draw's order."""
    row = find_draw(uow, draw)
    names = {p["certificate_no"]: p["name"] for p in json.loads(row.pool)}
    stmt = (select(InspectionDrawItem.position, Subject.name, Subject.id_number, Subject.credit_code,
                   InspectionDrawItem.grade, InspectionDrawItem.probability, InspectionDrawItem.inspectors, Subject.uuid)
            .join(Subject, Subject.id == InspectionDrawItem.subject_id)
            .where(InspectionDrawItem.draw_id == row.id).order_by(InspectionDrawItem.position).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    full = actor.can("id.view_full")
    out = []
    for pos, name, id_number, code, grade, p, team, uuid in uow.session.execute(stmt):
        numbers = json.loads(team)
        out.append((pos, name, code or (id_number if full else mask_id(id_number)), grade or "无等级",
                    _percent(Decimal(p)), "、".join(names.get(n, n) for n in numbers), "、".join(numbers), uuid))
    return out


@query
def selected_by_grade(uow: UnitOfWork, *, draw: str) -> dict[str, tuple[int, int]]:
    """Grade → (candidates, selected): how the selection followed the grade ratios."""
    row = find_draw(uow, draw)
    population = Counter(c.grade or "无等级" for c in unpack_candidates(row.candidates))
    chosen = Counter(g or "无等级" for g in uow.session.scalars(
        select(InspectionDrawItem.grade).where(InspectionDrawItem.draw_id == row.id)))
    return {g: (population[g], chosen.get(g, 0)) for g in sorted(population, key=_grade_order)}


@dataclass(frozen=True)
class Verification:
    same: bool
    selected: int
    message: str


@query
def verify(uow: UnitOfWork, *, draw: str) -> Verification:
    """Re-run the stored draw from its seed, candidates and pool and compare with what was stored."""
    row = find_draw(uow, draw)
    candidates = unpack_candidates(row.candidates)
    text = _candidate_lines(candidates)
    if hashlib.sha256(text.encode()).hexdigest() != row.candidates_sha256:
        return Verification(False, 0, "候选名单与登记的校验值不一致，抽查记录可能已被改动")
    pool = [p["certificate_no"] for p in json.loads(row.pool)]
    again = policy.draw_inspection(candidates, Decimal(row.base_ratio), row.seed, profile(row.profile), row.as_of,
                                   pool, row.per_subject)
    stored = [(uuid, tuple(json.loads(team))) for uuid, team in uow.session.execute(
        select(Subject.uuid, InspectionDrawItem.inspectors).join(Subject, Subject.id == InspectionDrawItem.subject_id)
        .where(InspectionDrawItem.draw_id == row.id).order_by(InspectionDrawItem.position))]
    same = stored == [(s.uuid, s.inspectors) for s in again.selected]
    message = (f"按随机种子 {row.seed} 复算，抽中 {len(again.selected)} 个检查对象及其检查人员，与登记结果一致"
               if same else f"按随机种子 {row.seed} 复算的结果与登记结果不一致（复算抽中 {len(again.selected)} 个）")
    return Verification(same, len(again.selected), message)
