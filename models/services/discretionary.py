"""Measures the bureau decides on for a grade, where the rule says it *may* (可给予): 警示约谈 with a
deadline to correct, 重点监控 (磐医保〔2021〕43号 第二十条). Unlike the measures the rules impose, they
exist only once a reviewer decides them, with a period and a reason, and they can be lifted early by
someone other than the person who decided them.
"""
from __future__ import annotations

from datetime import date

from models.db.tables_casework import MeasureRow
from models.policy.results import OPTIONAL
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, require, service
from models.services.cases import by_uuid, four_eyes, on_date
from models.services import standing
from models.services.lifecycle import summary
from models.services.subjects import find_subject
from models.validation import ValidationError, calendar_date, max_length, required


@service
def impose(uow: UnitOfWork, *, actor: Actor, subject: str, kind: str, start: date | str, end: date | str,
           reason: str) -> Result:
    require(actor, "measure.choose")
    s = find_subject(uow, subject)
    day, until = on_date(start, "起始日期"), calendar_date(end, "整改期限")
    if until < day:
        raise ValidationError("整改期限", "早于起始日期")
    offered = {m["kind"]: m for m in standing.of(uow, s, day)["measures"] if m["status"] == OPTIONAL}
    if kind not in offered:
        names = "、".join(m["name"] for m in offered.values()) or "无"
        raise ValidationError("措施", f"按{s.name}当前的信用等级，规则不提供此项措施（可采取：{names}）")
    m = offered[kind]
    row = MeasureRow(subject=s, record=None, kind=kind, name=m["name"], basis=m["basis"], start=day, planned_end=until,
                     months=None, decided_by=actor.username, state="生效")
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "measure.impose", "measure", row.uuid, after=summary(row),
              reason=max_length(required(reason, "理由"), 2000, "理由"))
    return Result(row.uuid, Changes(subjects=frozenset({s.uuid})))


@service
def lift(uow: UnitOfWork, *, actor: Actor, measure: str, reason: str, on: date | str | None = None) -> Result:
    """End a decided measure early (撤销), four-eyes against whoever decided it."""
    require(actor, "measure.lift")
    row = by_uuid(uow, MeasureRow, measure, "措施")
    if row.state != "生效":
        raise ServiceError(f"该措施状态为“{row.state}”，不能提前结束")
    if row.record is not None:
        raise ServiceError("依规则产生的措施须通过信用修复（缩减期限、减免记分）或更正所依据的记录来提前结束")
    four_eyes(actor, row.decided_by, "措施", "提前结束")
    before = summary(row)
    row.state, row.ended_on = "撤销", on_date(on, "结束日期")
    row.end_reason = max_length(required(reason, "提前结束理由"), 2000, "提前结束理由")
    uow.audit(actor, "measure.lift", "measure", row.uuid, before=before, after=summary(row), reason=row.end_reason)
    return Result(row.uuid, Changes(subjects=frozenset({row.subject.uuid})))
