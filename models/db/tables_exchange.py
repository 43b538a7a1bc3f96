"""Exchange with the city bureau (DOMAIN.md §7): keys, partners, packages, receipts, aliases, imports.

Packages are numbered per sender and receiver; a row of ``exchange_packages`` is the record of
one package written or applied, kept for good. ``exchange_package_rows`` lists what an outgoing
package carried until the receiver acknowledges it, so exactly those rows stop being pending.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UtcDateTime, new_uuid, utcnow


class ExchangeKey(Base):
    """This bureau's own key pairs: Ed25519 signs manifests, X25519 opens packages sent to it.

    Append-only: a new pair retires the previous one, which stays to open packages made for it.
    """

    __tablename__ = "exchange_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    sign_private: Mapped[bytes] = mapped_column(LargeBinary)  # raw 32-byte private keys
    sign_public: Mapped[bytes] = mapped_column(LargeBinary)
    box_private: Mapped[bytes] = mapped_column(LargeBinary)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(40))
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ExchangePartnerKey(Base):
    """A partner's public keys as the admin imported them; the newest per code is in force."""

    __tablename__ = "exchange_partner_keys"
    __table_args__ = (UniqueConstraint("code", "fingerprint", name="uq_exchange_partner_keys_code_fp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), index=True)  # 行政区划代码
    name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(8))  # city | county
    fingerprint: Mapped[str] = mapped_column(String(64))
    sign_public: Mapped[bytes] = mapped_column(LargeBinary)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(40))


class ExchangePackage(Base):
    """One package written (``out``) or applied (``in``), data or receipt."""

    __tablename__ = "exchange_packages"
    __table_args__ = (
        UniqueConstraint("direction", "kind", "sender", "receiver", "sequence", name="uq_exchange_packages_seq"),
        Index("ix_exchange_packages_pair", "sender", "receiver", "direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the manifest's package_id
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    kind: Mapped[str] = mapped_column(String(8))  # data | receipt
    sender: Mapped[str] = mapped_column(String(6))
    receiver: Mapped[str] = mapped_column(String(6))
    sequence: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts by record type and outcome
    filename: Mapped[str] = mapped_column(String(260), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # outgoing data packages, to send again
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    handled_by: Mapped[str] = mapped_column(String(40))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # out: the receipt arrived


class ExchangePackageRow(Base):
    """A row an outgoing package carried, at the version it carried; dropped once acknowledged."""

    __tablename__ = "exchange_package_rows"
    __table_args__ = (Index("ix_exchange_package_rows_pkg", "package_id", "table_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("exchange_packages.id"))
    table_name: Mapped[str] = mapped_column(String(40))
    row_uuid: Mapped[str] = mapped_column(String(36))
    row_updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    local: Mapped[bool] = mapped_column(Boolean)  # owned here (pending flag) or forwarded (delivered log)


class ExchangeDelivered(Base):
    """Rows owned by a third county that a receiver acknowledged (the city forwards shared files)."""

    __tablename__ = "exchange_delivered"

    receiver: Mapped[str] = mapped_column(String(6), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    row_updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExchangeAlias(Base):
    """Another county's row for a subject this database already holds (same ID number or credit code).

    One person keeps one file (一医一档): references to the remote UUID resolve to the local row.
    """

    __tablename__ = "exchange_aliases"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    remote_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    local_uuid: Mapped[str] = mapped_column(String(36), index=True)
    county: Mapped[str] = mapped_column(String(6))  # owner of the remote row
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReceivedPolicyPack(Base):
    """A policy pack the city sent, stored with its version; append-only."""

    __tablename__ = "received_policy_packs"
    __table_args__ = (UniqueConstraint("pack_id", "version", name="uq_received_policy_packs_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(20))
    document_number: Mapped[str | None] = mapped_column(String(60))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    package_uuid: Mapped[str] = mapped_column(String(36))
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    installed_by: Mapped[str] = mapped_column(String(40))


class ExchangeTombstone(Base):
    """A synchronised row that was deleted here: the deletion marker the next package carries.

    Written by database triggers (migration 0006), so no code path can delete a row unseen.
    Rows with legal weight cannot be deleted at all; this covers the others (a registration, an attachment).
    """

    __tablename__ = "exchange_tombstones"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_uuid: Mapped[str] = mapped_column(String(36), index=True)
    origin_county: Mapped[str | None] = mapped_column(String(6))
    deleted_at: Mapped[str] = mapped_column(String(32))  # ISO text: written by a trigger, not by Python
    package_id: Mapped[int | None] = mapped_column(Integer)  # the newest package that carried it
    sync_pending: Mapped[bool] = mapped_column(Boolean, default=True)


class ExcelImport(Base):
    """One Excel import: what file, how many rows were valid and what was written."""

    __tablename__ = "excel_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    kind: Mapped[str] = mapped_column(String(12))  # roster | violations
    filename: Mapped[str] = mapped_column(String(260))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    valid: Mapped[int] = mapped_column(Integer)
    imported: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(40))
