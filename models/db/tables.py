"""Typed tables for DOMAIN.md §1–2: county, subjects, registrations, records, users, audit.

Rows with legal weight are append-only: a correction is a new ``CreditRecord`` whose
``supersedes_id`` points at the old one (Panan 第十二条, 第二十五条); registration status
changes are new ``RegistrationStatus`` rows.
"""
from __future__ import annotations

import json
import zlib
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    text,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, Money, Synced, UtcDateTime, new_uuid, utcnow
from models.pinyin import reversed_number_default, sort_key_default

SUBJECT_TYPES = ("practitioner", "insured", "institution")
RESPONSIBILITY_LEVELS = ("主要", "重要", "一般")
REGISTRATION_STATUSES = ("正常", "暂停", "终止")


class County(Base):
    """The bureau running this installation (行政区划代码 GB/T 2260)."""

    __tablename__ = "county"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    profile: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Subject(Synced, Base):
    """A credit subject. One table for the three kinds keeps lists and search on one index."""

    __tablename__ = "subjects"
    __table_args__ = (
        CheckConstraint("type IN ('practitioner','insured','institution')", name="type"),
        UniqueConstraint("type", "id_number", name="uq_subjects_type_id_number"),
        Index("ix_subjects_type_name", "type", "name"),
        Index("ix_subjects_type_initials", "type", "initials"),
    )

    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    # Pinyin initials of the name, lower case, computed at write time for search (张三 → zs).
    initials: Mapped[str] = mapped_column(String(100), default="")
    # Pinyin of the name for sorting lists (models/pinyin.py); names are never changed in place.
    sort_key: Mapped[str] = mapped_column(String(400), default=sort_key_default)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    # The ID number backwards: search by its last digits uses an index (models/pinyin.py).
    id_number_reversed: Mapped[str | None] = mapped_column(String(18), default=reversed_number_default)
    other_id: Mapped[str | None] = mapped_column(String(40))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    insurance_code: Mapped[str | None] = mapped_column(String(32))
    institution_kind: Mapped[str | None] = mapped_column(String(16))
    practice_reg_no: Mapped[str | None] = mapped_column(String(40))
    profession: Mapped[str | None] = mapped_column(String(20))
    insurance_type: Mapped[str | None] = mapped_column(String(8))
    township: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))

    registrations: Mapped[list[Registration]] = relationship(
        foreign_keys="Registration.practitioner_id", back_populates="practitioner"
    )


class Registration(Synced, Base):
    """登记备案: a practitioner at one institution (济医保发〔2025〕6号 四(三))."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("practitioner_id", "institution_id", name="uq_registration_pair"),)

    practitioner_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    # Current status, kept equal to the newest RegistrationStatus row, which is the legal record.
    status: Mapped[str] = mapped_column(String(4), default="正常")

    practitioner: Mapped[Subject] = relationship(foreign_keys=[practitioner_id], back_populates="registrations")
    institution: Mapped[Subject] = relationship(foreign_keys=[institution_id])
    history: Mapped[list[RegistrationStatus]] = relationship(
        back_populates="registration", order_by="(RegistrationStatus.effective_on, RegistrationStatus.id)"
    )


class RegistrationStatus(Synced, Base):
    __tablename__ = "registration_status"
    __table_args__ = (CheckConstraint("status IN ('正常','暂停','终止')", name="status"),)

    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    status: Mapped[str] = mapped_column(String(4))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(40))

    registration: Mapped[Registration] = relationship(back_populates="history")


class ServiceCommitment(Synced, Base):
    """服务承诺, personal or collective, required before serving insured persons (济 四(四))."""

    __tablename__ = "service_commitments"

    practitioner_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    kind: Mapped[str] = mapped_column(String(4))  # 个人 / 集体
    signed_on: Mapped[date] = mapped_column(Date)


class CreditRecord(Synced, Base):
    """One piece of good (守信) or bad (不良) information in a credit file."""

    __tablename__ = "credit_records"
    __table_args__ = (
        CheckConstraint("responsibility IS NULL OR responsibility IN ('主要','重要','一般')", name="responsibility"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),
        # Covering index for yearly points per subject (ECOSYSTEM.md: ~2x on a yearly GROUP BY).
        Index("ix_records_subject_date", "subject_id", "decision_date", "kind"),
    )

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    kind: Mapped[str] = mapped_column(String(40))
    good: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(20))
    case_no: Mapped[str] = mapped_column(String(60), default="")
    decision_date: Mapped[date] = mapped_column(Date)
    decision_type: Mapped[str | None] = mapped_column(String(8))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    responsibility: Mapped[str | None] = mapped_column(String(4))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(40))
    # A correction names the record it replaces and why; the old row is never changed.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)

    subject: Mapped[Subject] = relationship(foreign_keys=[subject_id])
    institution: Mapped[Subject | None] = relationship(foreign_keys=[institution_id])
    supersedes: Mapped[CreditRecord | None] = relationship(remote_side="CreditRecord.id")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="record")


class Blob(Base):
    """Attachment contents, addressed by SHA-256 so the same scan is stored once."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Synced, Base):
    __tablename__ = "attachments"

    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(200))

    record: Mapped[CreditRecord] = relationship(back_populates="attachments")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(100))  # comma-separated role codes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what, when and why; append-only (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str | None] = mapped_column(Text)  # JSON summary
    after: Mapped[str | None] = mapped_column(Text)  # JSON summary


