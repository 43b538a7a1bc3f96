"""申诉 (appeals): 济医保发〔2025〕6号 四（八）.

A practitioner, or an institution for its staff, appeals to the deciding department against points
(记分管理), the responsibility behind them (责任认定) and payment-qualification decisions (暂停/终止,
状态维护) — “谁作出、谁负责，谁认定、谁负责，谁调整、谁负责”: only decisions this county made are
appealed here. A disputed professional question goes to a third-party body or an expert panel
(评估鉴定) whose conclusion is recorded before the decision.

No document fixes how soon an appeal is answered: the bureau's own limit (系统设置 → 办理时限,
``notice_settings.LIMITS``) runs from receipt in working days, 暂定 where a year's schedule is
missing and recomputed when it is loaded (deadlines.recompute_provisional).

The decision 维持 / 变更 / 撤销 (by someone other than the clerk) changes nothing itself: a change or
revocation takes effect through the existing paths — a correcting record (records.correct_record), a
points reduction (repairs.reduce_points), a shortened suspension (repairs.shorten_measure) or a lifted
measure (discretionary.lift) — whose writes bring the standing up to date in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models.db.tables import CreditRecord, Registration, Subject
from models.db.tables_appeals import APPEAL_MATTERS, APPELLANTS, Appeal
from models.db.tables_casework import MeasureRow
from models.services import discretionary, records, repairs
from models.services.base import (Actor, Changes, Result, ServiceError, UnitOfWork, day_text, query, require,
                                  service)
from models.services.cases import add_notice, by_uuid, four_eyes, on_date, store_files
from models.services.county import current_county
from models.services.notice_settings import settings
from models.services.subjects import find_subject
from models.services.workdays import calendar_from_db
from models.validation import ValidationError, clean, max_length, one_of, required

BASIS = "济医保发〔2025〕6号 四（八）"
OPEN = ("待处理", "评估鉴定中")
MATTERS = {"record": APPEAL_MATTERS[:2], "measure": APPEAL_MATTERS[2:]}


def limit_text(days: int) -> str:
    """The handling period is the bureau's own: said so wherever it is shown, with no article claimed."""
    return f"本局规定：收到申诉后{days}个工作日内办结（文件未规定办理期限）"


@dataclass(frozen=True)
class AppealInfo:
    uuid: str
    subject: str
    target: str
    matter: str
    received_on: date
    deadline: date
    provisional: bool
    state: str
    outcome: str | None
    effect: str | None


def info(a: Appeal) -> AppealInfo:
    return AppealInfo(a.uuid, a.subject.uuid, a.target, a.matter, a.received_on, a.deadline, a.provisional, a.state,
                      a.outcome, a.effect)


def summary(a: Appeal) -> dict:
    return {"state": a.state, "deadline": a.deadline, "provisional": a.provisional, "assessor": a.assessor,
            "referred_on": a.referred_on, "conclusion": a.conclusion, "concluded_on": a.concluded_on,
            "outcome": a.outcome, "decided_on": a.decided_on, "effect": a.effect, "effect_uuid": a.effect_uuid}


def due(uow: UnitOfWork, received: date, days: int | None = None):
    """(days, Deadline) counted from the day after receipt with the county's calendar."""
    days = days or settings(uow)["appeal_handling_days"]
    return days, calendar_from_db(uow).add_workdays(received, days)


def _local(uow: UnitOfWork, origin: str | None) -> None:
    """谁作出、谁负责: another county's decision is appealed to that county."""
    own = current_county(uow).code
    if origin and origin != own:
        raise ServiceError(f"该决定由 {origin} 作出，应向作出决定的医疗保障部门申诉（{BASIS}：谁作出、谁负责）")


def _target(uow: UnitOfWork, record: str | None, measure: str | None) -> tuple[str, CreditRecord | None,
                                                                             MeasureRow | None, Subject]:
    if bool(clean(record)) == bool(clean(measure)):
        raise ValidationError("申诉事项", "请指定一条记分（信用信息）或一项措施作为申诉对象")
    if clean(record):
        rec = by_uuid(uow, CreditRecord, record, "信用信息")
        if rec.good:
            raise ValidationError("申诉事项", "守信信息不是可申诉的处理决定")
        if uow.session.scalar(select(CreditRecord.id).where(CreditRecord.supersedes_id == rec.id)):
            raise ServiceError("该记录已被更正，请对最新的更正记录提出申诉")
        _local(uow, rec.origin_county)
        return "record", rec, None, rec.subject
    row = by_uuid(uow, MeasureRow, measure, "措施")
    _local(uow, row.origin_county)
    return "measure", None, row, row.subject


