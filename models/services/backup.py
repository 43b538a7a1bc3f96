"""Backups of the database file. Each one is in the audit log: who took a copy of the county's
credit data, when, where to, and the SHA-256 of the copy (so a file produced later can be matched).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from models.db import integrity_check
from models.db.database import Database, open_database
from models import errors
from models.db.migrate import MigrationFailed, backup_sqlite, integrity_problem
from models.db.tables import AuditEntry
from models.services.base import Actor, Result, ServiceError, UnitOfWork, query, require
from models.validation import ValidationError, clean


@dataclass(frozen=True)
class BackupInfo:
    path: str
    size: int
    sha256: str
    at: datetime | None
    actor: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def suggested_path(db: Database, stamp: datetime | None = None) -> Path | None:
    """backups/ beside the database, where start-up also puts its copies before a migration."""
    if db.sqlite_file is None:
        return None
    return db.sqlite_file.parent / "backups" / f"信用数据备份-{(stamp or datetime.now()):%Y%m%d-%H%M%S}.sqlite3"


def make_backup(db: Database, *, actor: Actor, dest: str | Path, progress=None) -> Result:
    """A consistent copy through SQLite's backup API (safe while the program is in use), then the audit entry.

    ``progress`` is accepted for the task runner but not fed: the copy has no steps to count.
    """
    require(actor, "backup.make")
    if db.sqlite_file is None:
        raise ServiceError("数据库不是本机文件，请由数据库服务器管理员备份")
    target = Path(clean(dest))
    if not clean(dest):
        raise ValidationError("备份文件", "请选择备份文件的保存位置")
    if target.exists() and target.resolve() == db.sqlite_file.resolve():
        raise ValidationError("备份文件", "不能覆盖正在使用的数据库文件，请另选位置")
    try:
        path = backup_sqlite(db.sqlite_file, target)
    except OSError as exc:
        raise ValidationError("备份文件", f"无法写入 {target}（{exc.strerror or exc}）") from None
    info = BackupInfo(str(path), path.stat().st_size, file_sha256(path), None, actor.username)
    with UnitOfWork(db) as uow:
        uow.audit(actor, "backup.make", "database", None, after={"file": info.path, "size": info.size, "sha256": info.sha256})
        uow.commit()
    return Result(info)


DAILY_PREFIX = "信用数据每日备份-"
# Tables whose rows carry legal weight: a backup whose triggers protecting them are gone was tampered with.
GUARDED = ("audit_log_no_update", "audit_log_no_delete", "credit_records_no_delete", "credit_records_no_rewrite",
           "registration_status_no_delete")


@dataclass(frozen=True)
class CheckReport:
    """``backup --check``: the copy opens with this version, SQLite finds it sound, the audit trail is whole and
    its hash chain intact."""
    path: str
    problems: tuple[str, ...]
    revision: str
    county: str
    subjects: int
    records: int
    audit_entries: int
    last_audit: str
    chain: str = ""  # what the check of the keyed hash chain found, in words


    @property
    def ok(self) -> bool:
        return not self.problems


def _audit_trail_problems(con: sqlite3.Connection) -> list[str]:
    """Entries are only ever appended: the guarding triggers are in place and ids run 1..N without a hole.

    (Times are not compared: an office PC's clock may be set back. A hash chain over the entries, where
    the schema has one, is the stronger check.)"""
    problems = []
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = [t for t in GUARDED if t not in triggers]
    if missing:
        problems.append(f"防止改删的触发器缺失：{'、'.join(missing)}（文件曾被其他程序修改）")
    count, top = con.execute("SELECT count(*), coalesce(max(id), 0) FROM audit_log").fetchone()
    if count != top:
        problems.append(f"操作日志不连续：最大编号 {top}，实有 {count} 条（有日志被删除）")
    return problems


def check_file(path: str | Path, progress=None) -> CheckReport:
    """Test restore: a copy in a temporary folder is checked and opened with this version (migrated if older).

    The file itself is only read. ``progress`` is accepted for the task runner (the steps are not counted).
    """
    source = Path(path)
    if not source.is_file():
        raise ValidationError("备份文件", f"“{path}”不存在或不是文件")
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="creditdesk-check-") as folder:
        copy = Path(folder) / "check.sqlite3"
        shutil.copyfile(source, copy)
        problem = integrity_problem(copy)
        if problem:
            return CheckReport(str(source), (f"文件已损坏或不是本系统的数据库（{problem}）",), "", "", 0, 0, 0, "")
        con = sqlite3.connect(copy)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "county", "audit_log"} <= tables:
                return CheckReport(str(source), ("不是本系统的数据库（缺少版本、本局信息或操作日志表）",), "", "", 0, 0, 0, "")
            problems += _audit_trail_problems(con)
            revision = "+".join(sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version")))
        finally:
            con.close()
        try:
            copy_db = open_database(str(copy))
        except Exception as exc:  # noqa: BLE001 - the report names why the copy does not open
            why = str(exc) if isinstance(exc, MigrationFailed) else f"事件编号 {errors.record(exc, 'backup check')}"
            return CheckReport(str(source), (*problems, f"本版本程序无法打开该备份（{why}）"), revision, "", 0, 0, 0, "")
        try:
            with copy_db.engine.connect() as conn:
                row = conn.exec_driver_sql("SELECT name || '（' || code || '）' FROM county").first()
                subjects = conn.exec_driver_sql("SELECT count(*) FROM subjects").scalar()
                records = conn.exec_driver_sql("SELECT count(*) FROM credit_records").scalar()
                entries, last = conn.exec_driver_sql("SELECT count(*), max(at) FROM audit_log").first()
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                chain, broken = _chain(conn)
                problems += broken
        finally:
            copy_db.dispose()
        if fk:
            problems.append(f"数据之间的引用不完整（表 {fk[0]} 第 {fk[1]} 行）")
        if row is None:
            problems.append("备份中没有本局信息（数据库尚未初始化）")
    return CheckReport(str(source), tuple(problems), revision, row[0] if row else "", subjects, records, entries,
                       str(last or "")[:19], chain)


def _chain(conn) -> tuple[str, list[str]]:
    """Every link and every sealed row of the copy (models/db/integrity.py): (the verdict, the problems)."""
    found = integrity_check.verify(conn)
    if not found:
        seals = conn.exec_driver_sql("SELECT COUNT(*) FROM integrity_seals").scalar()
        return f"封存链完整：{seals} 次封存，有法律效力的每一行均与写入时一致", []
    if found[0].problem == integrity_check.NO_KEY:
        return f"封存链未校验：{found[0].problem}", []
    return "封存链断开", [f"封存链断开：{f}" for f in found]


def default_daily_folder(sqlite_file: Path | None) -> Path | None:
    """Where daily copies go until the administrator chooses another folder (better: another disk)."""
    return sqlite_file.parent / "backups" / "每日" if sqlite_file else None


def daily_due(folder: Path, today: date) -> Path | None:
    """Where today's automatic copy goes, or None when it was already made."""
    target = folder / f"{DAILY_PREFIX}{today:%Y%m%d}.sqlite3"
    return None if target.exists() else target


