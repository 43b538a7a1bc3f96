"""Writing the next package for a partner: everything pending since the last acknowledged package.

Rows stay pending until the receiver's receipt for this sequence number arrives (receipts.py);
until then every new package carries them again, so a lost package costs nothing but a resend.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, exists, func, insert, or_, select

from models import policy
from models.db.base import Base, new_uuid, utcnow
from models.db.migrate import head_revisions
from models.db.tables import Blob, CalendarYear
from models.db.tables_exchange import ExchangePackage, ExchangePackageRow, ExchangeTombstone
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, require, service
from models.services.county import current_county
from models.services.audit import tamper_check
from models.services.profiles import profile as load_profile
from models.services.exchange import keys, shared
from models.services.exchange.format import Part, PartBuilder, b64, make_part, sha256, write_package
from models.services.exchange.rows import TableSpec, line, synced_tables, type_name
from models.validation import ValidationError

CHUNK = 5000
# A change made shortly before an acknowledged export may have committed after the export read the
# database; rows changed in this margin are sent again unless that package carried their version.
RESEND_MARGIN = timedelta(hours=1)


class Cancelled(ServiceError):
    pass


@dataclass(frozen=True)
class ExportInfo:
    path: str
    sequence: int
    receiver: str
    counts: dict
    manifest_sha256: str
    acknowledges: int | None


def schema_version() -> list[str]:
    return sorted(head_revisions())


def package_name(sender: str, receiver: str, kind: str, sequence: int) -> str:
    return f"creditdesk-{kind}-{sender}-to-{receiver}-{sequence:06d}.zip"


def choose_receiver(uow: UnitOfWork, receiver: str | None):
    if receiver:
        return keys.partner(uow, receiver)
    partners = keys.partners.in_uow(uow)
    if len(partners) != 1:
        names = "、".join(f"{p.code} {p.name}" for p in partners) or "无"
        raise ValidationError("接收方", f"请指定接收方的行政区划代码（已导入公钥的单位：{names}）")
    return keys.partner(uow, partners[0].code)


def last_package(uow: UnitOfWork, direction: str, sender: str, receiver: str, kind: str = "data") -> ExchangePackage | None:
    return uow.session.scalar(select(ExchangePackage).where(
        ExchangePackage.direction == direction, ExchangePackage.kind == kind, ExchangePackage.sender == sender,
        ExchangePackage.receiver == receiver).order_by(ExchangePackage.sequence.desc()).limit(1))


def acknowledgement(uow: UnitOfWork, own: str, partner: str) -> dict | None:
    """The newest package applied from the partner: every package and receipt acknowledges it."""
    got = last_package(uow, "in", partner, own)
    return {"sequence": got.sequence, "manifest_sha256": got.manifest_sha256} if got else None


def uuids_for(uow: UnitOfWork, table_name: str, ids) -> dict[int, str]:
    table = Base.metadata.tables[table_name]
    ids, out = sorted(set(ids)), {}
    for start in range(0, len(ids), CHUNK):
        out.update(uow.session.execute(select(table.c.id, table.c.uuid).where(table.c.id.in_(ids[start:start + CHUNK]))).all())
    return out


def _batches(uow: UnitOfWork, spec: TableSpec, own: str, receiver: str, since, forward: set[int]):
    """``(rows, local)`` a few thousand at a time: the rows owned here, then those the city forwards.

    Rows owned here are those pending, or changed since the last acknowledged export: a row changed
    after being acknowledged is not pending again (nothing resets the flag), so rows changed after
    ``since`` are sent too, unless an acknowledged package carried that version.
    """
    t, p, e = spec.table, ExchangePackageRow.__table__.c, ExchangePackage.__table__.c
    wanted = t.c.sync_pending.is_(True)
    if since is not None:
        carried = exists().where(p.table_name == spec.name, p.row_uuid == t.c.uuid, p.row_updated_at == t.c.updated_at,
                                 p.package_id == e.id, e.receiver == receiver, e.acknowledged_at.is_not(None))
        wanted = or_(wanted, and_(t.c.updated_at > since, ~carried))
    # Ids first, rows by id: no cursor stays open while the log of carried rows is written.
    local = list(uow.session.scalars(select(t.c.id).where(
        or_(t.c.origin_county.is_(None), t.c.origin_county == own), wanted).order_by(t.c.id)))
    for ids, is_local in ((local, True), (sorted(forward), False)):
        for start in range(0, len(ids), CHUNK):
            stmt = select(t).where(t.c.id.in_(ids[start:start + CHUNK])).order_by(t.c.id)
            if not is_local:  # a row the city holds as its own goes with its own pending rows, not twice
                stmt = stmt.where(t.c.origin_county.is_not(None), t.c.origin_county != own)
            yield list(uow.session.execute(stmt).mappings()), is_local


def _lines(uow: UnitOfWork, spec: TableSpec, rows: list, own: str) -> list[bytes]:
    refs = {}
    for ref in spec.refs:
        if ref.kind != "blob":
            refs.setdefault(ref.target, {}).update(uuids_for(uow, ref.target, (r[ref.column] for r in rows if r[ref.column] is not None)))
    return [json.dumps(line(spec, r, refs, own), ensure_ascii=False, sort_keys=True).encode() for r in rows]


def _extra_parts(uow: UnitOfWork, calendar_years, packs: list[dict]) -> list[Part]:
    parts = []
    if calendar_years:
        rows = {r.year: r for r in uow.session.scalars(select(CalendarYear).where(CalendarYear.year.in_(calendar_years)))}
        missing = sorted(set(calendar_years) - set(rows))
        if missing:
            raise ValidationError("节假日安排", f"本库没有 {'、'.join(map(str, missing))} 年的节假日安排，不能发送")
        parts.append(make_part("data/calendar_years.jsonl", "calendar_years", [json.dumps(
            {"year": y, "holidays": json.loads(rows[y].holidays), "workdays": json.loads(rows[y].workdays),
             "source": rows[y].source}, ensure_ascii=False, sort_keys=True).encode() for y in sorted(rows)]))
    if packs:
        parts.append(make_part("data/policy_packs.jsonl", "policy_packs", [json.dumps(
            {"id": p["id"], "version": str(p["version"]), "content": p}, ensure_ascii=False, sort_keys=True).encode()
            for p in packs]))
    return parts


def parse_policy_pack(text: str, name: str) -> dict:
    """A policy pack file the city sends on: it must load as a pack here too."""
    try:
        raw = json.loads(text)
        policy.packs.pack_from_dict(raw, f"政策包文件 {name}")
    except json.JSONDecodeError as exc:
        raise ValidationError("政策包文件", f"{name} 不是有效的 JSON（第{exc.lineno}行）") from None
    except policy.PolicyError as exc:
        raise ValidationError("政策包文件", str(exc)) from None
    return raw


@service
def export_package(uow: UnitOfWork, *, actor: Actor, to_dir: str, receiver: str | None = None,
                   calendar_years: tuple[int, ...] = (), policy_packs: tuple[dict, ...] = (), progress=None) -> Result:
    """Write the next data package for ``receiver`` into ``to_dir``; returns :class:`ExportInfo`."""
    require(actor, "exchange.run")
    county = current_county(uow)
    own_key = keys.current_key(uow)
    sign_private = keys.signing_private(own_key)  # before anything is read: a copied file stops here
    tamper_check(uow)
    partner = choose_receiver(uow, receiver)
    folder = Path(to_dir)
    if not folder.is_dir():
        raise ValidationError("导出目录", f"“{to_dir}”不存在或不是文件夹")
    previous = last_package(uow, "out", county.code, partner.code)
    sequence = (previous.sequence if previous else 0) + 1
    acked = uow.session.scalar(select(ExchangePackage).where(
        ExchangePackage.direction == "out", ExchangePackage.kind == "data", ExchangePackage.receiver == partner.code,
        ExchangePackage.acknowledged_at.is_not(None)).order_by(ExchangePackage.sequence.desc()).limit(1))
    since = None if acked is None else acked.handled_at - RESEND_MARGIN
    now = utcnow()
    forward = shared.forward_ids(uow, own=county.code, receiver=partner.code)

    name = package_name(county.code, partner.code, "data", sequence)
    # Written first so the rows carried can be logged as they are read; completed below.
    pkg = ExchangePackage(uuid=new_uuid(), direction="out", kind="data", sender=county.code, receiver=partner.code,
                          sequence=sequence, manifest="", manifest_sha256="", filename=name, handled_at=now,
                          handled_by=actor.username)
    uow.session.add(pkg)
    uow.session.flush()
    specs = synced_tables()
    parts, blobs, markers, counts = [], set(), [], {}
    for n, spec in enumerate(specs, 1):
        if progress and progress(n, len(specs) + 1, f"读取{type_name(spec.name)}") is False:
            raise Cancelled("已取消导出，未生成数据包")
        builder = PartBuilder(f"data/{spec.name}.jsonl", spec.name)
        for rows, local in _batches(uow, spec, county.code, partner.code, since, forward.get(spec.name, set())):
            if not rows:  # forwarded ids that turned out to be the city's own rows: they go with its pending rows
                continue
            for line_ in _lines(uow, spec, rows, county.code):
                builder.add(line_)
            uow.session.execute(insert(ExchangePackageRow.__table__), [  # Core: the ORM bulk path is ~3× slower
                {"package_id": pkg.id, "table_name": spec.name, "row_uuid": r["uuid"], "row_updated_at": r["updated_at"],
                 "local": local} for r in rows])
            blobs |= {r[ref.column] for ref in spec.refs if ref.kind == "blob" for r in rows if r[ref.column]}
            for ref in spec.self_refs:  # a correction supersedes the row it names (DOMAIN.md §2)
                by_uuid = uuids_for(uow, spec.name, (r[ref.column] for r in rows if r[ref.column] is not None))
                markers += [{"marker": "supersedes", "table": spec.name, "uuid": r["uuid"],
                             "target": by_uuid[r[ref.column]]} for r in rows if r[ref.column] is not None]
        if builder.records:
            parts.append(builder.part())
            counts[spec.name] = builder.records
    if blobs:
        found = uow.session.scalars(select(Blob).where(Blob.sha256.in_(sorted(blobs)))).all()
        parts.insert(0, make_part("data/blobs.jsonl", "blobs", [json.dumps(
            {"sha256": b.sha256, "size": b.size, "data": b64(b.data)}, sort_keys=True).encode() for b in found]))
    tombstones = list(uow.session.scalars(select(ExchangeTombstone).where(
        ExchangeTombstone.sync_pending.is_(True),
        or_(ExchangeTombstone.origin_county.is_(None), ExchangeTombstone.origin_county == county.code))
        .order_by(ExchangeTombstone.id)))
    markers += [{"marker": "deleted", "table": t.table_name, "uuid": t.row_uuid, "origin": county.code,
                 "at": t.deleted_at} for t in tombstones]
    if markers:
        parts.append(make_part("data/markers.jsonl", "markers",
                          [json.dumps(m, sort_keys=True).encode() for m in markers]))
    parts = _extra_parts(uow, calendar_years, list(policy_packs)) + parts
    if not tombstones and not any(p.record_type not in ("blobs", "markers") for p in parts):
        raise ServiceError(f"没有需要发送给 {partner.name}（{partner.code}）的数据：上次确认以来没有新增或变更的记录")

    manifest = {
        "format": "creditdesk-exchange", "format_version": 1, "kind": "data", "package_id": pkg.uuid,
        "schema_version": schema_version(), "created_at": now.isoformat(), "sequence": sequence,
        "previous_package_sha256": previous.manifest_sha256 if previous else None,
        "sender": {"code": county.code, "name": county.name, "role": keys.role_of(county.code)},
        "receiver": {"code": partner.code, "name": partner.name, "role": partner.role, "fingerprint": partner.fingerprint},
        "policy_packs": {p.id: p.version for p in load_profile(county.profile).packs}
        | {p["id"]: str(p["version"]) for p in policy_packs},
        "acknowledges": acknowledgement(uow, county.code, partner.code),
    }
    content, body = write_package(manifest, parts, sign_private=sign_private,
                                  signer_fingerprint=own_key.fingerprint, receiver_box_public=partner.box_public)
    pkg.manifest, pkg.manifest_sha256, pkg.content = body.decode("utf-8"), sha256(body), content
    pkg.summary = json.dumps({"records": counts}, ensure_ascii=False)
    for t in tombstones:  # pending until the receipt for this package (or a later one) arrives
        t.package_id = pkg.id
    uow.audit(actor, "exchange.export", "exchange_package", pkg.uuid,
              after={"receiver": partner.code, "sequence": sequence, "records": counts, "sha256": pkg.manifest_sha256})
    path = write_file(folder / name, content)
    if progress:
        progress(len(specs) + 1, len(specs) + 1, "已写出数据包")
    return Result(ExportInfo(str(path), sequence, partner.code, counts, pkg.manifest_sha256,
                             (manifest["acknowledges"] or {}).get("sequence")), Changes())


def write_file(path: Path, content: bytes) -> Path:
    """Through a temporary name, so a half-written file never looks like a package."""
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ServiceError(f"无法写入 {path}（{exc.strerror}）") from None
    return path


def pending_counts(uow: UnitOfWork, own: str) -> dict[str, int]:
    """Rows owned here not yet acknowledged, per record type (deletions as ``markers``)."""
    out = {}
    deleted = uow.session.scalar(select(func.count()).select_from(ExchangeTombstone).where(
        ExchangeTombstone.sync_pending.is_(True),
        or_(ExchangeTombstone.origin_county.is_(None), ExchangeTombstone.origin_county == own)))
    if deleted:
        out["markers"] = deleted
    for spec in synced_tables():
        t = spec.table
        n = uow.session.scalar(select(func.count()).select_from(t).where(
            t.c.sync_pending.is_(True), or_(t.c.origin_county.is_(None), t.c.origin_county == own)))
        if n:
            out[spec.name] = n
    return out
