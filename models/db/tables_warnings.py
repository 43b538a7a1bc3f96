"""Credit warnings (信用预警; 淮医保发〔2020〕104号 三（五）“加强对失信行为的记录、公示和预警”).

``warning_rules``: the county's rules, append-only (the newest row of the county is in force; without one the
shipped sample rules apply). ``credit_warnings``: one row per subject, rule and cause; a warning is raised again
only when its cause changes, is closed (``cleared_on``) when the cause no longer holds and may be acknowledged
with a note. Both are kept here and never deleted.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UtcDateTime, new_uuid, utcnow
from models.db.tables import Subject

WARNING_LEVELS = ("提示", "关注", "警示")


class WarningRuleSet(Base):
    __tablename__ = "warning_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    content: Mapped[str] = mapped_column(Text)  # JSON in the format of resources/warnings/rules.json
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CreditWarning(Base):
    __tablename__ = "credit_warnings"
    __table_args__ = (UniqueConstraint("subject_id", "rule", "cause", name="uq_credit_warnings_cause"),
                      CheckConstraint("level IN ('提示','关注','警示')", name="level"),
                      Index("ix_credit_warnings_open", "cleared_on", "level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(4))
    cause: Mapped[str] = mapped_column(String(200))  # what raised it; the same cause never raises it twice
    text: Mapped[str] = mapped_column(Text)  # the sentence a user reads
    basis: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))  # the table the cause was read from
    source_ref: Mapped[str | None] = mapped_column(String(36))  # the evaluation or record behind it
    raised_on: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cleared_on: Mapped[date | None] = mapped_column(Date)
    acknowledged_by: Mapped[str | None] = mapped_column(String(40))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    subject: Mapped[Subject] = relationship()
