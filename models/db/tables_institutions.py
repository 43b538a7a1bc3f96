"""Institution evaluation and graded supervision: objection decisions on single indicator lines, the yearly
rating (年度信用评价结果) with its four-eyes steps, the bureau's risk rules, and inspection outcomes.

All append-only in the sense that matters: a line change, a rating line and an outcome are never rewritten;
a rating moves forward through its states (草稿 → 已复核 → 已签发 → 已发布), each step with who and when.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, Money, Synced
from models.db.tables import CreditRecord, Subject


class IndicatorAdjustment(Synced, Base):
    """An objection decision (变更) on one line of an evaluation: the points it adds to or takes from that line of
    that tree version, from the day of the evaluation objected to (磐医保〔2021〕43号 第十六条)."""

    __tablename__ = "indicator_adjustments"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), unique=True)
    tree_id: Mapped[str] = mapped_column(String(60))
    tree_version: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    points: Mapped[Decimal] = mapped_column(Money)
    from_day: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(40))


class AnnualRating(Synced, Base):
    """年度信用评价结果: the grades of a year fixed as of a date, drafted, reviewed and signed by different people,
    then published with a validity period."""

    __tablename__ = "annual_ratings"
    __table_args__ = (CheckConstraint("state IN ('草稿','已复核','已签发','已发布')", name="state"),)

    year: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(4), default="草稿")
    drafted_by: Mapped[str] = mapped_column(String(40))
    reviewed_by: Mapped[str | None] = mapped_column(String(40))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    signed_by: Mapped[str | None] = mapped_column(String(40))
    signed_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[AnnualRatingLine]] = relationship(back_populates="rating", order_by="AnnualRatingLine.id")


class AnnualRatingLine(Base):
    """One subject's fixed result in a yearly rating, with the indicator tree version it was computed with."""

    __tablename__ = "annual_rating_lines"
    __table_args__ = (UniqueConstraint("rating_id", "subject_id", name="uq_annual_rating_lines_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("annual_ratings.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    score: Mapped[Decimal | None] = mapped_column(Money)
    grade: Mapped[str | None] = mapped_column(String(4))
    tree: Mapped[str] = mapped_column(String(90), default="")  # “id 第N版”

    rating: Mapped[AnnualRating] = relationship(back_populates="lines")
    subject: Mapped[Subject] = relationship()


class RiskRules(Synced, Base):
    """The bureau's rules for an institution's risk level (风险等级, 鲁政办 2019 意见 二（一）); newest in force."""

    __tablename__ = "risk_rules"

    content: Mapped[str] = mapped_column(Text)  # JSON, see models.policy.risk
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(40))


class InspectionOutcome(Synced, Base):
    """The result of inspecting one subject of a draw; 不合格/违规 becomes a credit record of the subject."""

    __tablename__ = "inspection_outcomes"
    __table_args__ = (CheckConstraint("outcome IN ('合格','不合格','违规')", name="outcome"),
                      UniqueConstraint("item_id", name="uq_inspection_outcomes_item"))

    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_draw_items.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(4))
    inspected_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    entered_by: Mapped[str] = mapped_column(String(40))

    record: Mapped[CreditRecord | None] = relationship()
