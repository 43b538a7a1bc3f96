"""Backups of the database file. Each one is in the audit log: who took a copy of the county's
credit data, when, where to, and the SHA-256 of the copy (so a file produced later can be matched).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from models.db.database import Database
from models.db.migrate import backup_sqlite
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


def _sha256(path: Path) -> str:
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
    info = BackupInfo(str(path), path.stat().st_size, _sha256(path), None, actor.username)
    with UnitOfWork(db) as uow:
        uow.audit(actor, "backup.make", "database", None, after={"file": info.path, "size": info.size, "sha256": info.sha256})
        uow.commit()
    return Result(info)


@query
def history(uow: UnitOfWork, *, limit: int = 200) -> list[BackupInfo]:
    """The backups made, newest first, from the audit log."""
    rows = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "backup.make")
                               .order_by(AuditEntry.id.desc()).limit(limit))
    out = []
    for a in rows:
        after = json.loads(a.after or "{}")
        out.append(BackupInfo(after.get("file", ""), int(after.get("size", 0)), after.get("sha256", ""), a.at, a.actor))
    return out
