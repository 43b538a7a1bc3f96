"""Which program versions have opened this database: the first start of a new version shows what changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UtcDateTime, utcnow


class ProgramVersion(Base):
    """One row per program version, written the first time that version opened the file."""

    __tablename__ = "program_versions"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    first_opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    schema_revision: Mapped[str] = mapped_column(String(40))
    notes_seen_by: Mapped[str | None] = mapped_column(String(40))  # who saw the 更新说明 first
