"""What each document says, as plain data: the subject's legal result from its standing (``standing.of``,
never computed here), the decision facts from the credit records and findings, the casework rows, the
legal basis the policy engine names and the remedy the subject has (``notice_remedy``).

Nothing gathered is machine text: a fact the law requires that cannot be found refuses the draft with a
Chinese reason for the user instead of reaching the paper.

``gather(uow, notice)`` is used for the preview, at review, at sign-off and at issue; the hash of its
result ties the issued document to what the reviewer and the signer saw.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import func, select

from models import policy
from models.db.tables import CreditRecord, Registration, Subject, User
from models.db.tables_appeals import Appeal
from models.db.tables_casework import Notice, Objection, Repair
from models.policy.packs import basis as cite
from models.policy.score import in_force
from models.queries.credit_file import credit_file
from models.services import catalogue as cat, evaluation, standing, warnings
from models.services.base import Actor, ServiceError, UnitOfWork, jsonable
from models.services.county import current_county
from models.services.notice_remedy import citation, remedy
from models.services.notice_settings import settings
from models.services.subjects import mask_id

FULL = Actor("system", "系统", frozenset({"reviewer"}))  # reads ID numbers in full for the subject's own notice
LIST_NAMES = {"red": "医疗保障守信（红）名单", "black": "医疗保障失信（黑）名单"}


def organ(county_name: str) -> str:
    return f"{county_name}医疗保障局"


def facts_hash(facts: dict) -> str:
    return hashlib.sha256(json.dumps(jsonable(facts), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _subject(s: Subject | None) -> dict:
    if s is None:
        return {}
    return {"uuid": s.uuid, "name": s.name, "type": s.type, "id_number": s.id_number, "credit_code": s.credit_code,
            "phone": s.phone, "address": s.address}


def _kind_name(uow: UnitOfWork, kind: str) -> str:
    spec = cat.kinds(current_county(uow).profile).get(kind)
    return spec.name if spec else kind


def _record(uow: UnitOfWork, rec: CreditRecord) -> dict:
    return {"uuid": rec.uuid, "case_no": rec.case_no, "decision_date": rec.decision_date,
            "decision_type": rec.decision_type, "kind": rec.kind, "kind_name": _kind_name(uow, rec.kind),
            "responsibility": rec.responsibility, "amount": rec.amount,
            "institution": rec.institution.name if rec.institution else None}


def _record_by_uuid(uow: UnitOfWork, uuid: str | None) -> CreditRecord | None:
    return uow.session.scalar(select(CreditRecord).where(CreditRecord.uuid == uuid)) if uuid else None


def _where(uow: UnitOfWork, organ_name: str) -> str:
    address = settings(uow).get("address")
    return f"{organ_name}（{address}）" if address else organ_name


def _evaluation(uow: UnitOfWork, s: Subject, day: date) -> dict:
    ev = standing.of(uow, s, day)
    for e in ev["points"]["entries"]:
        e["kind_name"] = _kind_name(uow, e["kind"])
    found = in_force(evaluation.profile_for(uow), "grades", day)
    ev["grade_basis"] = cite(*found) if found and ev.get("grade") else None
    return ev


def _latest_decision(uow: UnitOfWork, s: Subject, day: date) -> date | None:
    """The newest decision on the subject's file up to ``day``: the rules it was made under govern the result."""
    return uow.session.scalar(select(func.max(CreditRecord.decision_date))
                              .where(CreditRecord.subject_id == s.id, CreditRecord.decision_date <= day))


def _documents(uow: UnitOfWork, day: date) -> str:
    """The local (not 参照) packs in force: 《title》（document number）."""
    prof = evaluation.profile_for(uow)
    names = [f"《{e.pack.title}》" + (f"（{e.pack.document_number}）" if e.pack.document_number else "")
             for e in prof.entries if not e.reference and e.pack.covers(day)]
    return "、".join(dict.fromkeys(names)) or "有关规定"


def _institutions(uow: UnitOfWork, s: Subject) -> list[str]:
    regs = uow.session.scalars(select(Registration).where(Registration.practitioner_id == s.id).order_by(Registration.id))
    return [r.institution.name for r in regs]


def _measure(ev: dict, record: str, kind: str) -> dict:
    found = next((m for m in ev["measures"] if m["record"] == record and m["kind"] == kind), None)
    if found is None:
        raise ServiceError("该记录在当前评价结果中没有这项措施，不能起草告知书")
    if not found.get("start") or found["status"] not in ("in_effect", "ended"):
        raise ServiceError(f"“{found['name']}”尚未确定期限（{found.get('status_text', '')}），请先在法定范围内确定期限")
    chosen = found.get("chosen") or {}
    return {**found, "months": chosen.get("months"), "reason": chosen.get("reason")}


def _handler(uow: UnitOfWork, username: str | None) -> str:
    """经办人 is the person's name, never a login name."""
    user = uow.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.display_name:
        raise ServiceError("经办人：找不到经办人的姓名，请管理员在用户管理中填写该用户的姓名")
    return user.display_name


