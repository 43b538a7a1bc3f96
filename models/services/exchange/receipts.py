"""Receipts: the receiver says which package it applied; the sender's rows then stop being pending.

A receipt is a signed package of kind ``receipt`` with no data; every data package also carries
the same acknowledgement of the newest package applied from its receiver.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, delete, exists, insert, select, update

from models.db.base import new_uuid, utcnow
from models.db.tables_exchange import ExchangeDelivered, ExchangePackage, ExchangePackageRow, ExchangeTombstone
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, require, service
from models.services.county import current_county
from models.services.exchange import keys
from models.services.exchange.export import RESEND_MARGIN, acknowledgement, package_name, schema_version, write_file
from models.services.exchange.format import PackageRefused, sha256, write_package
from models.services.exchange.rows import synced_tables
from models.validation import ValidationError


@dataclass(frozen=True)
class ReceiptInfo:
    path: str
    partner: str
    sequence: int


@service
def make_receipt(uow: UnitOfWork, *, actor: Actor, partner: str, to_dir: str) -> Result:
    """A receipt for the newest package applied from ``partner``; asked again, the same file again."""
    require(actor, "exchange.run")
    county = current_county(uow)
    other = keys.partner(uow, partner)
    ack = acknowledgement(uow, county.code, other.code)
    if ack is None:
        raise ServiceError(f"还没有导入过 {other.name}（{other.code}）的数据包，无需回执")
    folder = Path(to_dir)
    if not folder.is_dir():
        raise ValidationError("导出目录", f"“{to_dir}”不存在或不是文件夹")
    name = package_name(county.code, other.code, "receipt", ack["sequence"])
    made = uow.session.scalar(select(ExchangePackage).where(
        ExchangePackage.direction == "out", ExchangePackage.kind == "receipt", ExchangePackage.receiver == other.code,
        ExchangePackage.sequence == ack["sequence"]))
    if made is None:
        own_key = keys.current_key(uow)
        manifest = {
            "format": "creditdesk-exchange", "format_version": 1, "kind": "receipt", "package_id": new_uuid(),
            "schema_version": schema_version(), "created_at": utcnow().isoformat(), "sequence": ack["sequence"],
            "sender": {"code": county.code, "name": county.name, "role": keys.role_of(county.code)},
            "receiver": {"code": other.code, "name": other.name, "role": other.role, "fingerprint": other.fingerprint},
            "acknowledges": ack,
        }
        content, body = write_package(manifest, [], sign_private=keys.signing_private(own_key),
                                      signer_fingerprint=own_key.fingerprint, receiver_box_public=other.box_public)
        made = ExchangePackage(uuid=manifest["package_id"], direction="out", kind="receipt", sender=county.code,
                               receiver=other.code, sequence=ack["sequence"], manifest=body.decode(),
                               manifest_sha256=sha256(body), filename=name, content=content, handled_by=actor.username)
        uow.session.add(made)
        uow.audit(actor, "exchange.receipt", "exchange_package", made.uuid,
                  after={"receiver": other.code, "acknowledges": ack})
    path = write_file(folder / name, made.content)
    return Result(ReceiptInfo(str(path), other.code, ack["sequence"]), Changes())


def apply_ack(uow: UnitOfWork, *, own: str, partner: str, ack: dict | None) -> dict:
    """Mark our packages up to ``ack['sequence']`` acknowledged; returns what changed."""
    if not ack:
        return {"acknowledged": None, "rows": 0}
    try:
        seq, digest = int(ack["sequence"]), str(ack["manifest_sha256"])
    except (KeyError, TypeError, ValueError):
        raise PackageRefused("回执内容不完整（缺少序号或摘要）") from None
    sent = uow.session.scalar(select(ExchangePackage).where(
        ExchangePackage.direction == "out", ExchangePackage.kind == "data", ExchangePackage.sender == own,
        ExchangePackage.receiver == partner, ExchangePackage.sequence == seq))
    if sent is None:
        raise PackageRefused(f"回执确认的是本局发给 {partner} 的第{seq}号数据包，但本局没有发出过该数据包")
    if sent.manifest_sha256 != digest:
        raise PackageRefused(f"回执中第{seq}号数据包的摘要与本局发出的不符，回执不是针对本局的数据包，不予接受")
    if sent.acknowledged_at is not None:
        return {"acknowledged": seq, "rows": 0, "already": True}
    packages = list(uow.session.scalars(select(ExchangePackage).where(
        ExchangePackage.direction == "out", ExchangePackage.kind == "data", ExchangePackage.sender == own,
        ExchangePackage.receiver == partner, ExchangePackage.sequence <= seq, ExchangePackage.acknowledged_at.is_(None))))
    ids = [p.id for p in packages]
    rows = _clear_pending(uow, ids) + _log_delivered(uow, ids, partner)
    uow.session.execute(update(ExchangeTombstone).where(ExchangeTombstone.package_id.in_(ids))
                        .values(sync_pending=False))
    now = utcnow()
    for p in packages:
        p.acknowledged_at = now
    _prune_logs(uow, own, partner, max(p.handled_at for p in packages))
    return {"acknowledged": seq, "rows": rows, "packages": sorted(p.sequence for p in packages)}


def _prune_logs(uow: UnitOfWork, own: str, partner: str, newest) -> None:
    """Logs of acknowledged packages are needed only inside the export's resend margin."""
    old = select(ExchangePackage.id).where(
        ExchangePackage.direction == "out", ExchangePackage.sender == own, ExchangePackage.receiver == partner,
        ExchangePackage.acknowledged_at.is_not(None), ExchangePackage.handled_at < newest - RESEND_MARGIN)
    uow.session.execute(delete(ExchangePackageRow).where(ExchangePackageRow.package_id.in_(old)))


def _clear_pending(uow: UnitOfWork, package_ids: list[int]) -> int:
    """Exactly the rows the acknowledged packages carried, unless changed since (they stay pending)."""
    p, total = ExchangePackageRow.__table__.c, 0
    for spec in synced_tables():
        t = spec.table
        carried = exists().where(p.package_id.in_(package_ids), p.table_name == spec.name, p.local.is_(True),
                                 p.row_uuid == t.c.uuid, p.row_updated_at == t.c.updated_at)
        # Setting updated_at to itself keeps the version: onupdate would otherwise stamp it now.
        total += uow.session.execute(update(t).where(t.c.sync_pending.is_(True), carried)
                                     .values(sync_pending=False, updated_at=t.c.updated_at)).rowcount
    return total


def _log_delivered(uow: UnitOfWork, package_ids: list[int], receiver: str) -> int:
    p, d = ExchangePackageRow.__table__.c, ExchangeDelivered.__table__.c
    rows = uow.session.execute(select(p.table_name, p.row_uuid, p.row_updated_at).where(
        p.package_id.in_(package_ids), p.local.is_(False)).order_by(p.id)).all()
    latest = {(t, u): at for t, u, at in rows}
    for (table, uid), at in latest.items():
        uow.session.execute(delete(ExchangeDelivered).where(and_(
            d.receiver == receiver, d.table_name == table, d.row_uuid == uid)))
    if latest:
        uow.session.execute(insert(ExchangeDelivered), [
            {"receiver": receiver, "table_name": t, "row_uuid": u, "row_updated_at": at} for (t, u), at in latest.items()])
    return len(latest)


def summary_of(pkg: ExchangePackage) -> dict:
    return json.loads(pkg.summary or "{}")