def prune_daily(folder: Path, *, keep_days: int, today: date) -> list[Path]:
    """Automatic copies older than ``keep_days`` days; copies made by hand are never removed."""
    cutoff = today - timedelta(days=keep_days)
    removed = []
    for p in folder.glob(f"{DAILY_PREFIX}*.sqlite3"):
        try:
            made = datetime.strptime(p.stem[len(DAILY_PREFIX):], "%Y%m%d").date()
        except ValueError:
            continue
        if made <= cutoff:
            p.unlink(missing_ok=True)
            removed.append(p)
    return sorted(removed)


def daily_backup(db: Database, *, actor: Actor, folder: str | Path, keep_days: int,
                 today: date | None = None, progress=None) -> Result:
    """The automatic daily copy the administrator set up: at most one a day, older ones pruned.

    It runs for whoever is signed in (the schedule is the administrator's decision) and is audited
    under that user with the action ``backup.daily``. Returns the new copy's :class:`BackupInfo`, or
    None when today's copy exists.
    """
    if db.sqlite_file is None:
        raise ServiceError("数据库不是本机文件，请由数据库服务器管理员备份")
    if keep_days < 1:
        raise ValidationError("保留天数", "至少保留 1 天")
    day = today or date.today()
    place = Path(clean(str(folder)))
    try:
        place.mkdir(parents=True, exist_ok=True)
        target = daily_due(place, day)
        removed = prune_daily(place, keep_days=keep_days, today=day)
        if target is None:
            return Result(None)
        path = backup_sqlite(db.sqlite_file, target)
    except OSError as exc:
        raise ValidationError("备份文件夹", f"无法写入 {place}（{exc.strerror or exc}）") from None
    info = BackupInfo(str(path), path.stat().st_size, file_sha256(path), None, actor.username)
    with UnitOfWork(db) as uow:
        uow.audit(actor, "backup.daily", "database", None, after={"file": info.path, "size": info.size,
                  "sha256": info.sha256, "pruned": [p.name for p in removed]})
        uow.commit()
    return Result(info)


@query
def history(uow: UnitOfWork, *, limit: int = 200) -> list[BackupInfo]:
    """The backups made, newest first, from the audit log."""
    rows = uow.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("backup.make", "backup.daily")))
                               .order_by(AuditEntry.id.desc()).limit(limit))
    out = []
    for a in rows:
        after = json.loads(a.after or "{}")
        out.append(BackupInfo(after.get("file", ""), int(after.get("size", 0)), after.get("sha256", ""), a.at, a.actor))
    return out