def _institution(uow: UnitOfWork, s: Subject, appellant: str, institution: str | None) -> Subject | None:
    if appellant != "所在机构":
        return None
    inst = find_subject(uow, required(institution, "申诉机构"), type="institution", field="申诉机构")
    if not uow.session.scalar(select(Registration.id).where(Registration.practitioner_id == s.id,
                                                          Registration.institution_id == inst.id)):
        raise ValidationError("申诉机构", f"{s.name}未在{inst.name}登记备案，该机构不能代其申诉")
    return inst


@service
def file(uow: UnitOfWork, *, actor: Actor, record: str | None = None, measure: str | None = None,
         matter: str | None = None, appellant: str = "本人", institution: str | None = None,
         received_on: date | str | None, reason: str, materials: str = "",
         files: list[tuple[str, bytes]] = ()) -> Result:
    """Register an appeal against a points record (or the responsibility behind it) or a measure."""
    require(actor, "appeal.write")
    target, rec, row, s = _target(uow, record, measure)
    if s.type != "practitioner":
        raise ValidationError("申诉人", f"申诉（{BASIS}）适用于定点医药机构相关人员，{s.name}不是医保医（药）师等相关人员")
    matter = one_of(matter or MATTERS[target][0], MATTERS[target], "申诉事项")
    appellant = one_of(appellant or "本人", APPELLANTS, "申诉人")
    inst = _institution(uow, s, appellant, institution)
    received = on_date(received_on, "收到申诉日期")
    decided = rec.decision_date if rec else row.start
    if received < decided:
        raise ValidationError("收到申诉日期", f"早于所申诉决定的日期（{day_text(decided)}）")
    column = Appeal.record_id == rec.id if rec else Appeal.measure_id == row.id
    if uow.session.scalar(select(Appeal.id).where(column, Appeal.state.in_(OPEN))):
        raise ServiceError("该事项已有正在办理的申诉，请在其办结后再登记")
    days, deadline = due(uow, received)
    a = Appeal(subject=s, target=target, record=rec, measure=row, matter=matter, appellant=appellant, institution=inst,
               received_on=received, reason=max_length(required(reason, "申诉理由"), 2000, "申诉理由"),
               materials=max_length(clean(materials), 2000, "申诉材料"), entered_by=actor.username,
               handling_days=days, deadline=deadline.date, provisional=deadline.provisional, state="待处理")
    uow.session.add(a)
    uow.session.flush()
    digests = store_files(uow, a.uuid, list(files))
    uow.audit(actor, "appeal.file", "appeal", a.uuid, after={
        **summary(a), "subject": s.uuid, "target": target, "record": rec.uuid if rec else None,
        "measure": row.uuid if row else None, "matter": matter, "appellant": appellant,
        "institution": inst.uuid if inst else None, "received_on": received, "reason": a.reason,
        "handling_days": days, "basis": limit_text(days), "attachments": digests})
    return Result(info(a), Changes(subjects=frozenset({s.uuid})))


def _open(uow: UnitOfWork, appeal: str) -> Appeal:
    a = by_uuid(uow, Appeal, appeal, "申诉")
    if a.state not in OPEN:
        raise ServiceError(f"该申诉已于{a.decided_on}办结（{a.outcome}），不能再办理")
    return a


@service
def refer(uow: UnitOfWork, *, actor: Actor, appeal: str, assessor: str, question: str,
          on: date | str | None = None) -> Result:
    """评估鉴定: a disputed professional question goes to a third-party body or an expert panel."""
    require(actor, "appeal.decide")
    a = _open(uow, appeal)
    if a.state == "评估鉴定中":
        raise ServiceError(f"该申诉已于{a.referred_on}送{a.assessor}评估鉴定，尚待结论")
    day = on_date(on, "送评估鉴定日期")
    if day < a.received_on:
        raise ValidationError("送评估鉴定日期", "早于收到申诉的日期")
    before = summary(a)
    a.assessor = max_length(required(assessor, "评估鉴定机构"), 100, "评估鉴定机构")
    a.question = max_length(required(question, "鉴定事项"), 2000, "鉴定事项")
    a.referred_on, a.referred_by, a.state = day, actor.username, "评估鉴定中"
    uow.audit(actor, "appeal.refer", "appeal", a.uuid, before=before, after={**summary(a), "question": a.question})
    return Result(info(a), Changes(subjects=frozenset({a.subject.uuid})))


