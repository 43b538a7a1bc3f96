"""Declarative base, column types and the columns every synchronised table carries."""
from __future__ import annotations

import os
import uuid as uuidlib
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, Boolean, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so that Alembic batch migrations on SQLite can find them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs at once, for bulk writes: one call to the OS for all the randomness."""
    raw = os.urandom(16 * n)
    out = []
    for i in range(0, 16 * n, 16):
        h = raw[i:i + 16].hex()
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}")
    return out


class Money(TypeDecorator):
    """Amounts in yuan as Decimal, stored exactly as integer fen (分).

    SQLite has no decimal type; SQLAlchemy's Numeric would round-trip through float there.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        d = Decimal(value)
        if d != d.quantize(CENT):
            raise ValueError(f"金额最多两位小数：{value}")
        return int((d * 100).to_integral_value(rounding=ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes (SQLite drops tzinfo otherwise)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Synced:
    """Permanent identity and sync bookkeeping (DOMAIN.md §7).

    ``sync_pending`` stays true until the city acknowledges a package carrying the row.
    ``origin_county`` is the county that owns the row; rows owned elsewhere are read-only here.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    sync_pending: Mapped[bool] = mapped_column(Boolean, default=True)
    origin_county: Mapped[str | None] = mapped_column(String(6))
