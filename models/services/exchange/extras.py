"""The parts of a package that are not synchronised rows: attachment contents, holiday calendars,
policy packs, and the supersession markers that say which record a correction replaces."""
from __future__ import annotations

import base64
import hashlib
import json

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from models import policy
from models.db.tables import Blob, CalendarYear
from models.db.tables_exchange import ReceivedPolicyPack
from models.services import deadlines
from models.services.exchange.format import Package, PackageRefused
from models.services.exchange.rows import spec, synced_tables


def apply_blobs(ctx, lines: list[dict], pkg: Package) -> None:
    for n, line in enumerate(lines, 1):
        try:
            data = base64.b64decode(line["data"], validate=True)
            digest = line["sha256"]
        except (KeyError, TypeError, ValueError):
            raise PackageRefused(f"附件内容第{n}条格式不符") from None
        if hashlib.sha256(data).hexdigest() != digest or len(data) != line.get("size"):
            raise PackageRefused(f"附件内容第{n}条与其 SHA-256 不符，数据包已损坏")
        if ctx.uow.session.get(Blob, digest) is None:
            ctx.uow.session.add(Blob(sha256=digest, size=len(data), data=data))
            ctx.count("blobs", "new")
        else:
            ctx.count("blobs", "unchanged")
    ctx.uow.session.flush()


def apply_calendars(ctx, lines: list[dict], pkg: Package) -> None:
    """Years of the official holiday schedule, installed through the working-day service (DOMAIN.md §5)."""
    for line in lines:
        try:
            year = int(line["year"])
            sched = policy.YearSchedule.from_dict(line)
            if any(d.year != year for d in sched.holidays | sched.workdays):
                raise ValueError
        except (KeyError, TypeError, ValueError, policy.PolicyError):
            raise PackageRefused(f"节假日安排 {line.get('year')} 年的内容无效") from None
        row = ctx.uow.session.get(CalendarYear, year)
        wanted = sched.as_dict(year)
        if row is not None and json.loads(row.holidays) == wanted["holidays"] and json.loads(row.workdays) == wanted["workdays"]:
            ctx.count("calendar_years", "unchanged")
            continue
        source = f"{line.get('source') or '市局'}（{pkg.sender} 第{pkg.manifest['sequence']}号数据包）"
        deadlines.load_schedule.in_uow(ctx.uow, actor=ctx.actor, text=policy.format_year_schedules({year: sched}),
                                      source=source[:100])
        ctx.count("calendar_years", "new" if row is None else "updated")


def apply_policy_packs(ctx, lines: list[dict], pkg: Package) -> None:
    """Stored with their version; the same version with other content is a conflict, never an overwrite."""
    for line in lines:
        raw = line.get("content")
        try:
            pack = policy.packs.pack_from_dict(raw, "数据包中的政策包")
        except (policy.PolicyError, TypeError, AttributeError) as exc:
            raise PackageRefused(f"数据包中的政策包无效：{exc}") from None
        text = json.dumps(raw, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        have = ctx.uow.session.scalar(select(ReceivedPolicyPack).where(
            ReceivedPolicyPack.pack_id == pack.id, ReceivedPolicyPack.version == pack.version))
        if have is not None:
            if have.sha256 == digest:
                ctx.count("policy_packs", "unchanged")
            else:
                ctx.conflict("policy_packs", pack.id, f"政策包 {pack.id} 第{pack.version}版已安装，但内容不同")
            continue
        ctx.uow.session.add(ReceivedPolicyPack(
            pack_id=pack.id, version=pack.version, document_number=pack.document_number,
            effective_from=pack.effective_from, effective_to=pack.effective_to, content=text, sha256=digest,
            package_uuid=pkg.manifest["package_id"], installed_by=ctx.actor.username))
        ctx.uow.audit(ctx.actor, "policy_pack.receive", "policy_pack", None,
                      after={"pack": pack.id, "version": pack.version, "document_number": pack.document_number,
                             "effective_from": pack.effective_from, "effective_to": pack.effective_to, "sha256": digest},
                      reason=f"{pkg.sender} 第{pkg.manifest['sequence']}号数据包")
        ctx.count("policy_packs", "new")


def apply_markers(ctx, lines: list[dict]) -> None:
    """Supersession markers must agree with the rows; deletion markers delete the sender's own rows."""
    deletions = []
    for n, m in enumerate(lines, 1):
        kind = m.get("marker") if isinstance(m, dict) else None
        try:
            s = spec(m["table"])
        except (KeyError, StopIteration, TypeError):
            raise PackageRefused(f"标记第{n}条的记录类型无法识别") from None
        if kind == "supersedes" and s.self_refs:
            _check_supersedes(ctx, s, m, n)
        elif kind == "deleted":
            deletions.append((s, m))
        else:
            raise PackageRefused(f"标记第{n}条的类型“{kind}”无法识别")
    order = {x.name: i for i, x in enumerate(synced_tables())}
    for s, m in sorted(deletions, key=lambda d: -order[d[0].name]):  # children before parents
        _delete(ctx, s, m)


def _check_supersedes(ctx, s, m: dict, n: int) -> None:
    t, ref = s.table, s.self_refs[0]
    row_id, target_id = ctx.ids[s.name].get(m.get("uuid")), ctx.ids[s.name].get(m.get("target"))
    if row_id is None or target_id is None:
        ctx.count("markers", "conflicts")
        return
    if ctx.uow.session.scalar(select(t.c[ref.column]).where(t.c.id == row_id)) != target_id:
        raise PackageRefused(f"更正标记第{n}条与信用信息不符：数据包内容前后矛盾")
    ctx.count("markers", "unchanged")


def _delete(ctx, s, m: dict) -> None:
    """Only the county that owns a row deletes it; the database still refuses rows with legal weight."""
    t, uuid = s.table, m.get("uuid")
    row = ctx.uow.session.execute(select(t.c.id, t.c.origin_county).where(t.c.uuid == uuid)).first()
    if row is None:
        ctx.count(s.name, "unchanged")  # never had it, or deleted before
        return
    owner = row.origin_county or ctx.own
    if owner != m.get("origin") or owner != ctx.sender:
        ctx.conflict(s.name, uuid, f"删除标记来自 {ctx.sender}，但该记录由 {owner} 维护，不予删除")
        return
    try:
        with ctx.uow.session.begin_nested():
            ctx.uow.session.execute(delete(t).where(t.c.id == row.id))
    except DBAPIError:
        ctx.conflict(s.name, uuid, "无法删除：仍有其他记录引用它，或该记录有法律效力不可删除")
        return
    ctx.count(s.name, "deleted")


def received_packs(uow) -> list[dict]:
    """Policy packs the city sent, newest first, for the screens and `sync packs`."""
    return [{"pack": p.pack_id, "version": p.version, "document_number": p.document_number,
             "effective_from": p.effective_from, "effective_to": p.effective_to, "installed_at": p.installed_at,
             "installed_by": p.installed_by}
            for p in uow.session.scalars(select(ReceivedPolicyPack).order_by(ReceivedPolicyPack.id.desc()))]