@service
def conclude(uow: UnitOfWork, *, actor: Actor, appeal: str, conclusion: str, on: date | str | None = None) -> Result:
    """The assessment's conclusion, recorded as received; the appeal is then decided on it."""
    require(actor, "appeal.decide")
    a = _open(uow, appeal)
    if a.state != "评估鉴定中":
        raise ServiceError("该申诉未送评估鉴定，没有可登记的鉴定结论")
    day = on_date(on, "鉴定结论日期")
    if day < a.referred_on:
        raise ValidationError("鉴定结论日期", "早于送评估鉴定的日期")
    before = summary(a)
    a.conclusion = max_length(required(conclusion, "鉴定结论"), 2000, "鉴定结论")
    a.concluded_on, a.state = day, "待处理"
    uow.audit(actor, "appeal.conclude", "appeal", a.uuid, before=before, after=summary(a))
    return Result(info(a), Changes(subjects=frozenset({a.subject.uuid})))


def _record_effect(uow: UnitOfWork, actor: Actor, a: Appeal, outcome: str, why: str, day: date, *,
                   changes: dict | None, points: int | None) -> tuple[str, str]:
    rec = a.record
    if outcome == "变更" and changes:
        if points:
            raise ValidationError("变更内容", "更正记录和减免记分只能选择一种")
        new = records.correct_record.in_uow(uow, actor=actor, record=rec.uuid, data=changes, reason=why).value
        return f"更正记录（{'、'.join(sorted(changes))}），原记录保留", new.uuid
    left = repairs.points_left(uow, rec)
    if outcome == "撤销":
        if not left:
            raise ServiceError("该记录已没有记分，撤销其他内容请选择“变更”并写明更正的字段")
        points = left
    elif not points:
        raise ValidationError("变更内容", "变更须写明更正的字段或减免的分值")
    r = repairs.reduce_points.in_uow(uow, actor=actor, record=rec.uuid, points=points, reason=why, on=day,
                                     basis=f"{BASIS}（申诉{outcome}）").value
    return (f"撤销该记录的全部{points}分记分" if outcome == "撤销" else f"减免记分{points}分（原{left}分）"), r.uuid


def _measure_effect(uow: UnitOfWork, actor: Actor, a: Appeal, outcome: str, why: str, day: date, *,
                    months: int | None) -> tuple[str, str]:
    row = a.measure
    if row.state != "生效":
        raise ServiceError(f"该措施状态为“{row.state}”，已不再执行；请选择“维持”并在答复中说明")
    if outcome == "变更":
        if not months:
            raise ValidationError("变更后期限", "变更措施须写明变更后的期限（月）")
        r = repairs.shorten_measure.in_uow(uow, actor=actor, measure=row.uuid, months=months, reason=why, on=day,
                                           basis=f"{BASIS}（申诉变更）").value
        return f"“{row.name}”由{row.months}个月变更为{months}个月", r.uuid
    if row.record is None:
        discretionary.lift.in_uow(uow, actor=actor, measure=row.uuid, reason=why, on=day)
        return f"撤销“{row.name}”，自{day_text(day)}起不再执行", row.uuid
    # A measure the rules impose follows from the points behind it: revoking it revokes those points.
    left = repairs.points_left(uow, row.record)
    if not left:
        raise ServiceError(f"“{row.name}”所依据的记录已没有记分，请更正所依据的记录")
    r = repairs.reduce_points.in_uow(uow, actor=actor, record=row.record.uuid, points=left, reason=why, on=day,
                                     basis=f"{BASIS}（申诉撤销）").value
    return f"撤销“{row.name}”：撤销所依据记录的{left}分记分，措施随之重新计算", r.uuid


