"""Upgrade in place on an office PC: a database made by release 0.1.0 opens with this version, after a
backup, with its data intact and a short 更新说明 once; an upgrade that fails or is killed leaves a
database that opens (SQLite DDL is not transactional, so the migration runs on a copy)."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.db import migrate
from models.db.database import open_database
from models.db.engine import make_engine
from models.services import release, users

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "creditdesk-0.1.0.sqlite3"
PASSWORD = "abc12345"
DOCTOR = "370921198001010018"


@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "creditdesk.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


def digest(path: Path) -> str:
    """Of every row and schema statement (opening may switch the journal mode in the header)."""
    with sqlite3.connect(path) as con:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()


def test_a_0_1_0_database_upgrades_after_a_backup_with_its_credit_file_intact(old_file, capsys):
    from desktop.cli import main

    db = open_database(str(old_file))
    assert migrate.current_revisions(db.engine) == migrate.head_revisions()
    backup = sqlite3.connect(db.backup_made)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [("0009",)]
    assert db.backup_made.name.endswith("-rev0009.sqlite3") and db.backup_made.parent == old_file.parent / "backups"
    db.dispose()
    os.environ["CREDIT_DESK_PASSWORD"] = PASSWORD
    assert main(["--db", str(old_file), "--user", "admin", "show", DOCTOR, "--json"]) == 0
    shown = capsys.readouterr().out
    assert "李医生" in shown and "宁医保协〔2026〕3号" in shown and '"total": 6' in shown
    assert users.authenticate(open_database(str(old_file)), username="clerk", password=PASSWORD).username == "clerk"


def test_the_first_start_after_the_upgrade_says_what_changed_once(old_file):
    db = open_database(str(old_file))
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    notes = release.check_in(db, actor=admin)
    assert [v for v, _lines in notes] == [release.program_version()] and any("备份" in line for line in notes[0][1])
    assert release.check_in(db, actor=admin) == []
    db.dispose()


def test_a_new_database_has_no_update_notes(db, admin):
    assert release.check_in(db, actor=admin) == []


def test_about_names_version_schema_revision_and_the_packs_in_force(db):
    info = release.about(db)
    assert info.version == release.program_version() and info.schema_revision == "+".join(sorted(migrate.head_revisions()))
    assert info.county == "宁阳县（370921）" and any(not p.reference for p in info.packs)


def test_a_failed_upgrade_leaves_the_file_unchanged_and_names_the_backup(old_file, monkeypatch):
    before = digest(old_file)
    real = migrate.command.upgrade

    def half_then_fail(cfg, revision):
        real(cfg, revision)  # the copy is fully migrated ...
        raise OSError(28, "No space left on device")  # ... and then the disk is full

    monkeypatch.setattr(migrate.command, "upgrade", half_then_fail)
    with pytest.raises(migrate.MigrationFailed) as failed:
        open_database(str(old_file))
    assert digest(old_file) == before
    backups = list((old_file.parent / "backups").glob("*-rev0009.sqlite3"))
    assert len(backups) == 1 and str(backups[0]) in str(failed.value) and "未作任何更改" in str(failed.value)
    assert "磁盘空间不足" in str(failed.value) and "OSError" not in str(failed.value)
    assert not old_file.with_name(old_file.name + migrate.WORK_SUFFIX).exists()
    monkeypatch.undo()
    db = open_database(str(old_file))  # the next start tries again and succeeds
    assert migrate.current_revisions(db.engine) == migrate.head_revisions()
    db.dispose()


def test_old_pre_upgrade_backups_are_pruned_and_others_kept(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    made = []
    for n in range(8):
        p = folder / f"creditdesk-202601{n + 1:02d}-120000-rev0009.sqlite3"
        p.write_bytes(b"x")
        os.utime(p, (1_700_000_000 + n, 1_700_000_000 + n))
        made.append(p)
    own = folder / "信用数据备份-20260101-120000.sqlite3"
    own.write_bytes(b"y")
    removed = migrate.prune_upgrade_backups(folder, keep=5)
    assert sorted(removed) == made[:3]
    assert sorted(folder.iterdir()) == sorted(made[3:] + [own])


def seed_first_revision(path: Path) -> None:
    from test_migrations import FIRST, seed_first_revision as seed

    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, revision=FIRST)
    engine.dispose()
    seed(path)


@pytest.mark.slow
def test_a_migration_killed_at_random_points_leaves_a_database_that_opens(tmp_path):
    """DOMAIN: nothing half-written. SIGKILL during the upgrade (subprocess), eight times at random moments."""
    pristine = tmp_path / "pristine.sqlite3"
    seed_first_revision(pristine)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = "import sys; from models.db.database import open_database; open_database(sys.argv[1]).dispose(); print('done')"

    def start(path: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    full = tmp_path / "full.sqlite3"
    shutil.copyfile(pristine, full)
    began = time.monotonic()
    proc = start(full)
    out, err = proc.communicate(timeout=300)
    duration = time.monotonic() - began
    assert proc.returncode == 0 and b"done" in out, err.decode()

    rng = random.Random(15)
    killed = 0
    for n in range(8):
        target = tmp_path / f"kill-{n}.sqlite3"
        shutil.copyfile(pristine, target)
        proc = start(target)
        time.sleep(rng.uniform(0.1, 1.0) * duration)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate()
        db = open_database(str(target))  # the program's next start
        assert migrate.current_revisions(db.engine) == migrate.head_revisions()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name, id_number FROM subjects").all() == [("王五", "11010519491231002X")]
            assert conn.exec_driver_sql("SELECT amount FROM credit_records").scalar() == 12345678
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        db.dispose()
        assert not target.with_name(target.name + migrate.WORK_SUFFIX).exists()
    assert killed >= 4  # most runs really were interrupted, not finished before the kill


def test_an_upgrade_waits_for_no_one_and_never_replaces_a_file_another_program_is_writing(old_file):
    other = sqlite3.connect(old_file, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")  # as the program keeps its file
    before = digest(old_file)
    other.execute("BEGIN IMMEDIATE")  # another copy of the program in the middle of a write
    try:
        with pytest.raises(migrate.MigrationFailed, match="另一个程序正在使用或升级该数据库"):
            open_database(str(old_file))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert digest(old_file) == before
    assert not old_file.with_name(old_file.name + migrate.WORK_SUFFIX).exists()
