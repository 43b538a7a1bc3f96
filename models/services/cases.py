"""What the casework services share: finding a case by UUID, the four-eyes rule, case materials,
notice drafts and deadlines in working days."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import policy
from models.db.tables import Subject
from models.db.tables_casework import CaseAttachment, Notice
from models.services import evaluation
from models.services.base import Actor, NotFound, ServiceError, UnitOfWork, jsonable, query
from models.services.records import store_blob
from models.services.subjects import find_subject
from models.services.workdays import calendar_from_db
from models.validation import clean, past_date


def by_uuid(uow: UnitOfWork, model, uuid: str, what: str):
    row = uow.session.scalar(select(model).where(model.uuid == clean(uuid).lower()))
    if row is None:
        raise NotFound(f"{what}：找不到 UUID 为“{uuid}”的{what}")
    return row


class FourEyes(ServiceError):
    pass


def four_eyes(actor: Actor, entered_by: str | None, what: str, verb: str) -> None:
    """A decision needs a second person: whoever entered the case may not decide it (DOMAIN §1)."""
    if entered_by and actor.username == entered_by:
        raise FourEyes(f"双人复核：该{what}由“{actor.display_name}”（当前用户）录入，不能由同一人{verb}，"
                       f"请由另一名审核员或签发人{verb}")


def store_files(uow: UnitOfWork, case_uuid: str, files: list[tuple[str, bytes]]) -> list[str]:
    """Materials stored once per SHA-256 in the same ``blobs`` table the credit records use."""
    digests = []
    for name, content in files:
        name, digest = store_blob(uow, name, content)
        uow.session.add(CaseAttachment(case_uuid=case_uuid, sha256=digest, filename=name))
        digests.append(digest)
    return digests


def add_notice(uow: UnitOfWork, actor: Actor, type_: str, subject: Subject, case_uuid: str, payload: dict) -> Notice:
    """A notice draft for the notices work to render, number and sign (see ``Notice``)."""
    notice = Notice(type=type_, subject=subject, case_uuid=case_uuid, created_by=actor.username,
                    payload=json.dumps(jsonable(payload), ensure_ascii=False, sort_keys=True))
    uow.session.add(notice)
    uow.session.flush()
    uow.audit(actor, "notice.draft", "notice", notice.uuid, after={"type": type_, "case": case_uuid, **payload})
    return notice


@dataclass(frozen=True)
class DeadlineInfo:
    procedure: str
    working_days: int | None
    deadline: date | None
    latest: date | None
    provisional: bool
    text: str
    basis: str
    starts_from: str = "event"  # delivery | publication | event (policy.procedures.STARTS_FROM)

    def shown(self) -> str:
        return "" if self.deadline is None else self.deadline.isoformat() + ("（暂定）" if self.provisional else "")


def deadline(uow: UnitOfWork, procedure: str, subject_type: str, event: date) -> DeadlineInfo | None:
    """The period from the pack in force on ``event`` (policy.procedure_deadline); None where no pack fixes one."""
    found = policy.procedure_deadline(evaluation.profile_for(uow), procedure, subject_type, event,
                                      calendar_from_db(uow))
    if found is None or found.deadline is None:
        return None
    # Only the deadline in force is flagged; an extension, once granted, is flagged on its own date.
    return DeadlineInfo(procedure, found.working_days, found.deadline.date, found.latest.date if found.latest else None,
                        found.deadline.provisional, found.text, found.basis, found.starts_from)


def on_date(value, field: str) -> date:
    """A date a step happened: today by default, never in the future."""
    return past_date(value or date.today(), field)


NOTICE_TYPES = {"objection_answer": "异议信息处理结果反馈单（附件2）", "repair_refused": "不予信用修复告知书（附件4）",
                "repair_confirmed": "信用修复确认通知书（附件5）", "appeal_answer": "申诉处理决定书"}


@query
def notice_drafts(uow: UnitOfWork, *, subject: str | None = None) -> list[dict]:
    stmt = select(Notice).order_by(Notice.id)
    if subject:
        stmt = stmt.where(Notice.subject_id == find_subject(uow, subject).id)
    return [{"uuid": n.uuid, "type": n.type, "type_name": NOTICE_TYPES.get(n.type, n.type), "subject": n.subject.name,
             "case": n.case_uuid, "state": n.state, "created_by": n.created_by, "created_at": n.created_at,
             "payload": json.loads(n.payload)} for n in uow.session.scalars(stmt)]
