"""The hash chain that seals rows with legal weight (models/db/integrity.py writes and checks it)."""
from __future__ import annotations

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base


class IntegritySeal(Base):
    """The rows one transaction inserted, changed or deleted in one sealed table: their ids and keyed digests,
    chained to the seal before by an HMAC whose key is in the user's key store (``key_id`` names it)."""

    __tablename__ = "integrity_seals"
    __table_args__ = (Index("ix_integrity_seals_table_last", "table_name", "last_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    first_id: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    entries: Mapped[bytes] = mapped_column(LargeBinary)  # per row: id (8 bytes) and keyed digest (8 bytes)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16), server_default="")
