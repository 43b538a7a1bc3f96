"""Credit repair (信用修复) and the repair decisions of 济医保发〔2025〕6号 四(七).

Application (附件3, with materials and commitment) → eligibility (磐医保〔2021〕43号 第二十四条 via
``policy.repair_eligibility``) → decision within the period of the pack in force (磐 第二十四条:
10 working days; 鲁医保发〔2024〕25号 第十一条: 15), extendable once → granted: public notice
(磐 第二十四条: 5 working days) → repaired when ``tick`` passes the notice's last day; refused:
notice draft 附件4. Where the pack in force has no public-notice rule (鲁 第十一条) a grant takes
effect on the decision day. A repaired record stays in the file and stops counting from
``repaired_on`` (``RecordFact.repaired_on``).

The extension: ``policy.procedure_deadline(...).latest`` — the engine reads 磐 第二十四条 literally
(“延长最多不超过30个工作日”: 10 + 30 working days; docs/policy-packs.md 差异4). A bureau that reads
it as 30 in total sets ``extend_by_max`` to 20 in the pack; nothing here hard-codes either.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from models import policy
from models.db.tables import CreditRecord
from models.db.tables_casework import MeasureRow, Rectification, Repair
from models.services import evaluation, measures, standing
from models.services.workdays import calendar_from_db
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, require, service
from models.services.cases import add_notice, by_uuid, deadline, four_eyes, on_date, store_files
from models.validation import ValidationError, max_length, required

OPEN = ("已受理", "公示中")
REPAIR_BASIS = "济医保发〔2025〕6号 四（七）"
NO_RULE = "受理之日没有有效的信用修复处理期限规定（须加载后续政策包）"


@dataclass(frozen=True)
class RepairInfo:
    uuid: str
    kind: str
    record: str
    state: str
    eligible: bool
    reasons: tuple[str, ...]
    decision_deadline: date | None
    extended_to: date | None
    provisional: bool
    notice_end: date | None
    repaired_on: date | None
    basis: str


def info(r: Repair) -> RepairInfo:
    return RepairInfo(r.uuid, r.kind, r.record.uuid, r.state, r.eligible, tuple(json.loads(r.reasons)),
                      r.decision_deadline, r.extended_to, r.provisional, r.notice_end, r.repaired_on, r.basis)


def summary(r: Repair) -> dict:
    return {"state": r.state, "eligible": r.eligible, "decision_deadline": r.decision_deadline,
            "extended_to": r.extended_to, "notice_end": r.notice_end, "repaired_on": r.repaired_on,
            "points_reduction": r.points_reduction, "decided_by": r.decided_by, "decided_on": r.decided_on}


def _bad_record(uow: UnitOfWork, uuid: str) -> CreditRecord:
    rec = by_uuid(uow, CreditRecord, uuid, "信用信息")
    if rec.good:
        raise ValidationError("信用信息", "守信信息无需修复")
    if uow.session.scalar(select(CreditRecord.id).where(CreditRecord.supersedes_id == rec.id)):
        raise ServiceError("该记录已被更正，请对最新的更正记录申请修复")
    return rec


def _eligibility(uow: UnitOfWork, rec: CreditRecord, applied_on: date) -> policy.RepairEligibility:
    rows = evaluation._live_records(uow, [rec.subject_id])[rec.subject_id]
    return policy.repair_eligibility(evaluation.profile_for(uow), evaluation.record_fact(rec), applied_on,
                                     [evaluation.record_fact(r) for r in rows])


def _done(rec: CreditRecord) -> Changes:
    return Changes(subjects=frozenset({rec.subject.uuid}), lists=True)


@service
def apply(uow: UnitOfWork, *, actor: Actor, record: str, applied_on: date | str | None, materials: str,
          commitment: str, files: list[tuple[str, bytes]] = ()) -> Result:
    """Accept an application (附件3); the eligibility and its reasons are stored and shown at once."""
    require(actor, "repair.write")
    rec = _bad_record(uow, record)
    if any(r.state in OPEN and r.kind == "credit" for r in rec.repairs):
        raise ServiceError("该记录已有正在办理的信用修复申请")
    if any(r.state == "已修复" and r.repaired_on for r in rec.repairs):
        raise ServiceError("该记录已经修复")
    day = on_date(applied_on, "申请日期")
    if day < rec.decision_date:
        raise ValidationError("申请日期", "早于被认定为失信行为之日")
    ok = _eligibility(uow, rec, day)
    due = deadline(uow, "repair_decision", rec.subject.type, day)
    repair = Repair(subject_id=rec.subject_id, record=rec, kind="credit", applied_on=day, entered_by=actor.username,
                    materials=max_length(required(materials, "申请材料"), 2000, "申请材料"),
                    commitment=max_length(required(commitment, "信用修复承诺"), 2000, "信用修复承诺"),
                    eligible=ok.eligible, reasons=json.dumps(list(ok.reasons), ensure_ascii=False),
                    decision_deadline=due.deadline if due else None, latest_deadline=due.latest if due else None,
                    provisional=bool(due and due.provisional),
                    basis="；".join(dict.fromkeys([*(ok.basis or ()), *([due.basis] if due else [NO_RULE])])))
    uow.session.add(repair)
    uow.session.flush()
    digests = store_files(uow, repair.uuid, list(files))
    uow.audit(actor, "repair.apply", "repair", repair.uuid, after={**summary(repair), "record": rec.uuid,
                                                                      "reasons": list(ok.reasons), "attachments": digests})
    return Result(info(repair), Changes(subjects=frozenset({rec.subject.uuid})))


@service
def extend(uow: UnitOfWork, *, actor: Actor, repair: str, reason: str) -> Result:
    """情况复杂的可以延长 — once, to the latest date the pack allows (see the module docstring)."""
    require(actor, "repair.decide")
    r = by_uuid(uow, Repair, repair, "信用修复申请")
    if r.state != "已受理":
        raise ServiceError(f"该申请状态为“{r.state}”，不能延长处理期限")
    if r.extended_to is not None:
        raise ServiceError(f"处理期限已延长过一次（至{r.extended_to.isoformat()}），不能再次延长")
    if r.latest_deadline is None:
        raise ServiceError(f"适用的规定未允许延长信用修复处理期限（依据：{r.basis or '无'}）")
    before = summary(r)
    r.extended_to, r.extension_reason = r.latest_deadline, max_length(required(reason, "延长理由"), 2000, "延长理由")
    r.provisional = calendar_from_db(uow).provisional_between(r.decision_deadline or r.latest_deadline, r.extended_to)
    uow.audit(actor, "repair.extend", "repair", r.uuid, before=before, after=summary(r), reason=r.extension_reason)
    return Result(info(r), Changes(subjects=frozenset({r.subject.uuid})))


def _confirmed(uow: UnitOfWork, actor: Actor, r: Repair, on: date) -> None:
    before = summary(r)
    r.state, r.repaired_on = "已修复", on
    add_notice(uow, actor, "repair_confirmed", r.subject, r.uuid, {
        "subject": r.subject.name, "record": r.record.uuid, "case_no": r.record.case_no, "repaired_on": on,
        "basis": r.basis, "form": "附件5 信用修复确认通知书"})
    uow.audit(actor, "repair.repaired", "repair", r.uuid, before=before, after=summary(r))


@service
def decide(uow: UnitOfWork, *, actor: Actor, repair: str, grant: bool, reason: str, on: date | str | None = None
           ) -> Result:
    """Grant (→ public notice, or repaired where no notice is required) or refuse (→ 附件4 draft)."""
    require(actor, "repair.decide")
    r = by_uuid(uow, Repair, repair, "信用修复申请")
    four_eyes(actor, r.entered_by, "信用修复申请", "作出修复决定")
    if r.state != "已受理":
        raise ServiceError(f"该申请状态为“{r.state}”，已作出过决定")
    reason = max_length(required(reason, "决定理由"), 2000, "决定理由")
    day = on_date(on, "决定日期")
    if day < r.applied_on:
        raise ValidationError("决定日期", "早于受理申请的日期")
    reasons = json.loads(r.reasons)
    if grant and not r.eligible:
        raise ServiceError("不符合信用修复条件，不能予以修复：" + "；".join(reasons))
    if grant:  # 磐 第二十四条: the conditions hold on the day of the decision, not only on the day of application
        now = _eligibility(uow, r.record, day)
        if not now.eligible:
            raise ServiceError("受理后情况发生变化，不符合信用修复条件，不能予以修复：" + "；".join(now.reasons))
    before = summary(r)
    r.decided_by, r.decided_on, r.decision_reason = actor.username, day, reason
    if not grant:
        r.state = "不予修复"
        objection = deadline(uow, "repair_refusal_objection", r.subject.type, day)
        add_notice(uow, actor, "repair_refused", r.subject, r.uuid, {
            "subject": r.subject.name, "record": r.record.uuid, "case_no": r.record.case_no, "applied_on": r.applied_on,
            "reasons": reasons + [reason], "basis": r.basis, "form": "附件4 不予信用修复告知书",
            "objection_deadline": objection.deadline if objection else None,
            "objection_basis": objection.basis if objection else None})
        uow.audit(actor, "repair.refuse", "repair", r.uuid, before=before, after=summary(r), reason=reason)
        return Result(info(r), Changes(subjects=frozenset({r.subject.uuid})))
    notice = deadline(uow, "repair_public_notice", r.subject.type, day)
    uow.audit(actor, "repair.grant", "repair", r.uuid, before=before, reason=reason,
              after={**summary(r), "public_notice": notice.deadline if notice else None})
    if notice is None:
        _confirmed(uow, actor, r, day)
        return Result(info(r), _done(r.record))
    before = summary(r)
    r.state, r.notice_end = "公示中", notice.deadline
    r.basis = "；".join(dict.fromkeys([*r.basis.split("；"), notice.basis])) if r.basis else notice.basis
    uow.audit(actor, "repair.notice", "repair", r.uuid, before=before, after=summary(r))
    return Result(info(r), Changes(subjects=frozenset({r.subject.uuid})))


def finish_due(uow: UnitOfWork, actor: Actor, today: date, stats: Counter) -> set[int]:
    """Public notices whose last day has passed without objection: the record is repaired the next day."""
    due = list(uow.session.scalars(select(Repair).where(Repair.state == "公示中", Repair.notice_end < today)))
    for r in due:
        _confirmed(uow, actor, r, r.notice_end + timedelta(days=1))
        stats["repairs_finished"] += 1
    uow.session.flush()
    return {r.subject_id for r in due}


def _decision(uow: UnitOfWork, actor: Actor, rec: CreditRecord, kind: str, reason: str, on: date, basis: str,
              **values) -> Repair:
    r = Repair(subject_id=rec.subject_id, record=rec, kind=kind, applied_on=on, entered_by=actor.username,
               state="已修复", decided_by=actor.username, decided_on=on, decision_reason=reason, basis=basis, **values)
    uow.session.add(r)
    uow.session.flush()
    uow.audit(actor, f"repair.{kind}", "repair", r.uuid, after={**summary(r), "record": rec.uuid,
                                                                "measure": r.measure.uuid if r.measure else None},
              reason=reason)
    return r


def points_left(uow: UnitOfWork, rec: CreditRecord) -> int:
    """The points the record still counts in its year (after earlier reductions), from the standing."""
    year_end = min(date.today(), date(rec.decision_date.year, 12, 31))
    entries = standing.of(uow, rec.subject, year_end)["points"]["entries"]
    return next((e["points"] for e in entries if e["record"] == rec.uuid), 0) or 0


@service
def reduce_points(uow: UnitOfWork, *, actor: Actor, record: str, points: int, reason: str,
                  on: date | str | None = None, basis: str = REPAIR_BASIS) -> Result:
    """减免记分 (济医保发〔2025〕6号 四(七)): a decision with its reason, by someone other than the record's clerk.
    ``basis`` names another ground taking effect the same way (an appeal changed or revoked the points, 四(八))."""
    require(actor, "repair.decide")
    rec = _bad_record(uow, record)
    four_eyes(actor, rec.entered_by, "记分记录", "减免记分")
    reason = max_length(required(reason, "减免理由"), 2000, "减免理由")
    left = points_left(uow, rec)
    if not left:
        raise ValidationError("减免分值", "该记录没有可减免的记分")
    if not 0 < points <= left:
        raise ValidationError("减免分值", f"应为1至{left}分（该记录现记{left}分）")
    r = _decision(uow, actor, rec, "points", reason, on_date(on, "决定日期"), basis, points_reduction=points)
    return Result(info(r), _done(rec))


@service
def shorten_measure(uow: UnitOfWork, *, actor: Actor, measure: str, months: int, reason: str,
                    on: date | str | None = None, basis: str = REPAIR_BASIS) -> Result:
    """缩减暂停期限 (四(七)): a new, shorter choice of months for the same start. When its last day has
    passed the measure ends as 修复提前结束 and the registration is restored (lifecycle.sync).

    The engine knows a measure's length only in whole months inside the allowed range, so shortening
    below the range's minimum, and shortening a termination (which has no end), are refused."""
    require(actor, "measure.lift")
    row = by_uuid(uow, MeasureRow, measure, "措施")
    if row.state != "生效":
        raise ServiceError(f"该措施状态为“{row.state}”，不能缩减")
    four_eyes(actor, row.decided_by, "措施", "缩减期限或提前结束")
    if row.record is not None:
        four_eyes(actor, row.record.entered_by, "措施所依据的记录", "缩减期限或提前结束")
    if row.months is None or row.record is None:
        raise ServiceError(f"“{row.name}”没有按月确定的期限，本系统尚不能缩减（政策引擎仅支持按月选择的期限）")
    if months >= row.months:
        raise ValidationError("缩减后期限", f"应少于原定的{row.months}个月")
    reason = max_length(required(reason, "缩减理由"), 2000, "缩减理由")
    day = on_date(on, "决定日期")
    r = _decision(uow, actor, row.record, "shorten", reason, day, basis, measure=row)
    why = "信用修复缩减期限" if basis == REPAIR_BASIS else "申诉变更期限"
    measures.choose_measure.in_uow(uow, actor=actor, record=row.record.uuid, months=months, start=row.start,
                                   reason=f"{why}（原{row.months}个月）：{reason}")
    return Result(info(r), Changes(subjects=frozenset({row.subject.uuid}), lists=True))


@service
def rectify(uow: UnitOfWork, *, actor: Actor, record: str, corrected_on: date | str, commitment: str) -> Result:
    """纠正失信行为、消除不良影响并作出修复承诺 (鲁医保发〔2024〕25号 第十二条), dated; ``tick`` restores the
    credit automatically when the measure ends if this date lies within its period."""
    require(actor, "repair.write")
    rec = _bad_record(uow, record)
    row = Rectification(record=rec, corrected_on=on_date(corrected_on, "纠正日期"), entered_by=actor.username,
                        commitment=max_length(required(commitment, "修复承诺"), 2000, "修复承诺"))
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "record.rectify", "credit_record", rec.uuid,
              after={"corrected_on": row.corrected_on, "commitment": row.commitment})
    return Result(row.uuid, Changes(subjects=frozenset({rec.subject.uuid})))
