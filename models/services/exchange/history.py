"""Packages and receipts as the screens and the command line list them; the exchange status."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from models.db.tables_exchange import ExchangePackage
from models.services.base import ServiceError, UnitOfWork, query
from models.services.county import current_county
from models.services.exchange import keys
from models.services.exchange.export import pending_counts, write_file
from models.services.exchange.extras import received_packs

KIND_NAMES = {"data": "数据包", "receipt": "回执"}
DIRECTION_NAMES = {"out": "发出", "in": "收到"}


@dataclass(frozen=True)
class PackageRow:
    uuid: str
    direction: str
    kind: str
    sender: str
    receiver: str
    sequence: int
    handled_at: datetime
    handled_by: str
    filename: str
    acknowledged_at: datetime | None
    records: int
    summary: dict
    manifest_sha256: str
    sender_name: str
    receiver_name: str

    @property
    def state(self) -> str:
        if self.direction == "in":
            return "已导入" if self.kind == "data" else "已确认"
        if self.kind == "receipt":
            return "已生成"
        return "对方已确认" if self.acknowledged_at else "待对方回执"


def _row(p: ExchangePackage, names: dict[str, str]) -> PackageRow:
    summary = json.loads(p.summary or "{}")
    counts = summary.get("records") or {}  # what an outgoing package carried
    if not counts and summary.get("counts"):  # what an incoming one held, whatever became of each row
        counts = {k: sum(v.values()) for k, v in summary["counts"].items() if k not in ("markers", "blobs")}
    return PackageRow(p.uuid, p.direction, p.kind, p.sender, p.receiver, p.sequence, p.handled_at, p.handled_by,
                      p.filename, p.acknowledged_at, sum(counts.values()), summary, p.manifest_sha256,
                      names.get(p.sender, p.sender), names.get(p.receiver, p.receiver))


@query
def packages(uow: UnitOfWork, *, limit: int = 500) -> list[PackageRow]:
    """Newest first; a history of a few years of monthly exchanges fits easily."""
    county = current_county(uow)
    names = {county.code: county.name, **{k.code: k.name for k in keys.partners.in_uow(uow)}}
    rows = uow.session.scalars(select(ExchangePackage).order_by(ExchangePackage.id.desc()).limit(limit))
    return [_row(p, names) for p in rows]


@dataclass(frozen=True)
class Status:
    code: str
    name: str
    role: str
    own_key: keys.KeyInfo | None
    partners: list
    pending: dict
    last_out: dict  # partner -> (sequence, acknowledged)
    last_in: dict  # partner -> sequence
    policy_packs: list  # received from the city, newest first


@query
def status(uow: UnitOfWork) -> Status:
    county = current_county(uow)
    last_out, last_in = {}, {}
    for p in uow.session.scalars(select(ExchangePackage).where(ExchangePackage.kind == "data").order_by(ExchangePackage.sequence)):
        if p.direction == "out":
            last_out[p.receiver] = (p.sequence, p.acknowledged_at is not None)
        else:
            last_in[p.sender] = p.sequence
    return Status(county.code, county.name, keys.role_of(county.code), keys.own_key.in_uow(uow),
                  keys.partners.in_uow(uow), pending_counts(uow, county.code), last_out, last_in, received_packs(uow))


@query
def save_again(uow: UnitOfWork, *, package_uuid: str, to_dir: str) -> str:
    """Write an outgoing package again, byte for byte (a lost file is sent again, never renumbered)."""
    p = uow.session.scalar(select(ExchangePackage).where(ExchangePackage.uuid == package_uuid))
    if p is None or p.direction != "out" or p.content is None:
        raise ServiceError("只能重新保存本局发出的数据包或回执")
    if not Path(to_dir).is_dir():
        raise ServiceError(f"“{to_dir}”不存在或不是文件夹")
    return str(write_file(Path(to_dir) / p.filename, p.content))
