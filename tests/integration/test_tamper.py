"""Tamper evidence (Panan 第十二条: nothing silently overwritten or deleted; 第二十五条 punishes 篡改信息).

Triggers refuse rewrites inside the program; the hash chain finds what someone did to the file from
outside it, and `credit-desk audit verify` names the first broken link.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from test_exchange_support import credit_code, id_number

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ("subject_id, kind, good, source, case_no, decision_date, decision_type, amount, responsibility, institution_id, "
           "note, entered_by, supersedes_id, correction_reason, id, uuid, created_at, updated_at, sync_pending, origin_county")


@pytest.fixture
def filed(db, admin, clerk):
    """A practitioner with one bad record: audit entries, a credit record, a status history row."""
    from models.services import records, subjects

    subjects.add_subject(db, actor=admin, data={"type": "institution", "name": "宁阳县人民医院", "credit_code": credit_code(1)})
    subjects.add_subject(db, actor=admin, data={"type": "practitioner", "name": "张伟", "id_number": id_number(1),
                                                "institutions": [credit_code(1)]})
    records.add_record(db, actor=clerk, data={"subject": id_number(1), "kind": "refuse_penalty",
                                              "decision_date": "2026-03-02", "responsibility": "主要",
                                              "case_no": "宁医保协〔2026〕3号", "decision_type": "协议处理"})
    return db


def verify(db) -> subprocess.CompletedProcess:
    env = {**os.environ, "CREDIT_DESK_PASSWORD": "abc12345"}
    return subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db.sqlite_file), "--user", "admin", "audit",
                           "verify"], capture_output=True, env=env, cwd=ROOT, timeout=120, text=True)


def outside(db, *sql: str) -> None:
    """What someone with the file and an ordinary sqlite3 shell can do (no recursive triggers there)."""
    con = sqlite3.connect(db.sqlite_file)
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()


def test_an_intact_file_verifies(filed):
    done = verify(filed)
    assert done.returncode == 0 and "封存链完整" in done.stdout


def test_insert_or_replace_cannot_rewrite_a_record_inside_the_program(filed):
    """SQLite's REPLACE deletes the old row; recursive_triggers makes that delete fire the refusal."""
    with pytest.raises(IntegrityError, match="信用记录不可删除"):
        with filed.engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT OR REPLACE INTO credit_records ({COLUMNS}) SELECT subject_id, kind, good, source, "
                                 "'改过', decision_date, decision_type, amount, responsibility, institution_id, note, "
                                 "entered_by, supersedes_id, correction_reason, id, uuid, created_at, updated_at, "
                                 "sync_pending, origin_county FROM credit_records")


def test_a_record_rewritten_by_replace_from_outside_is_named_by_audit_verify(filed):
    outside(filed, f"INSERT OR REPLACE INTO credit_records ({COLUMNS}) SELECT subject_id, kind, good, source, '改过', "
                   "decision_date, decision_type, amount, responsibility, institution_id, note, entered_by, supersedes_id, "
                   "correction_reason, id, uuid, created_at, updated_at, sync_pending, origin_county FROM credit_records")
    done = verify(filed)
    assert done.returncode == 1
    assert "信用信息（案号 改过）：内容与写入时封存的摘要不符" in done.stderr


def test_a_direct_update_of_the_audit_log_is_named(filed):
    outside(filed, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET actor = 'nobody' WHERE id = 2")
    assert "审计日志（时间 " in verify(filed).stderr and "：内容与写入时封存的摘要不符" in verify(filed).stderr


def test_a_row_deleted_or_slipped_in_by_hand_is_named(filed):
    outside(filed, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 1")
    assert "审计日志（内部序号 1）：这一行已从数据库中被删除" in verify(filed).stderr


def test_a_row_inserted_by_hand_is_named_and_not_sealed_by_the_next_honest_write(filed, admin):
    from models.services import subjects

    outside(filed, "INSERT INTO audit_log (uuid, at, actor, action, entity_type, reason) "
                   "VALUES ('x', '2026-01-01 00:00:00', 'admin', 'record.add', 'credit_record', '')")
    subjects.add_subject(filed, actor=admin, data={"type": "institution", "name": "东平县人民医院", "credit_code": credit_code(2)})
    assert "这一行不是本程序写入的" in verify(filed).stderr


def test_no_package_leaves_while_the_file_is_known_to_be_altered(tmp_path):
    from models.services.audit import Tampered

    from test_exchange_support import bureau, export, introduce, institution

    a, city = bureau(tmp_path / "a", "370921", "宁阳县"), bureau(tmp_path / "c", "370900", "泰安市")
    introduce(a, city)
    institution(a, 1, "宁阳县人民医院")
    outside(a.db, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET reason = 'x' WHERE id = 1")
    with pytest.raises(Tampered, match="数据完整性校验未通过：审计日志（时间 .*）：内容与写入时封存的摘要不符"):
        export(a, city, tmp_path / "out")
    a.db.dispose()
    city.db.dispose()


def test_registration_status_history_is_append_only(filed):
    with pytest.raises(sqlite3.IntegrityError, match="登记备案状态记录不可修改"):
        outside(filed, "UPDATE registration_status SET status = '终止'")


def test_database_backups_and_logs_are_readable_by_the_user_only(filed, admin, tmp_path):
    from models import errors
    from models.services.backup import make_backup

    backup = Path(make_backup(filed, actor=admin, dest=tmp_path / "b" / "copy.sqlite3").value.path)
    log = errors.setup_logging(tmp_path) or errors.log_path()
    for path in (filed.sqlite_file, backup, log):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_unknown_user_name_costs_a_password_hash_like_a_wrong_password(db, monkeypatch):
    """Login time must not reveal which user names exist."""
    from models.services import users
    from models.services.base import ServiceError

    checked = []
    real = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda p, h: checked.append(h.split("$")[0]) or real(p, h))
    for name in ("admin", "nobody"):
        with pytest.raises(ServiceError, match="用户名或密码错误"):
            users.authenticate(db, username=name, password="wrong-1234")
    assert checked == ["scrypt", "scrypt"]


def test_a_locked_database_is_retried_then_named_with_what_holds_it(filed, admin, monkeypatch):
    from models.services import base, subjects

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from models.db.database import open_database\n"
         f"db = open_database({str(filed.sqlite_file)!r})\n"
         "con = db.engine.raw_connection()\n"
         "con.execute('BEGIN EXCLUSIVE')\n"
         "print('ready', flush=True)\n"
         "time.sleep(60)\n", "sync", "import"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setattr(base, "LOCK_RETRIES", (0.1,))
        with pytest.raises(base.DatabaseBusy) as busy:
            subjects.add_subject(filed, actor=admin, data={"type": "institution", "name": "东平县人民医院",
                                                           "credit_code": credit_code(2)})
        assert f"进程 {holder.pid}" in str(busy.value) and "没有写入任何数据" in str(busy.value)
    finally:
        holder.kill()
        holder.wait()
