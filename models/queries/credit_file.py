"""The whole credit file of one subject (一医一档) as plain data for JSON and screens."""
from __future__ import annotations

import json
import zlib
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models.db.tables import AuditEntry, CreditRecord, Registration, ServiceCommitment, StandingResult, Subject, SubjectStanding
from models.queries.credit_file_cases import case_uuids, casework
from models.services import catalogue as cat, warnings
from models.services.base import Actor, UnitOfWork, jsonable, query
from models.services.county import current_county
from models.services.records import SOURCES
from models.services.subjects import INSTITUTION_KINDS, find_subject, mask_id
from models.services.standing import explain


def subject_dict(s: Subject, *, full_id: bool = True) -> dict:
    d = {"uuid": s.uuid, "type": s.type, "name": s.name}
    if s.type == "institution":
        d |= {"credit_code": s.credit_code, "insurance_code": s.insurance_code,
              "institution_kind": INSTITUTION_KINDS.get(s.institution_kind or "", s.institution_kind)}
    else:
        d |= {"id_number": s.id_number if full_id else mask_id(s.id_number), "other_id": s.other_id if full_id else mask_id(s.other_id)}
    if s.type == "practitioner":
        d |= {"profession": s.profession, "practice_reg_no": s.practice_reg_no}
    if s.type == "insured":
        d["insurance_type"] = s.insurance_type
    d |= {"township": s.township, "phone": s.phone, "address": s.address, "origin_county": s.origin_county}
    return d


def _record_dict(r: CreditRecord, superseded_by: dict[int, str], names: dict[str, cat.KindSpec]) -> dict:
    spec = names.get(r.kind)
    return {
        "uuid": r.uuid, "kind": r.kind, "kind_name": spec.name if spec else r.kind, "good": r.good,
        "decision_date": r.decision_date, "decision_type": r.decision_type, "amount": r.amount,
        "responsibility": r.responsibility, "case_no": r.case_no, "source": r.source,
        "source_name": SOURCES.get(r.source, r.source), "note": r.note,
        "institution": r.institution.credit_code if r.institution else None,
        "entered_by": r.entered_by, "entered_at": r.created_at,
        "supersedes": r.supersedes.uuid if r.supersedes else None, "correction_reason": r.correction_reason,
        "superseded_by": superseded_by.get(r.id), "status": "已被更正" if r.id in superseded_by else "有效",
        "basis": spec.basis if spec else None,
        "attachments": [{"sha256": a.sha256, "filename": a.filename} for a in r.attachments],
    }


def _registrations(uow: UnitOfWork, s: Subject) -> list[dict]:
    column = Registration.practitioner_id if s.type == "practitioner" else Registration.institution_id
    regs = uow.session.scalars(select(Registration).where(column == s.id).options(selectinload(Registration.history)))
    commitments = {c.institution_id: c for c in uow.session.scalars(
        select(ServiceCommitment).where(ServiceCommitment.practitioner_id == s.id))}
    out = []
    for reg in regs:
        c = commitments.get(reg.institution_id)
        out.append({
            "uuid": reg.uuid, "institution": subject_dict(reg.institution) if s.type == "practitioner" else None,
            "practitioner": subject_dict(reg.practitioner) if s.type == "institution" else None,
            "registered_on": reg.registered_on, "status": reg.status,
            "service_commitment": {"kind": c.kind, "signed_on": c.signed_on} if c else None,
            "history": [{"status": h.status, "effective_on": h.effective_on, "reason": h.reason, "actor": h.actor}
                        for h in reg.history],
        })
    return out


def _warnings(uow: UnitOfWork, s: Subject) -> list[dict]:
    return [asdict(w) | {"state": w.state} for w in warnings.list_warnings.in_uow(uow, subject=s.uuid, open_only=False)]


