"""Reading the notice register: filtered pages for the screen, one notice in full, the stored PDF, and the
entry a verification code (or the text of its QR code) names."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from models.db.tables import Blob, Subject
from models.db.tables_casework import Notice
from models.db.tables_notices import NoticeDelivery, NoticeIssue, NoticeStep
from models.services import notice_code, notice_facts
from models.services.base import Actor, NotFound, UnitOfWork, query
from models.services.county import current_county
from models.services.notices import DOC_TYPES, STATES, _notice, latest_delivery, delivery_dict
from models.services.subjects import find_subject
from models.services.users import display_names
from models.validation import ValidationError, fold


@dataclass(frozen=True)
class RegisterFilter:
    type: str | None = None
    state: str | None = None
    year: int | None = None
    text: str = ""  # subject name, document number or verification code


@dataclass(frozen=True)
class RegisterRow:
    uuid: str
    type_name: str
    subject: str
    state_name: str
    doc_number: str
    issued_on: date | None
    verify_code: str
    delivered_on: date | None
    deadline: date | None
    created_at: date


def _stmt(f: RegisterFilter):
    latest = (select(NoticeDelivery.notice_id, func.max(NoticeDelivery.id).label("did"))
              .group_by(NoticeDelivery.notice_id).subquery())
    stmt = (select(Notice, NoticeIssue, NoticeDelivery).outerjoin(Subject, Subject.id == Notice.subject_id)
            .outerjoin(NoticeIssue, NoticeIssue.notice_id == Notice.id)
            .outerjoin(latest, latest.c.notice_id == Notice.id)
            .outerjoin(NoticeDelivery, NoticeDelivery.id == latest.c.did))
    if f.type:
        stmt = stmt.where(Notice.type == f.type)
    if f.state:
        stmt = stmt.where(Notice.state == f.state)
    if f.year:
        stmt = stmt.where(NoticeIssue.year == f.year)
    text = f.text.strip()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Subject.name.like(like), NoticeIssue.doc_number.like(like),
                              NoticeIssue.verify_code == fold(text).upper()))
    return stmt


@query
def count(uow: UnitOfWork, *, filter: RegisterFilter = RegisterFilter()) -> int:
    return uow.session.scalar(select(func.count()).select_from(_stmt(filter).subquery()))


@query
def page(uow: UnitOfWork, *, filter: RegisterFilter = RegisterFilter(), offset: int = 0, limit: int = 200
         ) -> list[RegisterRow]:
    """Newest first; the screen fetches further pages as the user scrolls."""
    rows = uow.session.execute(_stmt(filter).order_by(Notice.id.desc()).offset(offset).limit(limit))
    return [RegisterRow(n.uuid, DOC_TYPES.get(n.type, (n.type,))[0], n.subject.name if n.subject else "（公告）",
                        STATES.get(n.state, n.state), i.doc_number if i else "", i.issued_on if i else None,
                        i.verify_code if i else "", d.delivered_on if d else None,
                        d.objection_deadline if d else None, n.created_at.date())
            for n, i, d in rows]


@query
def detail(uow: UnitOfWork, *, notice: str) -> dict:
    n = _notice(uow, notice)
    issue = uow.session.scalar(select(NoticeIssue).where(NoticeIssue.notice_id == n.id))
    steps = list(uow.session.scalars(select(NoticeStep).where(NoticeStep.notice_id == n.id).order_by(NoticeStep.id)))
    deliveries = uow.session.scalars(select(NoticeDelivery).where(NoticeDelivery.notice_id == n.id)
                                     .order_by(NoticeDelivery.id))
    return {"uuid": n.uuid, "type": n.type, "type_name": DOC_TYPES.get(n.type, (n.type,))[0],
            "subject": n.subject.name if n.subject else None, "state": n.state, "state_name": STATES.get(n.state),
            "created_by": n.created_by, "created_at": n.created_at,
            "issue": None if issue is None else {
                "doc_number": issue.doc_number, "issued_on": issue.issued_on, "verify_code": issue.verify_code,
                "sha256": issue.sha256, "pages": issue.pages, "issued_by": issue.issued_by,
                "cert_fingerprint": issue.cert_fingerprint},
            "steps": [{"step": s.step, "actor": s.actor, "at": s.at, "note": s.note} for s in steps],
            "deliveries": [delivery_dict(d) for d in deliveries],
            "delivery": delivery_dict(latest_delivery(uow, n)) if latest_delivery(uow, n) else None,
            # login name → display name of everyone named above, for the screen
            "people": display_names(uow, {n.created_by, *(s.actor for s in steps), issue and issue.issued_by})}


@query
def facts(uow: UnitOfWork, *, notice: str) -> tuple[str, dict]:
    """(type, facts) for the preview of a draft; an issued notice gives what it was issued with."""
    n = _notice(uow, notice)
    issue = uow.session.scalar(select(NoticeIssue).where(NoticeIssue.notice_id == n.id))
    return n.type, json.loads(issue.facts) if issue else notice_facts.gather(uow, n)


@query
def pdf(uow: UnitOfWork, *, notice: str) -> tuple[str, bytes]:
    """(document number, the signed PDF exactly as issued)."""
    n = _notice(uow, notice)
    issue = uow.session.scalar(select(NoticeIssue).where(NoticeIssue.notice_id == n.id))
    if issue is None:
        raise NotFound("该告知书尚未印发，没有签章的PDF；可预览草稿")
    return issue.doc_number, uow.session.get(Blob, issue.sha256).data


def parse_code(text: str) -> str:
    """A typed code (abcd efgh, ABCD-EFGH) or a scanned QR text (CDVERIFY:370921:ABCD-EFGH)."""
    raw = re.sub(r"[\s\-－—]", "", fold(text).upper().split(":")[-1])
    if not re.fullmatch(r"[A-Z0-9]{8}", raw):
        raise ValidationError("验证码", "应为8位字母和数字，如 ABCD-EFGH（可扫描告知书下方的二维码）")
    return f"{raw[:4]}-{raw[4:]}"


@query
def lookup(uow: UnitOfWork, *, actor: Actor | None = None, code: str | None = None, sha256: str | None = None
           ) -> dict | None:
    """The register entry for a verification code or a file's SHA-256; None when there is none."""
    stmt = select(NoticeIssue)
    stmt = stmt.where(NoticeIssue.verify_code == parse_code(code)) if code else stmt.where(NoticeIssue.sha256 == sha256)
    issue = uow.session.scalar(stmt)
    if issue is None:
        return None
    n = issue.notice
    voided = next((s for s in reversed(list(uow.session.scalars(
        select(NoticeStep).where(NoticeStep.notice_id == n.id, NoticeStep.step == "void")))) ), None)
    return {"notice": n.uuid, "doc_number": issue.doc_number, "title": issue.title, "issued_on": issue.issued_on,
            "subject": n.subject.name if n.subject else None, "verify_code": issue.verify_code, "sha256": issue.sha256,
            "pages": issue.pages, "state": n.state, "state_name": STATES.get(n.state),
            "voided": voided.note if voided else None, "cert_fingerprint": issue.cert_fingerprint,
            "registered_at": issue.created_at, "decided": notice_code.decided(issue.doc_type, json.loads(issue.facts))}


@query
def form_facts(uow: UnitOfWork, *, subject: str | None = None) -> dict:
    """What a blank application form (附件1, 附件3) is pre-filled with."""
    county = current_county(uow)
    return {"organ": notice_facts.organ(county.name), "county": county.name,
            "subject": notice_facts._subject(find_subject(uow, subject)) if subject else {}}
