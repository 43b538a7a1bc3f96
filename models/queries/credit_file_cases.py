"""The casework part of a credit file: measures with their state, findings, objections, repairs,
points notifications, notice drafts and the evaluation history. Plain data for JSON and screens."""
from __future__ import annotations

import json

from sqlalchemy import or_, select

from models.db.tables import CreditRecord, EvaluationSnapshot, Subject, SubjectStanding
from models.db.tables_casework import Finding, Objection, PointsNotification, Repair, ResponsiblePerson
from models.services import appeals as appeal_cases, catalogue as cat, lifecycle
from models.services.base import UnitOfWork
from models.services.cases import notice_drafts

# 信用修复 on application, 鲁 第十二条 automatic restoration, and the two decisions of 济医保发〔2025〕6号 四(七).
REPAIR_KIND_NAMES = {"credit": "信用修复", "auto": "措施期满自动修复", "points": "减免记分", "shorten": "缩减暂停期限"}
ROLE_NAMES = {"institution": "被处理机构", "responsible": "责任人员"}


def _uuid(uow: UnitOfWork, model, row_id: int | None) -> str | None:
    return None if row_id is None else uow.session.scalar(select(model.uuid).where(model.id == row_id))


def findings(uow: UnitOfWork, s: Subject, names: dict[str, cat.KindSpec]) -> list[dict]:
    """Findings against the institution, or naming the person as responsible (济医保发〔2025〕6号 四(五))."""
    as_person = select(ResponsiblePerson.finding_id).where(ResponsiblePerson.practitioner_id == s.id)
    rows = uow.session.scalars(select(Finding).where(or_(Finding.institution_id == s.id, Finding.id.in_(as_person)))
                               .order_by(Finding.decision_date, Finding.id))
    out = []
    for f in rows:
        person = next((p for p in f.persons if p.practitioner_id == s.id), None)
        spec = names.get(person.kind if person else f.institution_kind or "")
        out.append({
            "uuid": f.uuid, "case_no": f.case_no, "institution": f.institution.name, "decision_type": f.decision_type,
            "decision_date": f.decision_date, "amount": f.amount, "article": f.article, "source": f.source,
            "state": f.state, "entered_by": f.entered_by, "confirmed_by": f.confirmed_by,
            "confirmed_on": f.confirmed_on, "role": "responsible" if person else "institution",
            "role_name": ROLE_NAMES["responsible" if person else "institution"],
            "responsibility": person.responsibility if person else None,
            "kind": spec.code if spec else None, "kind_name": spec.name if spec else None,
            "band": list(spec.band) if spec and spec.band else None, "basis": spec.basis if spec else None,
            "record": person.record.uuid if person and person.record else
            _uuid(uow, CreditRecord, f.institution_record_id) if not person else None,
            "persons": [{"name": p.practitioner.name, "responsibility": p.responsibility, "kind": p.kind}
                        for p in f.persons],
        })
    return out


def objections(uow: UnitOfWork, s: Subject) -> list[dict]:
    rows = uow.session.scalars(select(Objection).where(Objection.subject_id == s.id).order_by(Objection.id))
    return [{
        "uuid": o.uuid, "target": o.target, "record": o.record.uuid if o.record else None,
        "evaluation": _uuid(uow, EvaluationSnapshot, o.evaluation_id), "delivered_on": o.delivered_on,
        "received_on": o.received_on, "reason": o.reason, "entered_by": o.entered_by,
        "filing_deadline": o.filing_deadline, "review_deadline": o.review_deadline, "provisional": o.provisional,
        "basis": o.basis, "state": o.state, "outcome": o.outcome, "answer": o.answer, "decided_by": o.decided_by,
        "decided_on": o.decided_on, "correction": _uuid(uow, CreditRecord, o.correction_id),
    } for o in rows]


def repairs(uow: UnitOfWork, s: Subject) -> list[dict]:
    rows = uow.session.scalars(select(Repair).where(Repair.subject_id == s.id).order_by(Repair.id))
    return [{
        "uuid": r.uuid, "kind": r.kind, "kind_name": REPAIR_KIND_NAMES[r.kind], "record": r.record.uuid,
        "case_no": r.record.case_no, "measure": r.measure.uuid if r.measure else None, "applied_on": r.applied_on,
        "materials": r.materials, "commitment": r.commitment, "entered_by": r.entered_by, "eligible": r.eligible,
        "reasons": json.loads(r.reasons), "decision_deadline": r.decision_deadline,
        "latest_deadline": r.latest_deadline, "extended_to": r.extended_to, "extension_reason": r.extension_reason,
        "provisional": r.provisional, "state": r.state, "decided_by": r.decided_by, "decided_on": r.decided_on,
        "decision_reason": r.decision_reason, "notice_end": r.notice_end, "repaired_on": r.repaired_on,
        "points_reduction": r.points_reduction, "basis": r.basis,
    } for r in rows]


def points_notifications(uow: UnitOfWork, s: Subject) -> list[dict]:
    """济医保发〔2025〕6号 四(六): a practitioner's points as notified to each institution, or those an institution received."""
    column = PointsNotification.institution_id if s.type == "institution" else PointsNotification.practitioner_id
    rows = uow.session.scalars(select(PointsNotification).where(column == s.id).order_by(PointsNotification.id))
    out = []
    for n in rows:
        record = uow.session.get(CreditRecord, n.record_id)
        out.append({"uuid": n.uuid, "record": record.uuid, "case_no": record.case_no,
                    "practitioner": uow.session.get(Subject, n.practitioner_id).name, "institution": n.institution.name,
                    "points": n.points, "year_total": n.year_total, "created_by": n.created_by,
                    "created_at": n.created_at, "basis": "济医保发〔2025〕6号 四（六）"})
    return out


def evaluations(uow: UnitOfWork, s: Subject) -> list[dict]:
    """Every stored change of the result (a snapshot is written only when the result changed), and the shared
    default result while the subject has no facts of its own (one row for all such subjects)."""
    current = select(SubjectStanding.evaluation_id).where(SubjectStanding.subject_id == s.id).scalar_subquery()
    rows = uow.session.execute(
        select(EvaluationSnapshot.uuid, EvaluationSnapshot.as_of, EvaluationSnapshot.computed_at,
               EvaluationSnapshot.computed_by, EvaluationSnapshot.profile, EvaluationSnapshot.score,
               EvaluationSnapshot.grade, EvaluationSnapshot.points_year, EvaluationSnapshot.points_total,
               EvaluationSnapshot.rule_status)
        .where(or_(EvaluationSnapshot.subject_id == s.id, EvaluationSnapshot.id == current))
        .order_by(EvaluationSnapshot.id))
    return [dict(r._mapping) for r in rows]


def casework(uow: UnitOfWork, s: Subject, names: dict[str, cat.KindSpec]) -> dict:
    """The new keys of ``credit_file`` (the older ones stay as they were)."""
    return {
        "measure_history": lifecycle.measures_of.in_uow(uow, subject=s.uuid),
        "findings": findings(uow, s, names),
        "objections": objections(uow, s),
        "appeals": appeal_cases.list_appeals.in_uow(uow, subject=s.uuid),
        "repairs": repairs(uow, s),
        "points_notifications": points_notifications(uow, s),
        "notices": notice_drafts.in_uow(uow, subject=s.uuid),
        "evaluations": evaluations(uow, s),
    }


def case_uuids(data: dict) -> list[str]:
    """Cases whose audit entries belong in the file's trail."""
    keys = ("measure_history", "findings", "objections", "appeals", "repairs", "notices")
    return [c.get("uuid") or c.get("measure") for k in keys for c in data[k]]
