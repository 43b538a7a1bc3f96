"""申诉 (appeals) against points and payment-qualification decisions (济医保发〔2025〕6号 四（八）).

One row per appeal, moved through its states by audited transitions (待处理 → 评估鉴定中 → 已办结).
What a decision changes is never written here: a 变更 or 撤销 takes effect through the existing
correction and decision paths (a correcting record, a points reduction, a shortened or lifted
measure), and ``effect_uuid`` names the row that path made.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, Synced
from models.db.tables import CreditRecord, Subject
from models.db.tables_casework import MeasureRow, _in

APPEAL_STATES = ("待处理", "评估鉴定中", "已办结")
APPEAL_OUTCOMES = ("维持", "变更", "撤销")
# What is appealed (四（八）: 记分管理, 医保支付资格处理决定, and the 责任认定 and 状态维护 behind them).
APPEAL_MATTERS = ("记分管理", "责任认定", "医保支付资格处理", "状态维护")
APPELLANTS = ("本人", "所在机构")


class Appeal(Synced, Base):
    __tablename__ = "appeals"
    __table_args__ = (CheckConstraint(_in("state", APPEAL_STATES), name="state"),
                      CheckConstraint("outcome IS NULL OR " + _in("outcome", APPEAL_OUTCOMES), name="outcome"),
                      CheckConstraint(_in("matter", APPEAL_MATTERS), name="matter"),
                      CheckConstraint(_in("appellant", APPELLANTS), name="appellant"),
                      CheckConstraint("target IN ('record','measure')", name="target"))

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    target: Mapped[str] = mapped_column(String(8))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    matter: Mapped[str] = mapped_column(String(10))
    appellant: Mapped[str] = mapped_column(String(4))  # the person, or an institution for its staff
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    received_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    materials: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(40))
    # The bureau's own handling period (no document fixes one), as set on the day the appeal was received.
    handling_days: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # 暂定: a year without schedule
    state: Mapped[str] = mapped_column(String(6), default="待处理")
    # 评估鉴定: disputed professional questions go to a third-party body or an expert panel.
    assessor: Mapped[str | None] = mapped_column(String(100))
    referred_on: Mapped[date | None] = mapped_column(Date)
    referred_by: Mapped[str | None] = mapped_column(String(40))
    question: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    concluded_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(2))
    answer: Mapped[str | None] = mapped_column(Text)
    decision_basis: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_on: Mapped[date | None] = mapped_column(Date)
    effect: Mapped[str | None] = mapped_column(Text)  # what the decision changed, in words
    effect_uuid: Mapped[str | None] = mapped_column(String(36))  # the correction, reduction or measure

    subject: Mapped[Subject] = relationship(foreign_keys=[subject_id])
    institution: Mapped[Subject | None] = relationship(foreign_keys=[institution_id])
    record: Mapped[CreditRecord | None] = relationship()
    measure: Mapped[MeasureRow | None] = relationship()