class EvaluationSnapshot(Base):
    """The history of a subject's standing: a row only when the result changed, so the history shows every
    change of points, score, grade, measures or lists without bloat. Since schema 0010 ``result`` is empty
    and the result is the ``StandingResult`` named by ``result_hash`` (shared by subjects with equal results)."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_subject", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    # NULL: the result shared by every subject without facts of its own (one row, not one per subject)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str] = mapped_column(String(40))
    score: Mapped[Decimal | None] = mapped_column(Money)  # two decimals, same exact storage as money
    grade: Mapped[str | None] = mapped_column(String(4))
    points_year: Mapped[int] = mapped_column(Integer)
    points_total: Mapped[int] = mapped_column(Integer)
    rule_status: Mapped[str] = mapped_column(String(20))
    result_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text)  # the JSON contract of `explain`


class SubjectStanding(Base):
    """The legal standing of each subject, one row each: written only by models.services.standing, read by
    every screen, document, list and export. It holds as of ``as_of`` until the day before ``valid_until``
    (the next date on which the calendar alone changes it); ``dirty`` marks a row whose facts changed
    in a run not yet finished (a new policy pack or indicator tree)."""

    __tablename__ = "subject_standing"
    # Partial indexes: few rows are dirty or on a list, only practitioners and institutions are graded, and a
    # county-wide run writes every row. No foreign keys: the rows are derived, written only by
    # models/services/standing_store.py from the subjects and the history rows it selects or wrote first in the same
    # statement or transaction (migration 0023 says why).
    __table_args__ = (Index("ix_standing_grade", "grade", sqlite_where=text("grade IS NOT NULL"),
                            postgresql_where=text("grade IS NOT NULL")),
                      Index("ix_standing_valid_until", "valid_until"),
                      Index("ix_standing_dirty", "subject_id", sqlite_where=text("dirty"), postgresql_where=text("dirty")),
                      Index("ix_standing_lists", "black", "red", sqlite_where=text("black OR red"),
                            postgresql_where=text("black OR red")))

    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # subjects.id
    evaluation_id: Mapped[int] = mapped_column(Integer)  # evaluations.id: the history row of this result
    as_of: Mapped[date] = mapped_column(Date)
    score: Mapped[Decimal | None] = mapped_column(Money)
    grade: Mapped[str | None] = mapped_column(String(4))
    points_total: Mapped[int] = mapped_column(Integer)
    measures: Mapped[int] = mapped_column(Integer)  # measures in effect on as_of
    result_hash: Mapped[str] = mapped_column(String(64))
    valid_until: Mapped[date | None] = mapped_column(Date)
    dirty: Mapped[bool] = mapped_column(Boolean, default=False)
    sanction: Mapped[bool] = mapped_column(Boolean, default=False)  # a sanction in effect (淮 三（五）)
    red: Mapped[bool] = mapped_column(Boolean, default=False)
    black: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_choices: Mapped[int] = mapped_column(Integer, default=0)  # measures waiting for the handler's period
    registration_status: Mapped[str | None] = mapped_column(String(4))  # practitioners: 正常 / 暂停 / 终止
    ban_until: Mapped[date | None] = mapped_column(Date)  # last day of the latest 不得再次登记备案 (ended ones too)


class StandingResult(Base):
    """A standing without the subject's identity, stored once however many subjects share it.

    ``body`` is the JSON compressed with zlib (it repeats record numbers and article texts); ``hash`` is the
    SHA-256 of the uncompressed JSON."""

    __tablename__ = "standing_results"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)

    @staticmethod
    def pack(text: str) -> bytes:
        return zlib.compress(text.encode("utf-8"), 6)

    def result(self) -> dict:
        return json.loads(zlib.decompress(self.body))


class CalendarYear(Base):
    """One year's official holiday schedule (国务院办公厅通知): seeded, loaded by the admin or sent by the city."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    workdays: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates (调休上班)
    source: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(40))


class MeasureChoiceRow(Synced, Base):
    """The handler's choice inside a range the law allows (e.g. 暂停 1–6 months), with the reason."""

    __tablename__ = "measure_choices"

    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    months: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    start: Mapped[date | None] = mapped_column(Date)
    chosen_by: Mapped[str] = mapped_column(String(40))

    record: Mapped[CreditRecord] = relationship()


class IndicatorSetRow(Base):
    """The bureau's own indicator tree (磐医保〔2021〕43号 第十三条: 评价指标另行制定).

    Append-only: the newest row is in force, earlier ones remain as the record of what applied when.
    """

    __tablename__ = "indicator_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    content: Mapped[str] = mapped_column(Text)  # JSON in the format of resources/policies/indicators/sample.json
    sample: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(40))
