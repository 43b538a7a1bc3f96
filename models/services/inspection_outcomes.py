"""Inspection outcomes recorded against a draw (“双随机、一公开”: 抽查结果公开, 鲁政办 2019 意见 二（一）).

One outcome per drawn subject: 合格, 不合格 or 违规. A 不合格/违规 outcome becomes a credit record of the subject
through the ordinary record path (the same checks, audit and standing refresh as any record), in the same
transaction as the outcome; the record's kind is the one the clerk chooses (for institutions by default
定点医药机构违反服务协议受协议处理), its case number the draw's unless another is given.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models.db.tables import CreditRecord, Subject
from models.db.tables_inspections import InspectionDraw, InspectionDrawItem
from models.db.tables_institutions import InspectionOutcome
from models.services import records
from models.services.inspections import find_draw
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.validation import ValidationError, clean, max_length

OUTCOMES = ("合格", "不合格", "违规")
DEFAULT_KIND = {"institution": "inst_agreement_handling"}


@dataclass(frozen=True)
class OutcomeInfo:
    draw: str
    position: int
    subject_uuid: str
    subject_name: str
    grade: str | None
    outcome: str | None
    inspected_on: date | None
    note: str
    record: str | None
    entered_by: str | None


@service
def record_outcome(uow: UnitOfWork, *, actor: Actor, draw: str, position: int, outcome: str, inspected_on: date,
                   note: str = "", kind: str | None = None, case_no: str | None = None, amount: str | None = None
                   ) -> Result:
    """The result of inspecting the subject at ``position`` of the draw (录入员)."""
    require(actor, "inspection.outcome")
    row = find_draw(uow, draw)
    item = uow.session.scalar(select(InspectionDrawItem).where(InspectionDrawItem.draw_id == row.id,
                                                               InspectionDrawItem.position == int(position)))
    if item is None:
        raise ValidationError("序号", f"抽查 {row.number} 中没有第{position}个检查对象（共{row.selected}个）")
    if outcome not in OUTCOMES:
        raise ValidationError("检查结果", f"“{outcome}”不是可选值，应为：{'、'.join(OUTCOMES)}")
    if inspected_on < row.as_of or inspected_on > date.today():
        raise ValidationError("检查日期", f"{inspected_on} 应在抽取日 {row.as_of} 与今天之间")
    done = uow.session.scalar(select(InspectionOutcome).where(InspectionOutcome.item_id == item.id))
    if done is not None:
        raise ServiceError(f"抽查 {row.number} 第{position}个检查对象的结果已于{done.inspected_on}登记为“{done.outcome}”，"
                           "不能重复登记；如有错误，请更正由此生成的信用信息")
    subject = item.subject
    note = max_length(clean(note), 2000, "检查情况")
    record_id = None
    if outcome != "合格":
        code = clean(kind) or DEFAULT_KIND.get(subject.type)
        if not code:
            raise ValidationError("信息类别", "检查结果为不合格或违规时，须写明记入信用档案的信息类别")
        info = records.add_record.in_uow(uow, actor=actor, data={
            "subject": subject.uuid, "kind": code, "decision_date": inspected_on.isoformat(),
            "case_no": clean(case_no) or f"抽查{row.number}第{position}号", "source": "supervision",
            "amount": amount or "", "note": f"“双随机、一公开”抽查{row.number}检查结果：{outcome}。{note}".strip()}).value
        record_id = uow.session.scalar(select(CreditRecord.id).where(CreditRecord.uuid == info.uuid))
    out = InspectionOutcome(item_id=item.id, subject_id=subject.id, outcome=outcome, inspected_on=inspected_on,
                            note=note, record_id=record_id, entered_by=actor.username)
    uow.session.add(out)
    uow.session.flush()
    uow.audit(actor, "inspection.outcome", "inspection_outcome", out.uuid,
              after={"draw": row.number, "position": int(position), "subject": subject.uuid, "outcome": outcome,
                     "inspected_on": inspected_on, "record": record_id and info.uuid})
    return Result(_info(row, item, out), Changes(subjects=frozenset({subject.uuid})))


def _info(row: InspectionDraw, item: InspectionDrawItem, out: InspectionOutcome | None) -> OutcomeInfo:
    return OutcomeInfo(row.number, item.position, item.subject.uuid, item.subject.name, item.grade,
                       out and out.outcome, out and out.inspected_on, out.note if out else "",
                       out.record.uuid if out and out.record else None, out and out.entered_by)


@query
def outcomes(uow: UnitOfWork, *, draw: str) -> list[OutcomeInfo]:
    """Every drawn subject with its outcome (None while not yet inspected), in the draw's order."""
    row = find_draw(uow, draw)
    done = {o.item_id: o for o in uow.session.scalars(
        select(InspectionOutcome).join(InspectionDrawItem).where(InspectionDrawItem.draw_id == row.id))}
    items = uow.session.scalars(select(InspectionDrawItem).join(Subject, Subject.id == InspectionDrawItem.subject_id)
                                .where(InspectionDrawItem.draw_id == row.id).order_by(InspectionDrawItem.position))
    return [_info(row, item, done.get(item.id)) for item in items]