def _in_effect(uow: UnitOfWork, hashes: set[str]) -> dict[str, list[str]]:
    """The names of the measures in effect in each stored standing result (results are shared: read once each)."""
    rows = uow.session.execute(select(StandingResult.hash, StandingResult.body).where(StandingResult.hash.in_(hashes)))
    return {h: [m["name"] for m in json.loads(zlib.decompress(body))["measures"] if m["status"] == "in_effect"]
            for h, body in rows}


def staff(uow: UnitOfWork, institution: Subject, *, full_id: bool) -> list[dict]:
    """The practitioners registered at an institution (登记备案) with their standing as stored: grade, score, points
    of the year, the measures in effect and the registration status (淮医保发〔2020〕104号 三（四））."""
    rows = uow.session.execute(
        select(Subject, Registration.status, Registration.registered_on, SubjectStanding)
        .join(Registration, Registration.practitioner_id == Subject.id)
        .outerjoin(SubjectStanding, SubjectStanding.subject_id == Subject.id)
        .where(Registration.institution_id == institution.id).order_by(Subject.sort_key, Subject.id)).all()
    effect = _in_effect(uow, {st.result_hash for *_x, st in rows if st is not None})
    return [{"uuid": p.uuid, "name": p.name, "id_number": p.id_number if full_id else mask_id(p.id_number),
             "profession": p.profession, "registered_on": on, "status": status,
             "grade": st.grade if st else None, "score": st.score if st else None,
             "points_total": st.points_total if st else None, "as_of": st.as_of if st else None,
             "measures": "、".join(effect.get(st.result_hash, [])) if st else "",
             "lists": "、".join(n for n, flag in (("红名单", st and st.red), ("黑名单", st and st.black)) if flag),
             "sanction": bool(st and st.sanction)}
            for p, status, on, st in rows]


@query
def credit_file(uow: UnitOfWork, *, actor: Actor, subject: str) -> dict:
    """Everything the bureau holds on one subject, oldest record first; JSON-ready.

    ID numbers are masked for roles that may not see them in full. Besides the basic data,
    registrations, records and audit trail: ``measure_history`` (measures with their state),
    ``findings``, ``objections``, ``repairs``, ``points_notifications``, ``notices`` and
    ``evaluations`` (models/queries/credit_file_cases.py).
    """
    s = find_subject(uow, subject)
    names = cat.kinds(current_county(uow).profile)
    records = list(uow.session.scalars(
        select(CreditRecord).where(CreditRecord.subject_id == s.id)
        .options(selectinload(CreditRecord.attachments), selectinload(CreditRecord.supersedes))
        .order_by(CreditRecord.decision_date, CreditRecord.id)))
    superseded_by = {r.supersedes_id: r.uuid for r in records if r.supersedes_id}
    cases = casework(uow, s, names)
    warned = _warnings(uow, s)
    entities = [s.uuid, *(r.uuid for r in records), *case_uuids(cases), *(n["uuid"] for n in cases["points_notifications"]),
                *(w["uuid"] for w in warned)]
    trail = uow.session.scalars(select(AuditEntry).where(AuditEntry.entity_uuid.in_(entities)).order_by(AuditEntry.id))
    return jsonable({
        "subject": subject_dict(s, full_id=actor.can("id.view_full")),
        "registrations": _registrations(uow, s),
        "records": [_record_dict(r, superseded_by, names) for r in records],
        "audit": [{"at": a.at, "actor": a.actor, "action": a.action, "entity": a.entity_uuid, "reason": a.reason}
                  for a in trail],
        "warnings": warned,
        "staff": staff(uow, s, full_id=actor.can("id.view_full")) if s.type == "institution" else [],
        **cases,
    })


@query
def file_with_evaluation(uow: UnitOfWork, *, actor: Actor, subject: str) -> dict:
    """What ``show --json`` prints, in one read transaction: the evaluation as of today
    (points with their explanation, score, grade, measures, lists, rule status) and the file."""
    return {**explain.in_uow(uow, actor=actor, subject=subject), **credit_file.in_uow(uow, actor=actor, subject=subject)}