def _phone(uow: UnitOfWork) -> str:
    phone = settings(uow).get("phone")
    if not phone:
        raise ServiceError("经办人电话：尚未设置，请管理员在“告知书设置”中填写经办人电话后再起草")
    return phone


def _disclosed(start: date, end: date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    years, rest = divmod(max(months, 0), 12)
    if not years:
        return f"{rest}个月"
    return f"{years}年" + (f"{rest}个月" if rest else "")


def _points_entry(ev: dict, rec: CreditRecord) -> dict:
    entry = next((e for e in ev["points"]["entries"] if e["record"] == rec.uuid), None)
    if entry is None or entry.get("points") is None:
        raise ServiceError(f"{rec.case_no}：该决定尚未认定责任或没有记分，不能起草记分或资格告知书")
    return entry


def gather(uow: UnitOfWork, n: Notice) -> dict:
    county = current_county(uow)
    payload = json.loads(n.payload)
    s = n.subject
    base = {"organ": organ(county.name), "county": county.name, "county_code": county.code,
            "subject": _subject(s), "doc_type": n.type}
    day = date.fromisoformat(payload["as_of"]) if payload.get("as_of") else n.created_at.date()
    where = _where(uow, base["organ"])
    t = n.type
    if t == "credit_result":
        ev = _evaluation(uow, s, day)
        return base | {"evaluation": ev, "basis_documents": _documents(uow, day), "objection": remedy(
            uow, procedures=("objection_filing",), subject_type=s.type, days=(day, _latest_decision(uow, s, day)),
            about="信用评价结果", verb="异议申请", where=where)}
    if t == "credit_report":
        file = credit_file.in_uow(uow, actor=FULL, subject=s.uuid)
        # Only what the report prints: the file's audit trail and case list grow with every step on this notice.
        file = {k: file[k] for k in ("subject", "registrations", "records")}
        instruments = dict(policy.repair_instruments(evaluation.profile_for(uow)))
        return base | {"file": file, "evaluation": _evaluation(uow, s, day),
                       "basis": instruments.get("提交信用报告") or _documents(uow, day)}
    if t == "public_list":
        return base | _public_list(uow, payload["list"], day)
    if t == "credit_warning":
        return base | _warning(uow, s, payload["warning"], day)
    rec = _record_by_uuid(uow, payload.get("record"))
    if t == "points_notice":
        ev = _evaluation(uow, s, min(day, date(rec.decision_date.year, 12, 31)))
        entry = _points_entry(ev, rec)
        triggered = [m for m in ev["measures"] if m["record"] == rec.uuid and m["kind"] in PAYMENT_MEASURES]
        return base | {"record": _record(uow, rec), "points": entry["points"], "basis": entry["basis"],
                       "year": ev["points"]["year"], "year_total": ev["points"]["total"], "measures": triggered,
                       "institutions": _institutions(uow, s), "appeal": _appeal(uow, s, rec, where, "记分")}
    if t in ("pq_suspend", "pq_terminate", "settlement_suspend"):
        ev = _evaluation(uow, s, day)
        m = _measure(ev, rec.uuid, payload["kind"])
        out = base | {"record": _record(uow, rec), "measure": m, "year": ev["points"]["year"],
                      "year_total": ev["points"]["total"]}
        if t == "settlement_suspend":
            return out | {"objection": remedy(uow, procedures=("objection_filing",), subject_type=s.type,
                                              days=(rec.decision_date, day), about="处理决定", verb="异议申请",
                                              where=where)}
        entry = _points_entry(ev, rec)
        ban = next((b for b in ev["measures"] if b["record"] == rec.uuid and b["kind"] == "registration_ban"), None)
        return out | {"points": entry["points"], "points_basis": entry["basis"], "ban": ban,
                      "institutions": _institutions(uow, s), "appeal": _appeal(uow, s, rec, where, "处理决定")}
    return base | _casework(uow, n, payload, rec, where)


def _warning(uow: UnitOfWork, s: Subject, uuid: str, day: date) -> dict:
    """信用提醒: the warning as raised (its cause, level and basis) and the standing it was raised from."""
    w = warnings.by_uuid(uow, uuid)
    if w.cleared_on is not None:
        raise ServiceError(f"该预警已于{w.cleared_on.isoformat()}解除（原因已不存在），不再起草信用提醒")
    names = {r.code: r.name for r in warnings.rules_in_force(uow).rules}
    return {"warning": {"level": w.level, "name": names.get(w.rule, w.rule), "text": w.text, "basis": w.basis,
                        "raised_on": w.raised_on}, "evaluation": _evaluation(uow, s, day)}


PAYMENT_MEASURES = ("terminate_payment_qualification", "suspend_payment_qualification")


def _appeal(uow: UnitOfWork, s: Subject, rec: CreditRecord, where: str, about: str) -> dict:
    """申诉 (济医保发〔2025〕6号 四（八）): the document fixes no period, the bureau's setting does."""
    return remedy(uow, procedures=("appeal",), subject_type=s.type, days=(rec.decision_date,), about=about,
                  verb="申诉", where=where, configured_days=settings(uow).get("appeal_days"))


def _casework(uow: UnitOfWork, n: Notice, payload: dict, rec: CreditRecord | None, where: str) -> dict:
    """附件2, 4, 5 and the answer to an appeal from the drafts the casework services wrote."""
    record_text = f"{rec.case_no}所涉失信信息（{_kind_name(uow, rec.kind)}）" if rec else "信用评价结果"
    kind = n.subject.type
    decided = rec.decision_date if rec else None
    if n.type == "appeal_answer":
        a = uow.session.scalar(select(Appeal).where(Appeal.uuid == n.case_uuid))
        return {"outcome": payload["outcome"], "answer": payload["answer"], "appeal": payload["reason"],
                "matter": payload["matter"], "received_on": payload["received_on"], "decided_on": payload["decided_on"],
                "record_text": payload.get("what") or record_text, "decision_basis": payload["decision_basis"],
                "effect": payload.get("effect"), "basis": payload["basis"],
                "addressee": payload.get("appellant_name") or n.subject.name,
                "by_institution": bool(payload.get("appellant_name")),
                "handler": _handler(uow, a.decided_by if a else n.created_by)}
    if n.type == "objection_answer":
        o = uow.session.scalar(select(Objection).where(Objection.uuid == n.case_uuid))
        changed = payload["outcome"] == "变更"
        received = _day(payload.get("received_on"))
        return {"outcome_text": "变更原结果，已更正相关信用信息并重新评价" if changed else "维持原结果",
                "answer": payload["answer"], "objection": payload["objection"],
                "basis": citation(uow, payload.get("basis"), procedures=("objection_review", "objection_filing"),
                                  subject_type=kind, days=(received, decided)),
                "received_on": payload.get("received_on"), "decided_on": payload.get("decided_on"),
                "record_text": record_text, "handler": _handler(uow, o.decided_by if o else n.created_by)}
    repair = uow.session.scalar(select(Repair).where(Repair.uuid == n.case_uuid))
    if n.type == "repair_refused":
        day = _day(payload.get("decided_on")) or (repair.decided_on if repair else None) or n.created_at.date()
        return {"applied_on": payload["applied_on"], "reasons": payload.get("reasons") or [],
                "basis": citation(uow, payload.get("basis"), procedures=("repair_decision",), subject_type=kind,
                                  days=(day, decided)), "record_text": record_text,
                "objection": remedy(uow, procedures=("repair_refusal_objection", "objection_filing"), subject_type=kind,
                                    days=(day, decided), about="决定", verb="异议申请", where=where),
                "handler": _handler(uow, repair.decided_by if repair else n.created_by), "handler_phone": _phone(uow)}
    if n.type == "repair_confirmed":
        applied = repair.applied_on if repair else date.fromisoformat(payload["repaired_on"])
        return {"repaired_on": payload["repaired_on"], "record_text": record_text,
                "basis": citation(uow, payload.get("basis"), procedures=("repair_decision",), subject_type=kind,
                                  days=(applied, decided)),
                "disclosed": _disclosed(rec.decision_date, applied) if rec else "",
                "handler": _handler(uow, repair.decided_by if repair else n.created_by)}
    raise ServiceError(f"未知的文书类型“{DOC_NAMES.get(n.type, n.type)}”")


DOC_NAMES = {"objection_answer": "异议信息处理结果反馈单", "repair_refused": "不予信用修复告知书",
             "repair_confirmed": "信用修复确认通知书", "appeal_answer": "申诉处理决定书"}


def _day(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def reported_on(facts: dict) -> date | None:
    """The latest date of a fact the document reports: its 成文日期 may not precede it."""
    found = [facts.get("evaluation", {}).get("as_of"), facts.get("as_of"), (facts.get("record") or {}).get("decision_date"),
             facts.get("received_on"), facts.get("decided_on"), facts.get("applied_on"), facts.get("repaired_on")]
    days = [_day(d) for d in found if d]
    return max(days) if days else None


def _public_list(uow: UnitOfWork, which: str, day: date) -> dict:
    """Entries from the list membership of each subject's standing; ID numbers masked (published to everyone)."""
    entries: dict[int, dict] = {}
    bases = []
    for s, lists in standing.listed(uow, which, day):
        for li in lists:
            code = s.credit_code if s.type == "institution" else mask_id(s.id_number)
            e = entries.setdefault(s.id, {"name": s.name, "code": code, "since": li["since"], "basis": []})
            e["since"] = min(e["since"], li["since"])
            e["basis"] = list(dict.fromkeys([*e["basis"], li["basis"]]))
            bases.append(li["basis"])
    listed = [{**e, "basis": "；".join(e["basis"])} for e in entries.values()]
    return {"list": which, "list_name": LIST_NAMES[which], "as_of": day, "entries": listed,
            "basis": "、".join(dict.fromkeys(bases)) or "有关规定"}
