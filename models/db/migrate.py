"""Schema upgrades at start-up, crash-safe for SQLite files.

SQLite DDL is not transactional: a process killed half-way through a batch migration leaves a file
that may never open again. So an SQLite file is never migrated in place. The upgrade runs on a
copy beside it (``….migrating``); only a fully migrated, integrity-checked copy replaces the
original, by an atomic rename. Killed at any point, the original is either untouched or already
replaced by the complete result. A backup is taken first (kept in ``backups/``, pruned to the
newest few), and a failure names it.
"""
from __future__ import annotations

import errno
import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from models import errors
from models.db.engine import private_file

MIGRATIONS = Path(__file__).parent / "migrations"
WORK_SUFFIX = ".migrating"
KEEP_UPGRADE_BACKUPS = 5
ON_WINDOWS = os.name == "nt"
_UPGRADE_BACKUP = re.compile(r"-\d{8}-\d{6}(-\d+)?-rev[0-9a-z+]+\.sqlite3$")


class MigrationFailed(RuntimeError):
    """The upgrade did not complete; the database file is as it was. The message names the backup."""


def _cause(exc: BaseException) -> str:
    """Why an upgrade failed, as the user can act on it; anything else goes to the log under an incident number."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "磁盘空间不足，请清理磁盘后重新启动"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return "没有写入数据库所在文件夹的权限"
    return f"事件编号 {errors.record(exc, 'database upgrade')}，详细情况已记入日志"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> frozenset[str]:
    """Every head: parts of the schema may be developed on parallel branches before a merge revision."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def restrict_to_owner(path: Path) -> None:
    """Credit data is personal data: files the program makes are readable by the user only.

    On Windows the file inherits the ACL of the user's profile folder (%LOCALAPPDATA% is private);
    os.chmod there could only set the read-only flag, which is not what is meant.
    """
    if not ON_WINDOWS:
        os.chmod(path, 0o600)


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Consistent copy through SQLite's backup API (safe while WAL is in use), readable by the user only."""
    private_file(dest)
    s, d = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        s.backup(d)
        d.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        s.close()
        d.close()
    return dest


def integrity_problem(path: Path, *, quick: bool = False) -> str | None:
    """None when SQLite finds the file sound, else its first complaint.

    ``quick`` checks the file's structure only, not that every index matches its table: about ten
    times faster (0.2 s against 2.4 s for 86 MB), enough after a migration SQLite itself carried out.
    """
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}(1)").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if result == "ok" else result


def _sqlite_engine(path: Path) -> Engine:
    """The migrating connection: foreign keys are checked once after all revisions ran (``_foreign_key_problem``),
    not per statement, because SQLite changes a column by rebuilding its table, and dropping a table that other
    tables refer to fails (or scans them once per row) while foreign keys are enforced."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")
        dbapi_conn.execute("PRAGMA busy_timeout=5000")

    return engine


def _foreign_key_problem(path: Path) -> str | None:
    con = sqlite3.connect(path)
    try:
        broken = con.execute("PRAGMA foreign_key_check").fetchone()
    finally:
        con.close()
    return None if broken is None else f"表 {broken[0]} 的第 {broken[1]} 行引用了不存在的 {broken[2]} 记录"


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    """Make a rename durable; Windows cannot open a directory and flushes renames itself."""
    if ON_WINDOWS:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def upgrade_backup_name(sqlite_file: Path, current: frozenset[str], stamp: datetime) -> Path:
    return sqlite_file.parent / "backups" / f"{sqlite_file.stem}-{stamp:%Y%m%d-%H%M%S}-rev{'+'.join(sorted(current))}.sqlite3"


def prune_upgrade_backups(folder: Path, keep: int = KEEP_UPGRADE_BACKUPS) -> list[Path]:
    """The copies taken before upgrades, oldest first beyond the newest ``keep``; returns what was removed.

    Backups the administrator made (and the daily ones) have other names and are never touched here.
    """
    found = sorted((p for p in folder.glob("*.sqlite3") if _UPGRADE_BACKUP.search(p.name)),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    removed = found[keep:]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed


def _checkpoint(sqlite_file: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the whole database."""
    con = sqlite3.connect(sqlite_file)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _writer_lock(sqlite_file: Path) -> sqlite3.Connection:
    """Hold SQLite's write lock on the original while its copy is migrated: no other process writes to it
    (its changes would be lost by the replacement) and a second program starting at the same time does
    not migrate it twice."""
    lock = sqlite3.connect(sqlite_file, timeout=0, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        lock.close()
        raise MigrationFailed("另一个程序正在使用或升级该数据库，请关闭其他程序后重新启动") from None
    return lock


def _migrated_copy(sqlite_file: Path, work: Path, revision: str) -> None:
    if sqlite_file.exists():
        backup_sqlite(sqlite_file, work)
    else:
        work.touch()
        restrict_to_owner(work)
    work_engine = _sqlite_engine(work)
    try:
        command.upgrade(alembic_config(work_engine), revision)
    finally:
        work_engine.dispose()
    problem = integrity_problem(work, quick=True) or _foreign_key_problem(work)
    if problem:
        raise MigrationFailed(f"升级后的数据库未通过完整性检查（{problem}）")
    _fsync(work)


def _upgrade_sqlite(engine: Engine, sqlite_file: Path, current: frozenset[str], revision: str) -> Path | None:
    work = sqlite_file.with_name(sqlite_file.name + WORK_SUFFIX)
    engine.dispose()  # our own pooled connections must not hold the old file across the rename
    if sqlite_file.exists():
        _checkpoint(sqlite_file)
    lock = _writer_lock(sqlite_file)
    backup = None
    try:
        for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-journal")):
            leftover.unlink(missing_ok=True)  # a copy from an upgrade that was killed: never used
        if current:
            backup = backup_sqlite(sqlite_file, upgrade_backup_name(sqlite_file, current, datetime.now()))
            prune_upgrade_backups(backup.parent)
        named = f"；升级前的备份在 {backup}" if backup else ""
        try:
            _migrated_copy(sqlite_file, work, revision)
            lock.close()  # rolls back the empty transaction; the original is now to be replaced whole
            wal = sqlite_file.with_name(sqlite_file.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise MigrationFailed("升级期间有其他程序写入了数据库，为免丢失其写入，未替换；请关闭其他程序后重新启动")
            os.replace(work, sqlite_file)
            _sync_folder(sqlite_file.parent)
        except MigrationFailed as exc:
            work.unlink(missing_ok=True)
            raise MigrationFailed(f"数据库升级失败：{exc}。原数据库文件未作任何更改{named}") from None
        except Exception as exc:  # noqa: BLE001 - any failure leaves the original in place; say so, with the backup
            work.unlink(missing_ok=True)
            raise MigrationFailed(f"数据库升级失败（{_cause(exc)}）。原数据库文件未作任何更改{named}") from exc
    finally:
        lock.close()
        engine.dispose()
    return backup


def upgrade(engine: Engine, *, revision: str = "heads", sqlite_file: Path | None = None) -> Path | None:
    """Bring the schema to ``revision`` (all heads by default); returns the backup made first, if any.

    PostgreSQL runs DDL in the migration's transaction: there the upgrade runs in place.
    """
    current = current_revisions(engine)
    target = head_revisions() if revision == "heads" else frozenset({revision})
    if current == target:
        return None
    if sqlite_file is None:
        command.upgrade(alembic_config(engine), revision)
        return None
    return _upgrade_sqlite(engine, sqlite_file, current, revision)
