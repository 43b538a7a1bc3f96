"""Restoring a backup without breaking the exchange chain with the city.

Packages are numbered per sender and receiver and each names the digest of the previous one
(docs/exchange-format.md). A backup taken before packages N+1..M went out would make the next
package N+1 again, which the city refuses as a replay, for good. So the restore carries this
bureau's log of packages sent (and keys made or imported) over from the file it replaces: the
next package is M+1, chained to M. Packages the city sent after the backup are not carried (their
data is not in the backup): the result names them, for the city to send again (`sync resend`).

The file being replaced is kept in backups/ first; the switch is one atomic rename.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.db import anchor
from models.db.database import Database, open_database
from models.db.engine import resolve_url
from models.db.migrate import backup_sqlite, integrity_problem, restrict_to_owner
from models.services import users
from models.services.backup import CheckReport, file_sha256, check_file
from models.db.tables_exchange import ExchangePackage
from models.services.base import Actor, ServiceError, UnitOfWork, require
from models.services.county import current_county
from models.services.exchange import keys
from models.services.exchange.export import last_package
from models.services.exchange.format import PackageRefused, open_package, verify_signature
from models.validation import ValidationError

RESTORE_SUFFIX = ".restoring"
CARRIED = {  # table: (key columns that identify a row, condition)
    "exchange_packages": (("uuid",), "direction = 'out'"),
    "exchange_keys": (("fingerprint",), "1 = 1"),
    "exchange_partner_keys": (("code", "fingerprint"), "1 = 1"),
}


@dataclass(frozen=True)
class RestoreInfo:
    restored_from: str
    kept_previous: str | None  # the replaced file, copied into backups/ first
    check: CheckReport
    carried_packages: tuple[str, ...]  # "370900 第5号" sent after the backup: the next package follows them
    resend_needed: tuple[str, ...]  # packages the city sent after the backup, to be sent again
    previous_unreadable: bool


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def _carry(old: Path, new: Path) -> tuple[list[str], list[str]]:
    """Copy the exchange log rows of ``old`` missing from ``new``; returns (carried packages, resends needed)."""
    con = sqlite3.connect(new)
    try:
        con.execute("ATTACH DATABASE ? AS old", (str(old),))
        counties = con.execute("SELECT (SELECT code FROM main.county), (SELECT code FROM old.county)").fetchone()
        if counties[1] is not None and counties[0] != counties[1]:
            raise ServiceError(f"备份属于行政区划代码 {counties[0]}，正在使用的数据库属于 {counties[1]}，"
                               "不是同一个局的数据，未作恢复")
        carried = [f"{r[0]} 第{r[1]}号" for r in con.execute(
            "SELECT receiver, sequence FROM old.exchange_packages WHERE direction = 'out' AND kind = 'data' "
            "AND uuid NOT IN (SELECT uuid FROM main.exchange_packages) ORDER BY receiver, sequence")]
        for table, (natural_key, where) in CARRIED.items():
            columns = [c for c in _columns(con, table) if c != "id" and c in set(_old_columns(con, table))]
            names = ", ".join(f'"{c}"' for c in columns)
            match = " AND ".join(f'm."{k}" = o."{k}"' for k in natural_key)
            con.execute(f'INSERT INTO main."{table}" ({names}) SELECT {", ".join("o." + c for c in columns)} '
                        f'FROM old."{table}" o WHERE {where.replace("direction", "o.direction")} AND NOT EXISTS '
                        f'(SELECT 1 FROM main."{table}" m WHERE {match}) ORDER BY o.id')
        resend = [f"{r[0]} 第{r[1]}至第{r[2]}号" if r[1] != r[2] else f"{r[0]} 第{r[1]}号" for r in con.execute(
            "SELECT o.sender, min(o.sequence), max(o.sequence) FROM old.exchange_packages o "
            "WHERE o.direction = 'in' AND o.kind = 'data' AND o.sequence > coalesce((SELECT max(m.sequence) "
            "FROM main.exchange_packages m WHERE m.direction = 'in' AND m.kind = 'data' AND m.sender = o.sender), 0) "
            "GROUP BY o.sender ORDER BY o.sender")]
        con.commit()
        con.execute("DETACH DATABASE old")
    finally:
        con.close()
    return carried, resend


def _old_columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA old.table_info("{table}")')]


def _readable(path: Path) -> bool:
    if not path.exists() or integrity_problem(path):
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:  # closed explicitly: Windows cannot replace a file that still has a handle open
            return con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'exchange_packages'").fetchone()[0] == 1
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def restore(sqlite_file: Path, *, backup_file: str | Path, username: str, password: str, reason: str,
            sent_packages: tuple[str, ...] = ()) -> RestoreInfo:
    """Replace ``sqlite_file`` by ``backup_file`` (checked first), keeping the exchange chain.

    Whoever restores must be an administrator in the backup (the file that will be in use).
    The program must not have the database open elsewhere while this runs. ``sent_packages`` are
    package files this bureau sent after the backup (from its export folder): when the file being
    replaced is lost or unreadable, the newest of them puts the sequence back in step.
    """
    if not reason.strip():
        raise ValidationError("恢复原因", "请写明恢复备份的原因")
    source = Path(backup_file)
    if source.exists() and sqlite_file.exists() and source.resolve() == sqlite_file.resolve():
        raise ValidationError("备份文件", "这就是正在使用的数据库文件，不能用它恢复自己")
    report = check_file(source)
    if not report.ok:
        raise ServiceError(f"备份文件未通过检查，未作恢复：{'；'.join(report.problems)}")
    work = sqlite_file.with_name(sqlite_file.name + RESTORE_SUFFIX)
    work.unlink(missing_ok=True)
    try:
        info = _prepare(sqlite_file, work, source, report, username, password, reason, sent_packages)
    except BaseException:
        work.unlink(missing_ok=True)
        raise
    for stale in ("-wal", "-shm"):  # the replaced file's log must not be replayed into the restored one
        sqlite_file.with_name(sqlite_file.name + stale).unlink(missing_ok=True)
    os.replace(work, sqlite_file)
    _move_anchor(sqlite_file, work, source)
    return info


def _move_anchor(sqlite_file: Path, work: Path, source: Path) -> None:
    """The chain's anchor now names the restored file's tail, and the restore: it is older than the file it
    replaced, and `audit verify` says so as a restore, not as an alteration (models/db/anchor.py)."""
    anchor.forget(resolve_url(str(work)))
    db = open_database(str(sqlite_file), upgrade=False)
    try:
        with db.engine.connect() as conn:
            anchor.reset(db.url, conn, restored={"file": source.name, "at": datetime.now().isoformat(timespec="minutes")})
    finally:
        db.dispose()


def restore_in_use(db: Database, *, backup_file: str, username: str, password: str, reason: str,
                   progress=None) -> RestoreInfo:
    """From the running program: its connections are closed first; it must be restarted afterwards.

    ``progress`` is accepted for the task runner (the steps are not counted)."""
    if db.sqlite_file is None:
        raise ServiceError("数据库不是本机文件，请由数据库服务器管理员恢复")
    db.dispose()
    return restore(db.sqlite_file, backup_file=backup_file, username=username, password=password, reason=reason)


def _prepare(sqlite_file: Path, work: Path, source: Path, report: CheckReport, username: str, password: str,
             reason: str, sent_packages: tuple[str, ...]) -> RestoreInfo:
    """The restored file beside the one in use, complete and audited; nothing in use changes here."""
    shutil.copyfile(source, work)
    restrict_to_owner(work)
    db = open_database(str(work))  # brings an older backup to this version's schema, crash-safe
    try:
        actor = users.authenticate(db, username=username, password=password)
        require(actor, "backup.make")
        adopted = [_adopt_sent(db, actor, Path(p)) for p in sent_packages]
    finally:
        db.dispose()
    readable = _readable(sqlite_file)
    kept = carried = resend = None
    if sqlite_file.exists():
        stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
        kept_path = sqlite_file.parent / "backups" / f"恢复前的数据库-{stamp}.sqlite3"
        if readable:
            kept = str(backup_sqlite(sqlite_file, kept_path))
            carried, resend = _carry(Path(kept), work)
        else:  # not a sound database: keep the bytes as they are, for whoever investigates
            kept_path.parent.mkdir(parents=True, exist_ok=True)
            kept = str(shutil.copy2(sqlite_file, kept_path))
    carried = [*(carried or ()), *(a for a in adopted if a not in (carried or ()))]
    info = RestoreInfo(str(source), kept, report, tuple(carried), tuple(resend or ()),
                       sqlite_file.exists() and not readable)
    _audit(work, actor, info, reason)
    with open(work, "rb") as f:
        os.fsync(f.fileno())
    return info


def _adopt_sent(db: Database, actor: Actor, path: Path) -> str:
    """Record a package this bureau sent (verified with its own signing key) as the newest sent to its receiver."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("已发出的数据包", f"无法读取 {path}（{exc.strerror}）") from None
    with UnitOfWork(db) as uow:
        own = current_county(uow).code
        pkg = open_package(data)
        if pkg.manifest.get("kind") != "data" or pkg.sender != own:
            raise PackageRefused(f"{path.name} 不是本局（{own}）发出的数据包")
        key = keys.key_for_fingerprint(uow, pkg.manifest.get("signer_fingerprint"))
        if key is None:
            raise PackageRefused(f"{path.name} 的签名密钥不在备份中（备份之后更换过密钥），无法确认是本局发出的")
        verify_signature(pkg, key.sign_public, "本局")
        sequence = int(pkg.manifest["sequence"])
        label = f"{pkg.receiver} 第{sequence}号"
        newest = last_package(uow, "out", own, pkg.receiver)
        if newest is not None and newest.sequence >= sequence:
            return label
        uow.session.add(ExchangePackage(uuid=pkg.manifest["package_id"], direction="out", kind="data", sender=own,
                                        receiver=pkg.receiver, sequence=sequence, manifest=pkg.manifest_raw.decode(),
                                        manifest_sha256=pkg.manifest_sha256, summary="{}", filename=path.name,
                                        content=data, handled_by=actor.username))
        uow.audit(actor, "exchange.adopt_sent", "exchange_package", pkg.manifest["package_id"],
                  after={"receiver": pkg.receiver, "sequence": sequence, "sha256": pkg.manifest_sha256, "file": str(path)})
        uow.commit()
    return label


def _audit(path: Path, actor: Actor, info: RestoreInfo, reason: str) -> None:
    db = open_database(str(path))
    try:
        with UnitOfWork(db) as uow:
            uow.audit(actor, "backup.restore", "database", None, reason=reason,
                      after={"file": info.restored_from, "sha256": file_sha256(Path(info.restored_from)),
                             "kept_previous": info.kept_previous, "carried_packages": list(info.carried_packages),
                             "resend_needed": list(info.resend_needed)})
            uow.commit()
    finally:
        db.dispose()
