"""Violation findings (违规认定) and responsibility determination (责任认定).

A clerk enters the decision against an institution and the responsible practitioners with their
level (主要/重要/一般, 济医保发〔2025〕6号 四(五)); a reviewer other than the clerk confirms. Only
confirmation writes credit records — so only confirmed findings produce points and measures —
and it notifies the points to every institution where each person is registered (四(六)).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models.db.tables import CreditRecord, Registration
from models.db.tables_casework import Finding, FindingWithdrawal, PointsNotification, ResponsiblePerson
from models.services import catalogue as cat, points_notices, records, standing
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.services.cases import by_uuid, four_eyes
from models.services.county import current_county
from models.services.subjects import find_subject
from models.services.users import display_names
from models.validation import ValidationError, amount, clean, max_length, one_of, past_date, required

# The institution's own record for each decision type; a criminal case has no such catalogue kind.
INSTITUTION_KINDS = {"行政处罚": "inst_admin_penalty", "协议处理": "inst_agreement_handling", "刑事": None}


@dataclass(frozen=True)
class PersonInfo:
    uuid: str
    practitioner: str
    name: str
    responsibility: str
    kind: str
    record: str | None


@dataclass(frozen=True)
class FindingInfo:
    uuid: str
    case_no: str
    institution: str
    decision_type: str
    decision_date: date
    state: str
    entered_by: str
    confirmed_by: str | None
    persons: tuple[PersonInfo, ...]


def info(f: Finding) -> FindingInfo:
    persons = tuple(PersonInfo(p.uuid, p.practitioner.uuid, p.practitioner.name, p.responsibility, p.kind,
                               p.record.uuid if p.record else None) for p in f.persons)
    return FindingInfo(f.uuid, f.case_no, f.institution.name, f.decision_type, f.decision_date, f.state, f.entered_by,
                       f.confirmed_by, persons)


def _institution_kind(profile: str, data: dict, decision_type: str) -> str | None:
    code = clean(data.get("institution_kind")) or INSTITUTION_KINDS[decision_type]
    if code is None:
        return None
    spec = cat.kind_spec(profile, code)
    if spec.subject_type != "institution" or spec.good:
        raise ValidationError("机构信息类别", f"“{spec.name}”不是定点医药机构的不良信息类别")
    return code


@service
def add_finding(uow: UnitOfWork, *, actor: Actor, data: dict) -> Result:
    """Fields: institution, case_no, decision_type, decision_date, amount (基金损失), article, source, note,
    institution_kind (optional; default by decision type)."""
    require(actor, "finding.write")
    if not isinstance(data, dict):
        raise ValidationError("输入", "应为一个 JSON 对象")
    county = current_county(uow)
    institution = find_subject(uow, data.get("institution"), type="institution", field="定点医药机构")
    decision_type = one_of(data.get("decision_type"), records.DECISION_TYPES, "决定类型")
    values = _decision(uow, data)
    case_no = values["case_no"]
    finding = Finding(
        institution=institution, decision_type=decision_type, **values,
        source=records._source(data.get("source") or "supervision"),
        note=max_length(clean(data.get("note")), 2000, "备注"),
        institution_kind=_institution_kind(county.profile, data, decision_type), entered_by=actor.username)
    uow.session.add(finding)
    uow.session.flush()
    uow.audit(actor, "finding.add", "finding", finding.uuid, after={
        "institution": institution.uuid, "case_no": case_no, "decision_type": decision_type,
        "decision_date": finding.decision_date, "amount": finding.amount, "article": finding.article,
        "source": finding.source, "institution_kind": finding.institution_kind})
    return Result(info(finding), Changes(subjects=frozenset({institution.uuid})))


def _decision(uow: UnitOfWork, data: dict, current: Finding | None = None) -> dict:
    """The decision's fields a clerk types, checked; a case number names one finding only."""
    case_no = max_length(required(data.get("case_no"), "案件编号"), 60, "案件编号")
    clash = uow.session.scalar(select(Finding.id).where(Finding.case_no == case_no))
    if clash is not None and (current is None or clash != current.id):
        raise ValidationError("案件编号", f"“{case_no}”已登记过违规认定，不能重复登记")
    return {"case_no": case_no, "decision_date": past_date(data.get("decision_date"), "决定日期"),
            "amount": amount(data["amount"], "基金损失金额") if clean(data.get("amount")) else None,
            "article": max_length(required(data.get("article"), "违反条款"), 500, "违反条款")}


