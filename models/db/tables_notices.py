"""Notice register (发文登记), sign-off steps, deliveries, numbering settings and the bureau's certificate.

A notice (``notices``, drafted by casework or the notices service) moves draft → reviewed →
signed_off → issued, or is returned (退回) or voided (作废). Each step is a ``NoticeStep`` row; the
issued document is one ``NoticeIssue`` row holding its number, verification code and the SHA-256 of
the signed PDF (stored in ``blobs``). Issue, step and delivery rows are never changed or deleted
(triggers in migration 0005): a voided notice keeps its number, and the reason is a step.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, Synced, UtcDateTime, new_uuid, utcnow
from models.db.tables_casework import Notice

NOTICE_STEPS = ("review", "return", "sign_off", "issue", "void", "print")
DELIVERY_METHODS = ("直接送达", "留置送达", "邮寄送达", "电子送达", "委托送达", "公告送达")


class NoticeIssue(Synced, Base):
    """登记簿: one issued document."""

    __tablename__ = "notice_issues"
    __table_args__ = (UniqueConstraint("prefix", "year", "number", name="uq_notice_issues_number"),)

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), unique=True)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(60))
    prefix: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    doc_number: Mapped[str] = mapped_column(String(40), unique=True)  # 宁医保信〔2026〕12号
    issued_on: Mapped[date] = mapped_column(Date)  # 成文日期
    verify_code: Mapped[str] = mapped_column(String(12), unique=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text)  # JSON: exactly what the document says, frozen at issue
    cert_fingerprint: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(40))

    notice: Mapped[Notice] = relationship()


class NoticeStep(Base):
    """A step in a notice's life, with who, when and why; four-eyes is checked against these rows."""

    __tablename__ = "notice_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    step: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 of the document's facts as the reviewer and the signer saw them: issuing refuses a
    # document whose content changed after sign-off (the casework behind it was corrected, say).
    facts_sha256: Mapped[str | None] = mapped_column(String(64))


class NoticeDelivery(Synced, Base):
    """送达: deadlines to object run from the day the document reached the subject."""

    __tablename__ = "notice_deliveries"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    delivered_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(40))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("notice_deliveries.id"), unique=True)
    objection_deadline: Mapped[date | None] = mapped_column(Date)
    deadline_provisional: Mapped[bool] = mapped_column(default=False)
    deadline_basis: Mapped[str] = mapped_column(Text, default="")


class NoticeSettings(Base):
    """发文字号 settings: the county's prefix (e.g. 宁医保) and each type's 代字; newest row in force."""

    __tablename__ = "notice_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # JSON {"prefix": "宁医保", "series": {type: "信"}, ...}
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(40))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SigningCertificate(Base):
    """The bureau's signing certificate. ``p12`` is PKCS#12 re-encrypted with AES-256-CBC and PBKDF2
    (cryptography's best available encryption) under the certificate password, which is never
    stored: the signer types it when issuing. Newest active row is in force; older ones stay so
    that documents signed with them still verify."""

    __tablename__ = "signing_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    p12: Mapped[bytes] = mapped_column(LargeBinary)
    subject: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the certificate (DER)
    chain_pem: Mapped[str] = mapped_column(Text)  # CA certificates: the trust roots for verification
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime)
    test_only: Mapped[bool] = mapped_column(default=False)
    installed_by: Mapped[str] = mapped_column(String(40))
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
