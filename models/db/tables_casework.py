"""Casework tables: findings with responsible persons, points notifications, measures with their
lifecycle, corrections (鲁 第十二条), objections, repairs, case attachments and notice drafts.

Rows with legal weight are never deleted (triggers in migration 0004). A case moves through its
states by audited transitions of its ``state`` column; the facts it decided (records, status
rows, choices) are new rows.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from models.db.base import Base, Money, Synced
from models.db.tables import CreditRecord, Subject

FINDING_STATES = ("待确认", "已确认")
MEASURE_STATES = ("生效", "期满", "修复提前结束", "撤销")
OBJECTION_STATES = ("待复核", "已办结")
OBJECTION_OUTCOMES = ("维持", "变更")
REPAIR_STATES = ("已受理", "公示中", "已修复", "不予修复")
# credit: 信用修复 on application (磐 第二十三、二十四条 / 鲁 第十一条); auto: 鲁 第十二条;
# points / shorten: 减免记分 / 缩减期限 (济医保发〔2025〕6号 四(七)).
REPAIR_KINDS = ("credit", "auto", "points", "shorten")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({','.join(repr(v) for v in values)})"


class Finding(Synced, Base):
    """违规认定: the decision against an institution, before and after the reviewer confirms it."""

    __tablename__ = "findings"
    __table_args__ = (CheckConstraint(_in("state", FINDING_STATES), name="state"),
                      CheckConstraint("decision_type IN ('行政处罚','协议处理','刑事')", name="decision_type"))

    institution_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    case_no: Mapped[str] = mapped_column(String(60), unique=True)
    decision_type: Mapped[str] = mapped_column(String(8))
    decision_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Money)  # fund loss (基金损失), 元
    article: Mapped[str] = mapped_column(Text)  # the provision violated
    source: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # Catalogue kind of the institution's own record; None when the decision type has none (刑事).
    institution_kind: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(4), default="待确认")
    entered_by: Mapped[str] = mapped_column(String(40))
    confirmed_by: Mapped[str | None] = mapped_column(String(40))
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    institution_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))

    institution: Mapped[Subject] = relationship(foreign_keys=[institution_id])
    persons: Mapped[list[ResponsiblePerson]] = relationship(back_populates="finding", order_by="ResponsiblePerson.id")


class FindingWithdrawal(Base):
    """撤回: the clerk who entered a finding withdrew it before anyone confirmed it, with the reason.

    A fact of its own beside the finding, which keeps what was entered; kept here (not exchanged),
    as an unconfirmed finding never leaves the county.
    """

    __tablename__ = "finding_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by: Mapped[str] = mapped_column(String(40))
    withdrawn_on: Mapped[date] = mapped_column(Date)

    finding: Mapped[Finding] = relationship(backref=backref("withdrawal", uselist=False))


class ResponsiblePerson(Synced, Base):
    """责任认定 (济医保发〔2025〕6号 四(五)): one practitioner's responsibility for a finding."""

    __tablename__ = "finding_persons"
    __table_args__ = (UniqueConstraint("finding_id", "practitioner_id", name="uq_finding_persons_pair"),
                      CheckConstraint("responsibility IN ('主要','重要','一般')", name="responsibility"))

    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    responsibility: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(40))  # catalogue kind: decides the points band
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))  # made at confirmation

    finding: Mapped[Finding] = relationship(back_populates="persons")
    practitioner: Mapped[Subject] = relationship(foreign_keys=[practitioner_id])
    record: Mapped[CreditRecord | None] = relationship()


class PointsNotification(Synced, Base):
    """Points notified to an institution where the person is registered (济医保发〔2025〕6号 四(六))."""

    __tablename__ = "points_notifications"

    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    points: Mapped[int] = mapped_column(Integer)
    year_total: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(40))

    institution: Mapped[Subject] = relationship(foreign_keys=[institution_id])


