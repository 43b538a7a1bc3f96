"""Backups: a usable copy, only for administrators, and every copy on the audit trail."""
from __future__ import annotations

import hashlib
import json

import pytest

from models.db.database import open_database
from models.services import backup
from models.services.base import PermissionDenied
from models.services.county import get_county
from models.validation import ValidationError


def _audit(db, action):
    import sqlite3

    with sqlite3.connect(db.sqlite_file) as con:
        return con.execute("SELECT actor, after FROM audit_log WHERE action = ?", (action,)).fetchall()


def test_backup_is_an_openable_copy_recorded_with_its_hash(db, admin, tmp_path):
    dest = tmp_path / "copies" / "county-backup.sqlite3"
    info = backup.make_backup(db, actor=admin, dest=str(dest)).value
    assert info.sha256 == hashlib.sha256(dest.read_bytes()).hexdigest() and info.size == dest.stat().st_size
    copy = open_database(str(dest))
    assert get_county(copy).name == "宁阳县"
    copy.dispose()
    ((actor, after),) = _audit(db, "backup.make")
    assert actor == "admin"
    assert json.loads(after) == {"file": str(dest), "size": info.size, "sha256": info.sha256}
    listed = backup.history(db)
    assert [(b.path, b.actor, b.sha256) for b in listed] == [(str(dest), "admin", info.sha256)]


def test_a_clerk_may_not_take_a_copy_of_the_county_data(db, clerk, tmp_path):
    with pytest.raises(PermissionDenied, match="备份数据库.*管理员"):
        backup.make_backup(db, actor=clerk, dest=str(tmp_path / "no.sqlite3"))
    assert not (tmp_path / "no.sqlite3").exists()
    assert _audit(db, "backup.make") == []


def test_the_database_in_use_cannot_be_overwritten_by_its_own_backup(db, admin):
    with pytest.raises(ValidationError) as refused:
        backup.make_backup(db, actor=admin, dest=str(db.sqlite_file))
    assert refused.value.field == "备份文件"
    assert get_county(db).name == "宁阳县"


def test_suggested_place_is_the_backups_folder_beside_the_database(db):
    path = backup.suggested_path(db)
    assert path.parent == db.sqlite_file.parent / "backups" and path.name.startswith("信用数据备份-")