@service
def decide(uow: UnitOfWork, *, actor: Actor, appeal: str, outcome: str, answer: str, basis: str,
           on: date | str | None = None, changes: dict | None = None, points: int | None = None,
           months: int | None = None) -> Result:
    """维持 / 变更 / 撤销 with the answer and its basis, by someone other than the clerk who registered it.

    变更 of a record: ``changes`` (a correcting record) or ``points`` (a reduction); 变更 of a measure: ``months``.
    撤销 of a record reduces all its points; of a measure lifts it (the bureau's own) or revokes the points behind
    it (one the rules impose)."""
    require(actor, "appeal.decide")
    a = _open(uow, appeal)
    four_eyes(actor, a.entered_by, "申诉", "作出申诉决定")
    if a.state == "评估鉴定中":
        raise ServiceError(f"该申诉已送{a.assessor}评估鉴定，请先登记鉴定结论再作决定")
    outcome = one_of(outcome, ("维持", "变更", "撤销"), "申诉决定")
    answer = max_length(required(answer, "答复意见"), 2000, "答复意见")
    basis = max_length(required(basis, "决定依据"), 500, "决定依据")
    day = on_date(on, "决定日期")
    if day < (a.concluded_on or a.received_on):
        raise ValidationError("决定日期", "早于鉴定结论的日期" if a.concluded_on else "早于收到申诉的日期")
    why = f"申诉{outcome}（{BASIS}）：{answer}"
    effect, effect_uuid = None, None
    if outcome != "维持" and a.target == "record":
        effect, effect_uuid = _record_effect(uow, actor, a, outcome, why, day, changes=changes, points=points)
    elif outcome != "维持":
        effect, effect_uuid = _measure_effect(uow, actor, a, outcome, why, day, months=months)
    before = summary(a)
    a.state, a.outcome, a.answer, a.decision_basis = "已办结", outcome, answer, basis
    a.decided_by, a.decided_on, a.effect, a.effect_uuid = actor.username, day, effect, effect_uuid
    uow.audit(actor, "appeal.decide", "appeal", a.uuid, before=before, reason=answer,
              after={**summary(a), "basis": basis, "in_time": day <= a.deadline})
    rec = a.record or (a.measure.record if a.measure else None)
    add_notice(uow, actor, "appeal_answer", a.subject, a.uuid, {
        "form": "申诉处理决定书", "subject": a.subject.name, "appellant_name": a.institution.name if a.institution else None,
        "record": rec.uuid if rec else None, "what": _what(a), "matter": a.matter, "received_on": a.received_on,
        "reason": a.reason, "outcome": outcome, "answer": answer, "decision_basis": basis, "effect": effect,
        "decided_on": day, "deadline": a.deadline, "in_time": day <= a.deadline, "basis": BASIS})
    return Result(info(a), Changes(subjects=frozenset({a.subject.uuid}), lists=outcome != "维持"))


def _what(a: Appeal) -> str:
    """What the appeal is against, as the answer names it: the measure or the case."""
    rec = a.record or (a.measure.record if a.measure else None)
    case = f"案件{rec.case_no}" if rec and rec.case_no else "有关处理决定"
    return f"{case}“{a.measure.name}”" if a.measure else f"{case}的记分"


def recompute(uow: UnitOfWork, a: Appeal) -> dict:
    """A provisional deadline again from receipt, with the days set when the appeal was received."""
    _days, deadline = due(uow, a.received_on, a.handling_days)
    return {"deadline": deadline.date, "provisional": deadline.provisional}


@query
def list_appeals(uow: UnitOfWork, *, subject: str | None = None, open_only: bool = False) -> list[dict]:
    stmt = select(Appeal).order_by(Appeal.received_on, Appeal.id)
    if subject:
        stmt = stmt.where(Appeal.subject_id == find_subject(uow, subject).id)
    if open_only:
        stmt = stmt.where(Appeal.state.in_(OPEN))
    return [row(a) for a in uow.session.scalars(stmt)]


def row(a: Appeal) -> dict:
    """One appeal as the credit file, the command line and the window show it."""
    rec = a.record or (a.measure.record if a.measure else None)
    return {"uuid": a.uuid, "subject": a.subject.name, "subject_uuid": a.subject.uuid, "target": a.target,
            "record": a.record.uuid if a.record else None, "measure": a.measure.uuid if a.measure else None,
            "measure_name": a.measure.name if a.measure else None, "case_no": rec.case_no if rec else None,
            "matter": a.matter, "appellant": a.appellant, "institution": a.institution.name if a.institution else None,
            "received_on": a.received_on, "reason": a.reason, "materials": a.materials, "entered_by": a.entered_by,
            "handling_days": a.handling_days, "deadline": a.deadline, "provisional": a.provisional,
            "deadline_basis": limit_text(a.handling_days), "state": a.state, "assessor": a.assessor,
            "referred_on": a.referred_on, "question": a.question, "conclusion": a.conclusion,
            "concluded_on": a.concluded_on, "outcome": a.outcome, "answer": a.answer,
            "decision_basis": a.decision_basis, "decided_by": a.decided_by, "decided_on": a.decided_on,
            "effect": a.effect, "basis": BASIS}
