"""What each document says, as plain data: gathered from the credit file, the evaluation and the casework
rows, with the legal basis the policy engine names and the remedy deadline of the pack in force.

``gather(uow, notice)`` is used for the preview, at review, at sign-off and at issue; the hash of its
result ties the issued document to what the reviewer and the signer saw.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import select

from models import policy
from models.db.tables import CreditRecord, Registration, Subject, User
from models.db.tables_casework import Notice, Objection, Repair
from models.policy.packs import basis as cite
from models.policy.score import in_force
from models.services import catalogue as cat, evaluation, lifecycle, standing
from models.services.base import Actor, ServiceError, UnitOfWork, jsonable
from models.services.county import current_county
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


def _remedy(uow: UnitOfWork, procedure: str, subject_type: str, day: date, about: str,
            configured_days: int | None = None) -> dict | None:
    found = policy.procedure_deadline(evaluation.profile_for(uow), procedure, subject_type, day,
                                      configured_days=configured_days)
    if found is None:
        return None
    return {"days": found.working_days, "basis": found.basis, "text": found.text, "about": about}


def _evaluation(uow: UnitOfWork, s: Subject, day: date) -> dict:
    ev = standing.of(uow, s, day)
    for e in ev["points"]["entries"]:
        e["kind_name"] = _kind_name(uow, e["kind"])
    found = in_force(evaluation.profile_for(uow), "grades", day)
    ev["grade_basis"] = cite(*found) if found and ev.get("grade") else None
    return ev


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


def _appeal_days(uow: UnitOfWork) -> int | None:
    from models.services.notices import settings

    return settings(uow).get("appeal_days")


def _handler(uow: UnitOfWork, username: str) -> str:
    user = uow.session.scalar(select(User).where(User.username == username))
    return user.display_name if user else username


def _disclosed(start: date, end: date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return f"{months // 12}年{months % 12}个月"


def gather(uow: UnitOfWork, n: Notice) -> dict:
    county = current_county(uow)
    payload = json.loads(n.payload)
    s = n.subject
    base = {"organ": organ(county.name), "county": county.name, "county_code": county.code,
            "subject": _subject(s), "doc_type": n.type}
    day = date.fromisoformat(payload["as_of"]) if payload.get("as_of") else n.created_at.date()
    t = n.type
    if t == "credit_result":
        return base | {"evaluation": _evaluation(uow, s, day), "basis_documents": _documents(uow, day),
                       "objection": _remedy(uow, "objection_filing", s.type, day, "信用结果")}
    if t == "credit_report":
        from models.queries.credit_file import credit_file

        file = credit_file.in_uow(uow, actor=FULL, subject=s.uuid)
        # Only what the report prints: the file's audit trail and case list grow with every step on this notice.
        file = {k: file[k] for k in ("subject", "registrations", "records")}
        instruments = dict(policy.repair_instruments(evaluation.profile_for(uow)))
        return base | {"file": file, "evaluation": _evaluation(uow, s, day),
                       "basis": instruments.get("提交信用报告") or _documents(uow, day)}
    if t == "public_list":
        return base | _public_list(uow, payload["list"], day)
    rec = _record_by_uuid(uow, payload.get("record"))
    if t == "points_notice":
        ev = _evaluation(uow, s, min(day, date(rec.decision_date.year, 12, 31)))
        entry = next(e for e in ev["points"]["entries"] if e["record"] == rec.uuid)
        triggered = [m for m in ev["measures"] if m["record"] == rec.uuid and m["kind"] in lifecycle.PAYMENT_STATUS]
        return base | {"record": _record(uow, rec), "points": entry["points"], "basis": entry["basis"],
                       "year": ev["points"]["year"], "year_total": ev["points"]["total"], "measures": triggered,
                       "institutions": _institutions(uow, s),
                       "appeal": _remedy(uow, "appeal", s.type, day, "记分", _appeal_days(uow))}
    if t in ("pq_suspend", "pq_terminate", "settlement_suspend"):
        ev = _evaluation(uow, s, day)
        m = _measure(ev, rec.uuid, payload["kind"])
        out = base | {"record": _record(uow, rec), "measure": m, "year": ev["points"]["year"],
                      "year_total": ev["points"]["total"]}
        if t == "settlement_suspend":
            return out | {"objection": _remedy(uow, "objection_filing", s.type, day, "措施")}
        ban = next((b for b in ev["measures"] if b["record"] == rec.uuid and b["kind"] == "registration_ban"), None)
        return out | {"ban": ban, "institutions": _institutions(uow, s),
                      "appeal": _remedy(uow, "appeal", s.type, day, "处理决定", _appeal_days(uow))}
    return base | _casework(uow, n, payload, rec)


def _casework(uow: UnitOfWork, n: Notice, payload: dict, rec: CreditRecord | None) -> dict:
    """附件2, 4, 5 from the drafts the objections and repairs services wrote."""
    record_text = f"{rec.case_no}所涉失信信息（{_kind_name(uow, rec.kind)}）" if rec else "信用评价结果"
    if n.type == "objection_answer":
        o = uow.session.scalar(select(Objection).where(Objection.uuid == n.case_uuid))
        changed = payload["outcome"] == "变更"
        return {"outcome_text": "变更原结果，已更正相关信用信息并重新评价" if changed else "维持原结果",
                "answer": payload["answer"], "objection": payload["objection"], "basis": payload.get("basis"),
                "received_on": payload.get("received_on"), "decided_on": payload.get("decided_on"),
                "record_text": record_text, "handler": _handler(uow, o.decided_by if o else n.created_by)}
    repair = uow.session.scalar(select(Repair).where(Repair.uuid == n.case_uuid))
    if n.type == "repair_refused":
        day = date.fromisoformat(str(payload.get("decided_on") or repair.decided_on or date.today()))
        return {"applied_on": payload["applied_on"], "reasons": payload.get("reasons") or [],
                "basis": payload.get("basis") or "", "record_text": record_text,
                "objection": _remedy(uow, "repair_refusal_objection", n.subject.type, day, "决定"),
                "handler": _handler(uow, repair.decided_by or n.created_by) if repair else n.created_by,
                "handler_phone": _settings_phone(uow)}
    if n.type == "repair_confirmed":
        applied = repair.applied_on if repair else date.fromisoformat(payload["repaired_on"])
        return {"repaired_on": payload["repaired_on"], "basis": payload.get("basis") or "", "record_text": record_text,
                "disclosed": _disclosed(rec.decision_date, applied) if rec else "",
                "handler": _handler(uow, repair.decided_by or n.created_by) if repair else n.created_by}
    raise ServiceError(f"未知的文书类型“{n.type}”")


def _settings_phone(uow: UnitOfWork) -> str:
    from models.services.notices import settings

    return settings(uow).get("phone") or ""


def _public_list(uow: UnitOfWork, which: str, day: date) -> dict:
    """Entries from each subject's newest evaluation; ID numbers masked (published to everyone)."""
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