EDITABLE = ("case_no", "decision_date", "amount", "article")


def _name(uow: UnitOfWork, username: str) -> str:
    """The colleague a refusal names: by the name people know, not the login name."""
    return display_names(uow, [username]).get(username, username)


def _pending_of_author(uow: UnitOfWork, f: Finding, actor: Actor, verb: str) -> None:
    if f.state != "待确认":
        raise ServiceError(f"违规认定 {f.case_no} 已于{f.confirmed_on}确认，不能{verb}；如有错误，请通过异议或更正办理")
    _not_withdrawn(uow, f)
    if f.entered_by != actor.username:
        raise ServiceError(f"违规认定 {f.case_no} 由“{_name(uow, f.entered_by)}”录入，只能由录入人{verb}")


@service
def amend_finding(uow: UnitOfWork, *, actor: Actor, finding: str, changes: dict, reason: str) -> Result:
    """修改: the clerk who entered a finding corrects its decision before confirmation, saying why.

    Only the fields in EDITABLE; the audit log keeps the values before and after with the reason.
    """
    require(actor, "finding.write")
    f = by_uuid(uow, Finding, finding, "违规认定")
    _pending_of_author(uow, f, actor, "修改")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError("输入", f"不能修改：{'、'.join(sorted(unknown))}")
    why = max_length(required(reason, "修改原因"), 500, "修改原因")
    before = {k: getattr(f, k) for k in EDITABLE}
    after = _decision(uow, {**before, **changes}, current=f)
    for key, value in after.items():
        setattr(f, key, value)
    uow.session.flush()
    uow.audit(actor, "finding.amend", "finding", f.uuid, before=before, after=after, reason=why)
    return Result(info(f), Changes(subjects=frozenset({f.institution.uuid})))


def _record_input(f: Finding, kind: str, responsibility: str | None, note: str) -> dict:
    """The documented record fields, so the records service validates a finding's records as any other."""
    return {"kind": kind, "decision_date": f.decision_date, "responsibility": responsibility or "", "case_no": f.case_no,
            "source": f.source, "decision_type": f.decision_type, "institution": f.institution.credit_code,
            "note": note or f"违规认定：{f.article}"}


@service
def add_person(uow: UnitOfWork, *, actor: Actor, finding: str, person: str, responsibility: str, kind: str,
               note: str = "") -> Result:
    """责任认定: a practitioner registered at the institution, with level and catalogue kind (points band)."""
    require(actor, "finding.write")
    f = by_uuid(uow, Finding, finding, "违规认定")
    if f.state != "待确认":
        raise ServiceError(f"违规认定 {f.case_no} 已确认，不能再增加责任人员；如需调整请通过异议复核或更正办理")
    who = find_subject(uow, person, type="practitioner", field="责任人员")
    if not uow.session.scalar(select(Registration.id).where(Registration.practitioner_id == who.id,
                                                             Registration.institution_id == f.institution_id)):
        raise ValidationError("责任人员", f"{who.name} 未在“{f.institution.name}”登记备案，不能认定为该机构违规的责任人员")
    if any(p.practitioner_id == who.id for p in f.persons):
        raise ValidationError("责任人员", f"{who.name} 已在本案认定过责任")
    fields, spec = records._fields(uow, _record_input(f, kind, responsibility, note), "practitioner")
    if spec.good:
        raise ValidationError("信息类别", f"“{spec.name}”是守信信息，不能作为违规责任")
    if fields["responsibility"] is None:
        raise ValidationError("责任程度", "必填：主要、重要或一般")
    p = ResponsiblePerson(finding=f, practitioner=who, responsibility=fields["responsibility"], kind=spec.code,
                          note=fields["note"], entered_by=actor.username)
    uow.session.add(p)
    uow.session.flush()
    uow.audit(actor, "finding.person", "finding", f.uuid, after={
        "person": p.uuid, "practitioner": who.uuid, "responsibility": p.responsibility, "kind": p.kind,
        "band": spec.band})
    return Result(info(f), Changes(subjects=frozenset({who.uuid})))


