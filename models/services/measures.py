"""The handler's choice of a measure's length inside the range the rule allows."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import policy
from models.db.tables import CreditRecord, MeasureChoiceRow
from models.services import standing
from models.services.base import Actor, Changes, NotFound, Result, UnitOfWork, require, service
from models.validation import ValidationError, clean, max_length, past_date, required


def _measure_for(uow: UnitOfWork, record: CreditRecord) -> dict:
    """The measure of this record whose period the handler chooses, as the standing states it."""
    for m in standing.of(uow, record.subject)["measures"]:
        if m["record"] == record.uuid and m["allowed_range"] is not None:
            return m
    raise ValidationError("处理期限", "该记录没有需要在幅度内选择期限的措施")


@service
def choose_measure(uow: UnitOfWork, *, actor: Actor, record: str, months: int, reason: str,
                   start: date | str | None = None) -> Result:
    """E.g. 暂停医保支付资格 1–6 months (医保发〔2024〕23号) or 暂停联网结算 (鲁医保发〔2024〕25号 第九条)."""
    require(actor, "measure.choose")
    row = uow.session.scalar(select(CreditRecord).where(CreditRecord.uuid == clean(record).lower()))
    if row is None:
        raise NotFound(f"信用信息：找不到 UUID 为“{record}”的记录")
    measure = _measure_for(uow, row)
    allowed = policy.Range.parse(measure["allowed_range"])
    if months not in allowed:
        raise ValidationError("处理期限", f"{months}个月不在允许的幅度内（{allowed.text('个月')}，依据{measure['basis']}）")
    choice = MeasureChoiceRow(record=row, months=months, reason=max_length(required(reason, "选择理由"), 2000, "选择理由"),
                              start=past_date(start, "起始日期") if start else None, chosen_by=actor.username)
    uow.session.add(choice)
    uow.session.flush()
    uow.audit(actor, "measure.choose", "credit_record", row.uuid, reason=choice.reason,
              after={"measure": measure["name"], "months": months, "start": choice.start, "basis": measure["basis"]})
    return Result(choice.uuid, Changes(subjects=frozenset({row.subject.uuid})))
