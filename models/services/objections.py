"""Objections (异议) against a record or an evaluation result.

Filing period and review period come from the pack in force on the day the notice was delivered
(磐医保〔2021〕43号 第十六条: 10 + 10 working days; 鲁医保发〔2024〕25号 第十条: 15 + 15), through
``policy.procedure_deadline``. The notice itself (信用结果告知书) belongs to the notices work; until
it exists the clerk enters its delivery date with the objection. A late objection is refused with
the deadline; a decision by someone other than the clerk either upholds the result or changes it
through a correcting record (records.correct_record), and its written answer (附件2) is kept as a
notice draft.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

import json
import zlib
from decimal import Decimal, InvalidOperation

from models.db.tables import CreditRecord, EvaluationSnapshot, StandingResult, SubjectStanding
from models.db.tables_casework import Notice, Objection
from models.db.tables_institutions import IndicatorAdjustment
from models.db.tables_notices import NoticeIssue
from models.services import notices, records, standing
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, require, service
from models.services.cases import add_notice, by_uuid, deadline, four_eyes, on_date, store_files
from models.services.subjects import find_subject
from models.services.workdays import calendar_from_db
from models.validation import ValidationError, clean, max_length, one_of, required


# Said wherever a period would be shown, so nobody mistakes "no check" for "in time" (DOMAIN §3.3).
NO_RULE = "送达之日没有有效的异议期限规定（须加载后续政策包），未检查提出期限，也未计算复核期限"


@dataclass(frozen=True)
class ObjectionInfo:
    uuid: str
    subject: str
    target: str
    record: str | None
    delivered_on: date
    received_on: date
    filing_deadline: date | None
    review_deadline: date | None
    provisional: bool
    basis: str
    state: str
    outcome: str | None
    correction: str | None


def info(o: Objection, correction: str | None = None) -> ObjectionInfo:
    return ObjectionInfo(o.uuid, o.subject.uuid, o.target, o.record.uuid if o.record else None, o.delivered_on,
                         o.received_on, o.filing_deadline, o.review_deadline, o.provisional, o.basis, o.state,
                         o.outcome, correction)


def _lines(uow: UnitOfWork, evaluation_id: int | None) -> tuple[EvaluationSnapshot | None, dict | None]:
    """The evaluation objected to and its indicator tree with its lines (id, version, lines)."""
    snap = uow.session.get(EvaluationSnapshot, evaluation_id) if evaluation_id else None
    if snap is None:
        return None, None
    body = uow.session.get(StandingResult, snap.result_hash)
    return snap, json.loads(zlib.decompress(body.body)).get("indicators") if body else None


def _line(tree: dict | None, code: str) -> dict:
    """One line of the evaluation, refused when the tree has no such line or says it may not be objected to."""
    if not tree:
        raise ValidationError("评价指标", "该评价结果没有按指标体系计分，不能针对单项指标提出异议")
    line = next((x for x in tree["lines"] if x["code"] == code), None)
    if line is None:
        raise ValidationError("评价指标", f"评价结果所用指标体系（{tree['id']} 第{tree['version']}版）中没有指标“{code}”")
    if not line["objectionable"]:
        raise ValidationError("评价指标", f"指标{code}“{line['name']}”按指标体系规定不受理异议"
                                         "（其依据的处理决定另有复议、诉讼途径）")
    return line


def _target(uow: UnitOfWork, subject, record: str | None) -> tuple[str, CreditRecord | None, int | None]:
    if clean(record):
        rec = by_uuid(uow, CreditRecord, record, "信用信息")
        if rec.subject_id != subject.id:
            raise ValidationError("异议对象", "该记录不属于提出异议的信用主体")
        return "record", rec, None
    standing.of(uow, subject)  # the result objected to is the one in force today
    return "evaluation", None, uow.session.get(SubjectStanding, subject.id).evaluation_id


def _published_on(uow: UnitOfWork, s) -> date | None:
    """The 成文日期 of the newest issued 信用结果告知书 of the subject: the day its result was published."""
    return uow.session.scalar(select(NoticeIssue.issued_on).join(Notice, Notice.id == NoticeIssue.notice_id).where(
        Notice.subject_id == s.id, Notice.type == "credit_result", Notice.state == "issued")
        .order_by(NoticeIssue.issued_on.desc()).limit(1))


@service
def file(uow: UnitOfWork, *, actor: Actor, subject: str, record: str | None, delivered_on: date | str | None,
         received_on: date | str, reason: str, files: list[tuple[str, bytes]] = (), indicator: str | None = None
         ) -> Result:
    """Register an objection; refused when received after the filing period (the deadline is named).

    ``indicator`` (a third-level indicator code) targets that single line of the evaluation in force; the tree
    says which lines may be objected to (``objectionable``).
    Without ``delivered_on`` the delivery recorded for the subject's newest issued 信用结果告知书 is used,
    since the filing period runs from delivery (鲁医保发〔2024〕25号 第十条).
    """
    require(actor, "objection.write")
    s = find_subject(uow, subject)
    target, rec, evaluation_id = _target(uow, s, record)
    code = clean(indicator) or None
    if code:
        if rec is not None:
            raise ValidationError("异议对象", "针对单项指标的异议不能同时指定信用信息")
        _line(_lines(uow, evaluation_id)[1], code)
    received = on_date(received_on, "收到异议日期")
    # 鲁 第十条 counts from receipt of the 信用结果告知书, 磐 第十六条 from publication of the result.
    rule = deadline(uow, "objection_filing", s.type, received)
    published = rule is not None and rule.starts_from == "publication"
    field, event = ("评价结果发布日期", "发布") if published else ("告知书送达日期", "送达")
    if not delivered_on:
        delivered_on = _published_on(uow, s) if published else notices.delivered_on.in_uow(uow, subject=s.uuid)
        if delivered_on is None:
            raise ValidationError(field, f"没有该主体信用结果告知书的{event}记录，请填写{field}")
    delivered = on_date(delivered_on, field)
    if received < delivered:
        raise ValidationError("收到异议日期", f"早于{field}")
    filing = deadline(uow, "objection_filing", s.type, delivered)
    if filing is not None and received > filing.deadline:
        late = calendar_from_db(uow).workdays_between(filing.deadline, received)
        what = "评价结果" if published else "信用结果告知书"
        raise ServiceError(
            f"异议申请已超过期限，不予受理：{what}于{delivered.isoformat()}{event}，应在{filing.working_days}个工作日内"
            f"（{filing.shown()}前）提出，{received.isoformat()}收到，逾期{late}个工作日（依据{filing.basis}）")
    review = deadline(uow, "objection_review", s.type, received)
    o = Objection(subject=s, target=target, record=rec, evaluation_id=evaluation_id, delivered_on=delivered,
                  received_on=received, reason=max_length(required(reason, "异议理由"), 2000, "异议理由"),
                  entered_by=actor.username, filing_deadline=filing.deadline if filing else None,
                  review_deadline=review.deadline if review else None,
                  provisional=bool((filing and filing.provisional) or (review and review.provisional)),
                  basis="；".join(dict.fromkeys(d.basis for d in (filing, review) if d)) or NO_RULE,
                  indicator_code=code)
    uow.session.add(o)
    uow.session.flush()
    digests = store_files(uow, o.uuid, list(files))
    uow.audit(actor, "objection.file", "objection", o.uuid, after={
        "subject": s.uuid, "target": target, "record": rec.uuid if rec else None, "indicator": code,
        "delivered_on": delivered,
        "received_on": received, "filing_deadline": o.filing_deadline, "review_deadline": o.review_deadline,
        "reason": o.reason, "attachments": digests})
    return Result(info(o), Changes(subjects=frozenset({s.uuid})))


@service
def decide(uow: UnitOfWork, *, actor: Actor, objection: str, outcome: str, answer: str, changes: dict | None = None,
           record: str | None = None, on: date | str | None = None, line_points: str | None = None) -> Result:
    """维持 (uphold) or 变更 (change: a correcting record with ``changes``, then re-evaluation and measures).

    An objection against one indicator line is changed by ``line_points`` (e.g. "+30"): that line of that tree
    version gains or loses the points from the day evaluated on, and nothing else of the evaluation moves."""
    require(actor, "objection.decide")
    o = by_uuid(uow, Objection, objection, "异议")
    four_eyes(actor, o.entered_by, "异议", "作出复核决定")
    if o.state != "待复核":
        raise ServiceError(f"该异议已于{o.decided_on}办结（{o.outcome}），不能重复决定")
    outcome = one_of(outcome, ("维持", "变更"), "复核结果")
    answer = max_length(required(answer, "复核意见"), 2000, "复核意见")
    day = on_date(on, "复核日期")
    if day < o.received_on:
        raise ValidationError("复核日期", "早于收到异议的日期")
    correction = None
    if outcome == "变更" and o.indicator_code:
        _adjust_line(uow, actor, o, line_points, answer)
    elif outcome == "变更":
        target = o.record or (by_uuid(uow, CreditRecord, record, "信用信息") if clean(record) else None)
        if target is None or target.subject_id != o.subject_id:
            raise ValidationError("更正记录", "变更评价结果须指定该信用主体的一条信用信息及更正内容")
        if not changes:
            raise ValidationError("更正内容", "变更结果须写明更正的字段")
        correction = records.correct_record.in_uow(uow, actor=actor, record=target.uuid, data=changes,
                                                   reason=f"异议复核变更：{answer}").value.uuid
        o.correction_id = uow.session.scalar(select(CreditRecord.id).where(CreditRecord.uuid == correction))
    before = {"state": o.state}
    o.state, o.outcome, o.answer, o.decided_by, o.decided_on = "已办结", outcome, answer, actor.username, day
    evaluation = uow.session.get(EvaluationSnapshot, o.evaluation_id) if o.evaluation_id else None
    add_notice(uow, actor, "objection_answer", o.subject, o.uuid, {
        "form": "附件2 异议信息处理结果反馈单", "subject": o.subject.name, "received_on": o.received_on,
        "objection": o.reason, "record": o.record.uuid if o.record else None,
        "evaluation": evaluation.uuid if evaluation else None, "outcome": outcome, "answer": answer,
        "correction": correction, "indicator": o.indicator_code, "line_points": line_points if o.indicator_code else None,
        "decided_on": day, "review_deadline": o.review_deadline,
        "in_time": o.review_deadline is None or day <= o.review_deadline, "basis": o.basis})
    uow.audit(actor, "objection.decide", "objection", o.uuid, before=before, reason=answer,
              after={"state": o.state, "outcome": outcome, "decided_on": day, "correction": correction,
                     "indicator": o.indicator_code, "line_points": line_points if o.indicator_code else None})
    return Result(info(o, correction), Changes(subjects=frozenset({o.subject.uuid}), lists=outcome == "变更"))


def _adjust_line(uow: UnitOfWork, actor: Actor, o: Objection, line_points: str | None, answer: str) -> None:
    snap, tree = _lines(uow, o.evaluation_id)
    line = _line(tree, o.indicator_code)
    try:
        points = Decimal(clean(line_points).replace("＋", "+"))
    except (InvalidOperation, AttributeError):
        raise ValidationError("指标分值变更", "变更单项指标须写明增减的分值，如 +30 或 -10") from None
    if points == 0 or points != points.quantize(Decimal("0.01")):
        raise ValidationError("指标分值变更", "应为不等于0、最多两位小数的分值")
    new = Decimal(line["score"]) + points
    if not Decimal(0) <= new <= Decimal(line["weight"]):
        raise ValidationError("指标分值变更", f"指标{line['code']}现得{line['score']}分，满分{line['weight']}分，"
                                            f"变更后应在0至{line['weight']}分之间")
    row = IndicatorAdjustment(subject_id=o.subject_id, objection_id=o.id, tree_id=tree["id"],
                              tree_version=tree["version"], code=line["code"], points=points, from_day=snap.as_of,
                              decided_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "objection.line_change", "indicator_adjustment", row.uuid, reason=answer,
              before={"code": line["code"], "score": line["score"]},
              after={"code": line["code"], "score": str(new), "tree": tree["id"], "version": tree["version"],
                     "from": snap.as_of})
    standing.after_change(uow, actor, [o.subject_id])