@service
def enter_finding(uow: UnitOfWork, *, actor: Actor, data: dict, persons: list[dict]) -> Result:
    """The clerk's one act: the decision and its responsible persons, all saved or none.

    Composes ``findings.add_finding`` and ``findings.add_person`` in one unit of work, so a person
    the service refuses (not registered at the institution, a good-conduct kind) leaves no finding
    without its persons behind.
    """
    result = add_finding.in_uow(uow, actor=actor, data=data)
    changes = result.changes
    for p in persons:
        try:
            result = add_person.in_uow(uow, actor=actor, finding=result.value.uuid, person=p["person"],
                                                responsibility=p["responsibility"], kind=p["kind"])
        except ValidationError as exc:
            raise ValidationError(exc.field, f"{p['name']}：{exc.problem}") from None
        changes |= result.changes
    return Result(result.value, changes)


def _write_record(uow: UnitOfWork, actor: Actor, f: Finding, subject, kind: str, responsibility: str | None,
                  note: str, entered_by: str) -> CreditRecord:
    fields, _spec = records._fields(uow, _record_input(f, kind, responsibility, note), subject.type)
    rec = CreditRecord(subject=subject, institution=f.institution if subject.type == "practitioner" else None,
                       entered_by=entered_by, **fields)
    uow.session.add(rec)
    uow.session.flush()
    uow.audit(actor, "record.add", "credit_record", rec.uuid, after={**fields, "subject": subject.uuid,
                                                                     "finding": f.uuid, "entered_by": entered_by})
    return rec


@service
def confirm_finding(uow: UnitOfWork, *, actor: Actor, finding: str) -> Result:
    """The reviewer's confirmation (four-eyes): records, points, measures and notifications follow from it."""
    require(actor, "finding.confirm")
    f = by_uuid(uow, Finding, finding, "违规认定")
    if f.state != "待确认":
        raise ServiceError(f"违规认定 {f.case_no} 已于{f.confirmed_on}由“{_name(uow, f.confirmed_by)}”确认，不能重复确认")
    _not_withdrawn(uow, f)
    for who in {f.entered_by, *(p.entered_by for p in f.persons)}:
        four_eyes(actor, who, "违规认定", "审核确认")
    if not f.persons and not f.institution_kind:
        raise ValidationError("责任人员", "尚未认定任何责任人员，无可确认的信用信息")
    today = date.today()
    inst_rec = None
    if f.institution_kind:
        inst_rec = _write_record(uow, actor, f, f.institution, f.institution_kind, None, f.note, f.entered_by)
    for p in f.persons:
        p.record = _write_record(uow, actor, f, p.practitioner, p.kind, p.responsibility, p.note, p.entered_by)
    before = {"state": f.state}
    f.state, f.confirmed_by, f.confirmed_on, f.institution_record_id = "已确认", actor.username, today, \
        inst_rec.id if inst_rec else None
    uow.session.flush()
    standing.settle(uow)  # points and measures in the files first: the notifications state them
    for p in f.persons:
        regs = uow.session.scalars(select(Registration).where(Registration.practitioner_id == p.practitioner_id))
        points_notices.notify(uow, actor, p.record, [r.institution for r in regs], today)
    uow.audit(actor, "finding.confirm", "finding", f.uuid, before=before, after={
        "state": f.state, "records": [p.record.uuid for p in f.persons] + ([inst_rec.uuid] if inst_rec else [])})
    touched = {f.institution.uuid, *(p.practitioner.uuid for p in f.persons)}
    return Result(info(f), Changes(subjects=frozenset(touched), lists=True))