class MeasureRow(Synced, Base):
    """A measure imposed on a subject, materialised from the engine's result, with its lifecycle.

    ``planned_end`` is the last day (对应日); ``ended_on`` the first day it no longer applies.
    """

    __tablename__ = "measures"
    __table_args__ = (CheckConstraint(_in("state", MEASURE_STATES), name="state"),
                      Index("ix_measures_subject_state", "subject_id", "state"))

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60))
    basis: Mapped[str] = mapped_column(Text)
    start: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    months: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(6), default="生效")
    ended_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(40))  # who chose or imposed it (four-eyes for lifting)
    end_reason: Mapped[str] = mapped_column(Text, default="")

    subject: Mapped[Subject] = relationship()
    record: Mapped[CreditRecord | None] = relationship()


class Rectification(Synced, Base):
    """纠正失信行为、消除不良影响、作出修复承诺 (鲁医保发〔2024〕25号 第十二条) → RecordFact.corrected_on."""

    __tablename__ = "rectifications"

    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    corrected_on: Mapped[date] = mapped_column(Date)
    commitment: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(40))

    record: Mapped[CreditRecord] = relationship(backref=backref("rectifications", order_by="Rectification.id"))


class Objection(Synced, Base):
    """异议 against a record or an evaluation result (磐 第十六条, 鲁 第十条)."""

    __tablename__ = "objections"
    __table_args__ = (CheckConstraint(_in("state", OBJECTION_STATES), name="state"),
                      CheckConstraint("outcome IS NULL OR " + _in("outcome", OBJECTION_OUTCOMES), name="outcome"),
                      CheckConstraint("target IN ('record','evaluation')", name="target"))

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    target: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    delivered_on: Mapped[date] = mapped_column(Date)  # the notice reached the subject
    received_on: Mapped[date] = mapped_column(Date)  # the bureau received the objection
    reason: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(40))
    filing_deadline: Mapped[date | None] = mapped_column(Date)
    review_deadline: Mapped[date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # 暂定: a year without schedule
    basis: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(4), default="待复核")
    outcome: Mapped[str | None] = mapped_column(String(2))
    answer: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_on: Mapped[date | None] = mapped_column(Date)
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    indicator_code: Mapped[str | None] = mapped_column(String(20))  # one line of the evaluation (三级指标)

    subject: Mapped[Subject] = relationship()
    record: Mapped[CreditRecord | None] = relationship(foreign_keys=[record_id])


class Repair(Synced, Base):
    """信用修复 and the repair decisions of 济医保发〔2025〕6号 四(七), one row per decision."""

    __tablename__ = "repairs"
    __table_args__ = (CheckConstraint(_in("state", REPAIR_STATES), name="state"),
                      CheckConstraint(_in("kind", REPAIR_KINDS), name="kind"),
                      CheckConstraint("points_reduction >= 0", name="points_reduction"))

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    kind: Mapped[str] = mapped_column(String(8))
    applied_on: Mapped[date] = mapped_column(Date)
    materials: Mapped[str] = mapped_column(Text, default="")
    commitment: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(40))
    eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of refusal grounds with articles
    decision_deadline: Mapped[date | None] = mapped_column(Date)
    latest_deadline: Mapped[date | None] = mapped_column(Date)  # with the longest extension allowed
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[str] = mapped_column(Text, default="")
    extended_to: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(4), default="已受理")
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    notice_end: Mapped[date | None] = mapped_column(Date)  # last day of the public notice (公示)
    repaired_on: Mapped[date | None] = mapped_column(Date)
    points_reduction: Mapped[int] = mapped_column(Integer, default=0)

    subject: Mapped[Subject] = relationship()
    record: Mapped[CreditRecord] = relationship(backref=backref("repairs", order_by="Repair.id"))
    measure: Mapped[MeasureRow | None] = relationship()


class CaseAttachment(Synced, Base):
    """Materials of an objection or repair, stored once per SHA-256 in ``blobs``."""

    __tablename__ = "case_attachments"

    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(200))


class Notice(Synced, Base):
    """A notice draft (告知书、反馈单). Minimal on purpose: the notices work renders, numbers and signs
    them. ``type``: objection_answer (附件2), repair_refused (附件4), repair_confirmed (附件5);
    ``payload`` is JSON with the facts and legal basis the document needs; ``state`` starts as draft."""

    __tablename__ = "notices"

    type: Mapped[str] = mapped_column(String(40))
    # A published red/black list has no single subject (migration 0005 made the column nullable).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    created_by: Mapped[str] = mapped_column(String(40))

    subject: Mapped[Subject] = relationship()
