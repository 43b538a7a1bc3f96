"""Procedure deadlines (异议、复核、修复、公示、申诉) in working days, from the packs in force."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.policy.packs import Profile, basis
from models.policy.workdays import Deadline, WorkCalendar, add_workdays

PROCEDURES = {
    "objection_filing": "提出异议",
    "objection_review": "异议复核",
    "repair_decision": "信用修复处理",
    "repair_public_notice": "信用修复公示",
    "repair_refusal_objection": "对不予修复提出异议",
    "appeal": "申诉",
}


@dataclass(frozen=True)
class ProcedureDeadline:
    procedure: str
    working_days: int | None  # None: no document fixes it (可配置)
    deadline: Deadline | None
    latest: Deadline | None  # with the longest extension the rule allows
    text: str
    basis: str
    # What the period counts from: "delivery" of the notice (鲁 第十条 收到信用结果告知书) or "publication" of
    # the result (磐 第十六条 评价结果发布之日); "event" where the procedure's own event starts it.
    starts_from: str = "event"


STARTS_FROM = {"delivery": "信用结果告知书送达之日", "publication": "评价结果发布之日", "event": "事件发生之日"}


def procedure_deadline(profile: Profile, procedure: str, subject_type: str, event: date,
                       calendar: WorkCalendar | None = None, configured_days: int | None = None
                       ) -> ProcedureDeadline | None:
    """The deadline for a procedure started by `event`; None when no pack in force covers it.

    `configured_days` fills a period no document fixes (e.g. 申诉, 济医保发〔2025〕6号四（八））."""
    for entry, rule in profile.rules("deadline"):
        if rule["procedure"] != procedure or subject_type not in rule["subject_types"]:
            continue
        if not entry.pack.covers(event):
            continue
        days = rule["working_days"] if rule["working_days"] is not None else configured_days
        text = rule.get("text", "") + ("" if rule["working_days"] is not None else
                                       f"；期限为本局设置（可配置）：{configured_days}个工作日" if configured_days else "")
        start = rule.get("starts_from", "event")
        if days is None:
            return ProcedureDeadline(procedure, None, None, None, text, basis(entry, rule), start)
        due = add_workdays(event, days, calendar)
        extra = rule.get("extend_by_max")
        latest = add_workdays(event, days + extra, calendar) if extra else None
        return ProcedureDeadline(procedure, days, due, latest, text, basis(entry, rule), start)
    return None