def _not_withdrawn(uow: UnitOfWork, f: Finding) -> None:
    if f.withdrawal is not None:
        w = f.withdrawal
        raise ServiceError(f"违规认定 {f.case_no} 已于{w.withdrawn_on}由“{_name(uow, w.withdrawn_by)}”撤回（{w.reason}），"
                           "不能再办理")


@service
def withdraw_finding(uow: UnitOfWork, *, actor: Actor, finding: str, reason: str) -> Result:
    """撤回: the clerk who entered a finding takes it back before confirmation, saying why.

    Nothing of legal weight exists yet (no record, no points); the finding stays in the file,
    marked withdrawn, and the audit log keeps who, when and why.
    """
    require(actor, "finding.write")
    f = by_uuid(uow, Finding, finding, "违规认定")
    _pending_of_author(uow, f, actor, "撤回")
    why = max_length(required(reason, "撤回原因"), 500, "撤回原因")
    w = FindingWithdrawal(finding=f, reason=why, withdrawn_by=actor.username, withdrawn_on=date.today())
    uow.session.add(w)
    uow.session.flush()
    uow.audit(actor, "finding.withdraw", "finding", f.uuid, before={"state": f.state},
              after={"state": "已撤回", "reason": why})
    return Result(info(f), Changes())


@query
def confirmation_preview(uow: UnitOfWork, *, actor: Actor, finding: str) -> list[str]:
    """What 审核确认 will do, one sentence per person, for the confirmation prompt.

    The confirmation's records are written in this read-only unit of work (never committed) and each
    person's standing is read through ``standing.of``: the points and measures are the engine's, not
    a second derivation.
    """
    require(actor, "finding.confirm")
    f = by_uuid(uow, Finding, finding, "违规认定")
    _not_withdrawn(uow, f)
    written = [(p, _write_record(uow, actor, f, p.practitioner, p.kind, p.responsibility, p.note, p.entered_by))
               for p in f.persons]
    standing.settle(uow)  # the standings with these records, as confirming would leave them
    lines = []
    for p, rec in written:
        result = standing.of(uow, p.practitioner, min(date.today(), date(rec.decision_date.year, 12, 31)))
        points = next((e.get("points") for e in result["points"]["entries"] if e.get("record") == rec.uuid), None)
        measures = [m["name"] + (f"（须在{m['allowed_range']['text']}内确定期限）" if m.get("allowed_range") else "")
                    for m in result.get("measures", ()) if m.get("record") == rec.uuid]
        line = f"{p.practitioner.name}：记{points if points is not None else '（无记分规则）'}分，" \
               f"本年度累计{result['points']['total']}分"
        lines.append(line + (f"；将触发{'、'.join(measures)}" if measures else "；不触发处理措施"))
    if f.institution_kind:
        lines.append(f"{f.institution.name}：登记机构违规信息")
    return lines


@query
def show_finding(uow: UnitOfWork, *, finding: str) -> dict:
    f = by_uuid(uow, Finding, finding, "违规认定")
    notes = uow.session.scalars(select(PointsNotification).where(
        PointsNotification.record_id.in_([p.record_id for p in f.persons if p.record_id])).order_by(PointsNotification.id))
    by_record = {p.record_id: p.practitioner.name for p in f.persons}
    return info(f).__dict__ | {
        "amount": f.amount, "article": f.article, "institution_kind": f.institution_kind,
        "persons": [p.__dict__ for p in info(f).persons],
        "notifications": [{"practitioner": by_record[n.record_id], "institution": n.institution.name,
                           "points": n.points, "year_total": n.year_total} for n in notes]}
