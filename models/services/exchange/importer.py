"""Applying a package: verify everything first, then classify and write every row in one transaction.

``preview`` runs exactly the same code and rolls back, so the dry run shows what applying would do.
Rows owned by another county keep that county as owner and are read-only here; a row owned here
is never changed by a package.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from alembic.script import ScriptDirectory
from sqlalchemy import false, update

from models.db.migrate import MIGRATIONS
from models.db.tables_exchange import ExchangePackage, ExchangeTombstone
from models.services import points_notices, standing
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.services.county import current_county
from models.services.exchange import keys
from models.services.exchange.apply_rows import Context, apply_table
from models.services.exchange.export import last_package, schema_version
from models.services.exchange.extras import apply_blobs, apply_calendars, apply_markers, apply_policy_packs
from models.services.exchange.format import (FORMAT_VERSION, Package, PackageRefused, open_package, part_lines,
                                             show_fingerprint, signature_fingerprint, verify_files, verify_signature)
from models.services.exchange.receipts import apply_ack
from models.services.exchange.rows import synced_tables, type_name

CATEGORIES = ("new", "updated", "merged", "deleted", "unchanged", "ignored", "conflicts")
CATEGORY_NAMES = {"new": "新增", "updated": "更新", "merged": "合并到本地档案", "deleted": "删除", "unchanged": "无变化",
                  "ignored": "忽略", "conflicts": "冲突（未导入）"}


class Cancelled(ServiceError):
    pass


@dataclass(frozen=True)
class ImportReport:
    status: str  # applied | preview | resend | receipt
    kind: str
    sender: str
    sender_name: str
    sequence: int
    created_at: str
    package_uuid: str
    manifest_sha256: str
    counts: dict = field(default_factory=dict)  # record type -> category -> n
    conflicts: list = field(default_factory=list)  # {type, uuid, reason}, the first few hundred
    acknowledged: dict | None = None
    message: str = ""

    def total(self, category: str) -> int:
        return sum(c.get(category, 0) for c in self.counts.values())

    def lines(self) -> list[str]:
        """The summary as Chinese lines, by record type (for the terminal and the screen)."""
        out = []
        for name, c in self.counts.items():
            parts = [f"{CATEGORY_NAMES[k]} {c[k]}" for k in CATEGORIES if c.get(k)]
            out.append(f"{type_name(name)}：{'，'.join(parts) or '无'}")
        return out


def _schema_check(manifest: dict) -> None:
    theirs, ours = sorted(manifest.get("schema_version") or []), schema_version()
    if theirs == ours:
        return
    script = ScriptDirectory(str(MIGRATIONS))
    known = {r.revision for r in script.walk_revisions()}
    ancestors = {r.revision for r in script.iterate_revisions(ours, "base")}
    if set(theirs) <= known and set(theirs) <= ancestors:
        raise PackageRefused(f"数据包的数据库结构版本（{'+'.join(theirs)}）旧于本程序（{'+'.join(ours)}）："
                             "请发送方升级程序后重新导出")
    raise PackageRefused(f"数据包的数据库结构版本（{'+'.join(theirs)}）新于本程序（{'+'.join(ours)}）：请先升级本程序")


def verify(uow: UnitOfWork, data: bytes) -> tuple[Package, object]:
    """Every check that needs no decryption, in the order that gives the most useful message."""
    county = current_county(uow)
    pkg = open_package(data)
    if pkg.manifest.get("format_version") != FORMAT_VERSION:
        raise PackageRefused(f"数据包格式版本 {pkg.manifest.get('format_version')} 不受支持（本程序支持第{FORMAT_VERSION}版）")
    sender = str(pkg.manifest["sender"].get("code")) if isinstance(pkg.manifest["sender"], dict) else ""
    known = keys.partner_keys(uow, sender)
    if not known:
        raise PackageRefused(f"未导入发送方 {sender} 的数据交换公钥，无法验证签名：请管理员先导入并核对指纹")
    fp = pkg.manifest.get("signer_fingerprint")
    key = known[0]  # only the key in force: a replaced key may be the reason it was replaced
    if key.fingerprint != fp or signature_fingerprint(pkg) != fp:
        raise PackageRefused(f"数据包的签名密钥（指纹 {show_fingerprint(str(fp))[:39]}…）不是本局保存的 {known[0].name}"
                             f"（{sender}）公钥（指纹 {show_fingerprint(known[0].fingerprint)[:39]}…）：不予导入。"
                             "若对方更换了密钥，请先导入其新公钥并核对指纹")
    verify_signature(pkg, key.sign_public, f"{key.name}（{sender}）")
    verify_files(pkg)
    if pkg.receiver != county.code:
        raise PackageRefused(f"该数据包是发给 {pkg.manifest['receiver'].get('name', '')}（{pkg.receiver}）的，"
                             f"不是发给本局（{county.name} {county.code}）的，不予导入")
    _schema_check(pkg.manifest)
    return pkg, key


def _sequence_check(uow: UnitOfWork, pkg: Package, own: str) -> ExchangePackage | None:
    """None to go on; the earlier row when this is a resend of the newest package applied."""
    seq = pkg.manifest["sequence"]
    if not isinstance(seq, int) or seq < 1:
        raise PackageRefused("数据包序号无效")
    last = last_package(uow, "in", pkg.sender, own)
    last_seq = last.sequence if last else 0
    if last is not None and seq == last_seq and pkg.manifest_sha256 == last.manifest_sha256:
        return last
    if seq <= last_seq:
        raise PackageRefused(f"第{seq}号数据包已经用过（本局已导入 {pkg.sender} 的第1至第{last_seq}号）："
                             "这是重放的旧数据包或内容不同的同号数据包，不予导入")
    if seq > last_seq + 1:
        missing = f"第{last_seq + 1}号" if seq == last_seq + 2 else f"第{last_seq + 1}至第{seq - 1}号"
        raise PackageRefused(f"数据包序号不连续：本局已导入到第{last_seq}号，缺少{missing}，请先导入缺少的数据包")
    expected = last.manifest_sha256 if last else None
    if pkg.manifest.get("previous_package_sha256") != expected:
        raise PackageRefused(f"第{seq}号数据包所记的上一个数据包摘要与本局导入的第{last_seq}号不符，数据包链断开，不予导入")
    return None


def _report(pkg: Package, status: str, **kw) -> ImportReport:
    return ImportReport(status=status, kind=pkg.manifest["kind"], sender=pkg.sender,
                        sender_name=pkg.manifest["sender"].get("name", ""), sequence=pkg.manifest["sequence"],
                        created_at=pkg.manifest.get("created_at", ""), package_uuid=pkg.manifest["package_id"],
                        manifest_sha256=pkg.manifest_sha256, **kw)


def _run(uow: UnitOfWork, actor: Actor, data: bytes, filename: str, apply: bool, progress) -> tuple[ImportReport, frozenset]:
    """The report and the UUIDs of local files that changed."""
    require(actor, "exchange.run")
    own = current_county(uow).code
    pkg, _key = verify(uow, data)
    if pkg.manifest["kind"] == "receipt":
        ack = apply_ack(uow, own=own, partner=pkg.sender, ack=pkg.manifest.get("acknowledges"))
        if apply and not ack.get("already"):
            _record(uow, actor, pkg, filename, {"acknowledged": ack})
        return _report(pkg, "receipt", acknowledged=ack,
                       message=f"回执：{pkg.sender} 确认收到本局第{ack['acknowledged']}号数据包"
                               + ("（此前已确认，忽略）" if ack.get("already") else "")), frozenset()
    if pkg.manifest["kind"] != "data":
        raise PackageRefused(f"数据包类型“{pkg.manifest['kind']}”无法识别")
    earlier = _sequence_check(uow, pkg, own)
    if earlier is not None:
        return _report(pkg, "resend", message=f"第{earlier.sequence}号数据包已于 {earlier.handled_at:%Y-%m-%d %H:%M} "
                                              "导入过（重复发送），未作任何更改"), frozenset()
    box = keys.key_for_fingerprint(uow, (pkg.manifest.get("encryption") or {}).get("recipient_fingerprint"))
    if box is None:
        raise PackageRefused("数据包不是加密给本局现有密钥的（接收方指纹不符）：请对方导入本局最新的公钥后重新导出")
    private = keys.box_private(box)
    ctx = Context(uow=uow, actor=actor, own=own, sender=pkg.sender)
    # pysqlite opens the transaction only at the first write; a savepoint taken before that (a deletion
    # marker is applied in one) would commit on release, even in a dry run. A write that changes nothing
    # opens the transaction now.
    uow.session.execute(update(ExchangeTombstone).where(false()).values(sync_pending=False))
    files = {f.get("record_type"): f for f in pkg.files()}
    total = sum(int(f.get("records") or 0) for f in files.values())
    done = [0]

    def lines(record_type: str):
        return part_lines(pkg, files[record_type], private)

    def tick(n: int, what: str) -> None:
        done[0] += n
        if progress and progress(done[0], total, f"导入{type_name(what)}") is False:
            raise Cancelled("已取消导入，数据库未作任何更改")

    known = {s.name for s in synced_tables()} | {"blobs", "calendar_years", "policy_packs", "markers"}
    unknown = sorted(set(files) - known)
    if unknown:
        raise PackageRefused(f"数据包中有本程序不认识的记录类型：{'、'.join(unknown)}")
    for record_type, handler in (("policy_packs", apply_policy_packs), ("calendar_years", apply_calendars),
                                 ("blobs", apply_blobs)):
        if record_type in files:
            handler(ctx, list(lines(record_type)), pkg)
            tick(files[record_type]["records"], record_type)
    for spec in synced_tables():
        if spec.name in files:
            apply_table(ctx, spec, lines(spec.name), lambda n, s=spec.name: tick(n, s))
    if "markers" in files:
        apply_markers(ctx, list(lines("markers")))
        tick(files["markers"]["records"], "markers")
    ack = apply_ack(uow, own=own, partner=pkg.sender, ack=pkg.manifest.get("acknowledges"))
    if apply:
        affected = ctx.affected_subjects()
        standing.after_change(uow, actor, affected)
        points_notices.notify_received(uow, actor, affected, own, date.today())
        _record(uow, actor, pkg, filename, {"counts": ctx.counts, "conflicts": len(ctx.conflicts), "acknowledged": ack})
    report = _report(pkg, "applied" if apply else "preview", counts=ctx.counts, conflicts=ctx.conflicts[:300],
                     acknowledged=ack)
    return report, ctx.changed_subjects()


def _record(uow: UnitOfWork, actor: Actor, pkg: Package, filename: str, summary: dict) -> None:
    row = ExchangePackage(uuid=pkg.manifest["package_id"], direction="in", kind=pkg.manifest["kind"], sender=pkg.sender,
                          receiver=pkg.receiver, sequence=pkg.manifest["sequence"], manifest=pkg.manifest_raw.decode(),
                          manifest_sha256=pkg.manifest_sha256, summary=json.dumps(summary, ensure_ascii=False, default=str),
                          filename=filename, handled_by=actor.username)
    uow.session.add(row)
    uow.audit(actor, "exchange.import", "exchange_package", row.uuid,
              after={"sender": pkg.sender, "kind": row.kind, "sequence": row.sequence, "sha256": row.manifest_sha256,
                     **summary})


@query
def preview(uow: UnitOfWork, *, actor: Actor, data: bytes, filename: str = "", progress=None) -> ImportReport:
    """The dry run: verify, then apply inside a transaction that is rolled back."""
    return _run(uow, actor, data, filename, False, progress)[0]


@service
def import_package(uow: UnitOfWork, *, actor: Actor, data: bytes, filename: str = "", progress=None) -> Result:
    """Verify and apply in one transaction: all of the package or nothing."""
    report, changed = _run(uow, actor, data, filename, True, progress)
    return Result(report, Changes(subjects=changed, lists=report.status == "applied", county=report.status != "resend"))
