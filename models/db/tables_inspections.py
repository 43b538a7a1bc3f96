"""“双随机、一公开” inspections: the roster of law-enforcement inspectors and the stored draws.

A draw is a public act (鲁政办 2019 意见 二（一）): it keeps everything needed to re-derive it —
seed, base ratio, population with the grades used, inspector pool — and is never changed or
deleted afterwards (triggers in migration 0007). A draw made again is a new draw.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, Synced
from models.db.tables import Subject


class Inspector(Synced, Base):
    """执法检查人员: who may be sent to inspect, identified by the law-enforcement certificate number."""

    __tablename__ = "inspectors"

    name: Mapped[str] = mapped_column(String(40))
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)  # 执法证号
    unit: Mapped[str] = mapped_column(String(100), default="")  # 所在单位或科室
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[str] = mapped_column(String(40))


class InspectionDraw(Synced, Base):
    """One draw: who, when, seed, parameters, population, and the selection in ``items``."""

    __tablename__ = "inspection_draws"
    __table_args__ = (CheckConstraint("subject_type IN ('practitioner','insured','institution')", name="subject_type"),
                      CheckConstraint("population >= 0 AND selected >= 0", name="counts"))

    number: Mapped[str] = mapped_column(String(20), unique=True)  # 抽查编号, e.g. 2026-003
    title: Mapped[str] = mapped_column(String(200))  # 抽查事项
    subject_type: Mapped[str] = mapped_column(String(16))
    filters: Mapped[str] = mapped_column(Text)  # JSON: {"institutions": [credit codes], "township": …}
    base_ratio: Mapped[str] = mapped_column(String(12))  # decimal as text, exactly as entered
    seed: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date] = mapped_column(Date)  # the date the inspection ratios were taken in force
    profile: Mapped[str] = mapped_column(String(40))
    per_subject: Mapped[int] = mapped_column(Integer)  # inspectors sent to each subject
    population: Mapped[int] = mapped_column(Integer)
    selected: Mapped[int] = mapped_column(Integer)
    # The candidates as drawn: zlib of sorted "uuid<TAB>grade" lines, and its SHA-256 for publication.
    candidates: Mapped[bytes] = mapped_column(LargeBinary)
    candidates_sha256: Mapped[str] = mapped_column(String(64))
    pool: Mapped[str] = mapped_column(Text)  # JSON: the inspectors it drew from [{certificate_no, name, unit}]
    basis: Mapped[str] = mapped_column(Text)  # JSON list of the rules applied (文号 条款)
    note: Mapped[str] = mapped_column(Text, default="")
    drawn_by: Mapped[str] = mapped_column(String(40))

    items: Mapped[list[InspectionDrawItem]] = relationship(back_populates="draw", order_by="InspectionDrawItem.position")


class InspectionDrawItem(Synced, Base):
    """A subject the draw selected, with its grade, probability and the inspectors sent."""

    __tablename__ = "inspection_draw_items"
    __table_args__ = (UniqueConstraint("draw_id", "position", name="uq_inspection_draw_items_draw_position"),)

    draw_id: Mapped[int] = mapped_column(ForeignKey("inspection_draws.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based, in the engine's order (by UUID)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(4))
    probability: Mapped[str] = mapped_column(String(12))
    inspectors: Mapped[str] = mapped_column(Text)  # JSON list of certificate numbers

    draw: Mapped[InspectionDraw] = relationship(back_populates="items")
    subject: Mapped[Subject] = relationship()
