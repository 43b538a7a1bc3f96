"""Backups an office can rely on: a test restore that finds damage and tampering, daily copies kept N
days and readable by the user only, and a restore that keeps the exchange chain with the city so the
next package is accepted (issue 11 item 8, issue 15 item 5)."""
from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from models.db.database import open_database
from models.services import backup, restore
from models.services.base import PermissionDenied, ServiceError
from models.services.exchange import export as ex
from test_exchange_support import (PASSWORD, bureau, export, id_number, institution, introduce, practitioner, receive,
                                   violation)


def count(path, table: str) -> int:
    with sqlite3.connect(path) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_sound_backup_passes_the_test_restore_without_being_changed(db, admin, tmp_path):
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    before = dest.read_bytes()
    report = backup.check_file(dest)
    assert report.ok and report.county == "宁阳县（370921）" and report.audit_entries >= 1
    assert dest.read_bytes() == before


def test_the_test_restore_finds_a_deleted_audit_entry(db, admin, clerk, tmp_path):
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    with sqlite3.connect(dest) as con:  # what someone with the file and an sqlite3 shell could do
        con.execute("DROP TRIGGER audit_log_no_delete")
        con.execute("DELETE FROM audit_log WHERE id = 1")
    report = backup.check_file(dest)
    assert not report.ok
    assert any("触发器缺失" in p for p in report.problems) and any("操作日志不连续" in p for p in report.problems)


def test_the_test_restore_names_a_damaged_file(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\0" + b"\xff" * 5000)
    report = backup.check_file(bad)
    assert not report.ok and "损坏" in report.problems[0]


def test_daily_backups_one_a_day_kept_n_days_readable_by_the_user_only(db, admin, tmp_path):
    folder = tmp_path / "daily"
    first = backup.daily_backup(db, actor=admin, folder=folder, keep_days=3, today=date(2026, 3, 1)).value
    assert first is not None
    if os.name != "nt":  # on Windows the profile's ACL applies
        assert stat.S_IMODE(Path(first.path).stat().st_mode) == 0o600
    assert backup.daily_backup(db, actor=admin, folder=folder, keep_days=3, today=date(2026, 3, 1)).value is None
    by_hand = folder / "信用数据备份-20260301-090000.sqlite3"
    by_hand.write_bytes(b"kept")
    for day in (2, 3, 4, 5):
        backup.daily_backup(db, actor=admin, folder=folder, keep_days=3, today=date(2026, 3, day))
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["信用数据备份-20260301-090000.sqlite3", "信用数据每日备份-20260303.sqlite3",
                     "信用数据每日备份-20260304.sqlite3", "信用数据每日备份-20260305.sqlite3"]
    assert [b.path for b in backup.history(db)][0].endswith("20260305.sqlite3")


def restore_as(path, backup_file, username="admin", password=PASSWORD):
    return restore.restore(path, backup_file=backup_file, username=username, password=password, reason="硬盘故障后恢复")


def test_restore_brings_the_backup_back_keeps_the_replaced_file_and_is_audited(db, admin, clerk, tmp_path):
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    code = institution_in(db, admin)
    path = db.sqlite_file
    db.dispose()
    info = restore_as(path, dest)
    assert count(path, "subjects") == 0 and count(info.kept_previous, "subjects") == 1
    with sqlite3.connect(path) as con:
        actor, reason = con.execute("SELECT actor, reason FROM audit_log WHERE action = 'backup.restore'").fetchone()
    assert (actor, reason) == ("admin", "硬盘故障后恢复") and code


def institution_in(db, admin) -> str:
    from models.services import subjects
    from test_exchange_support import credit_code

    subjects.add_subject(db, actor=admin, data={"type": "institution", "name": "宁阳县中医院", "credit_code": credit_code(7)})
    return credit_code(7)


def test_only_an_administrator_may_restore(db, admin, clerk, tmp_path):
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    path = db.sqlite_file
    db.dispose()
    with pytest.raises(PermissionDenied):
        restore_as(path, dest, username="clerk")
    assert not path.with_name(path.name + restore.RESTORE_SUFFIX).exists()


def test_a_backup_of_another_county_is_refused(tmp_path):
    a = bureau(tmp_path / "a", "370921", "宁阳县")
    b = bureau(tmp_path / "b", "370923", "东平县")
    other = tmp_path / "other.sqlite3"
    backup.make_backup(b.db, actor=b.admin, dest=str(other))
    a.db.dispose()
    before = count(a.path, "audit_log")
    with pytest.raises(ServiceError, match="不是同一个局"):
        restore_as(a.path, other)
    assert count(a.path, "audit_log") == before


def county_and_city(tmp_path):
    """A county with one practitioner, and its city, keys exchanged."""
    county = bureau(tmp_path / "county", "370921", "宁阳县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(county, city)
    practitioner(county, id_number(1), "李医生", institution(county, 1, "宁阳县第一人民医院"))
    return county, city


def test_after_a_restore_the_next_package_follows_the_last_one_the_city_accepted(tmp_path):
    """鲁医保发〔2024〕25号 第五条 sharing needs an unbroken chain: the restored county's next package must
    not reuse a sequence number the city already applied (it would be refused as a replay for good)."""
    county, city = county_and_city(tmp_path)
    violation(county, id_number(1), "宁医保协〔2026〕1号")
    receive(city, export(county, city, tmp_path / "p1"))
    saved = tmp_path / "before-second.sqlite3"
    backup.make_backup(county.db, actor=county.admin, dest=str(saved))
    violation(county, id_number(1), "宁医保协〔2026〕2号")
    receive(city, export(county, city, tmp_path / "p2"))
    from_city = tmp_path / "from-city"
    from_city.mkdir()
    sent = ex.export_package(city.db, actor=city.admin, to_dir=str(from_city), receiver=county.code, calendar_years=(2025,))
    receive(county, Path(sent.value.path))  # the city's package after the backup
    county.db.dispose()

    info = restore_as(county.path, saved)
    assert info.carried_packages == ("370900 第2号",) and info.resend_needed == ("370900 第1号",)
    county.db = open_database(str(county.path))
    violation(county, id_number(1), "宁医保协〔2026〕3号")
    third = export(county, city, tmp_path / "p3")
    assert third.name.endswith("-000003.zip")
    applied = receive(city, third)
    assert applied.status == "applied" and applied.sequence == 3


def test_with_the_database_lost_the_last_package_sent_puts_the_sequence_back_in_step(tmp_path):
    """The disk failed: only the backup and the export folder are left. The package file, signed with the
    bureau's own key, tells the restored database which number the city has applied."""
    county, city = county_and_city(tmp_path)
    saved = tmp_path / "backup.sqlite3"
    backup.make_backup(county.db, actor=county.admin, dest=str(saved))
    violation(county, id_number(1), "宁医保协〔2026〕1号")
    receive(city, export(county, city, tmp_path / "sent"))
    violation(county, id_number(1), "宁医保协〔2026〕2号")
    second = export(county, city, tmp_path / "sent")
    receive(city, second)
    county.db.dispose()
    county.path.write_bytes(b"\0" * 4096)  # the file in use is destroyed

    info = restore.restore(county.path, backup_file=saved, username="admin", password=PASSWORD, reason="硬盘损坏",
                           sent_packages=(str(second),))
    assert info.previous_unreadable and info.carried_packages == ("370900 第2号",)
    county.db = open_database(str(county.path))
    violation(county, id_number(1), "宁医保协〔2026〕3号")
    third = export(county, city, tmp_path / "after")
    assert third.name.endswith("-000003.zip") and receive(city, third).status == "applied"


def test_a_package_of_another_county_cannot_set_the_sequence(tmp_path):
    county = bureau(tmp_path / "county", "370921", "宁阳县")
    other = bureau(tmp_path / "other", "370923", "东平县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(other, city)
    hospital = institution(other, 1, "东平县人民医院")
    practitioner(other, id_number(1, "370923"), "王医生", hospital)
    foreign = export(other, city, tmp_path / "foreign")
    saved = tmp_path / "backup.sqlite3"
    backup.make_backup(county.db, actor=county.admin, dest=str(saved))
    county.db.dispose()
    with pytest.raises(ServiceError, match="不是本局"):
        restore.restore(county.path, backup_file=saved, username="admin", password=PASSWORD, reason="演练",
                        sent_packages=(str(foreign),))
    assert not county.path.with_name(county.path.name + restore.RESTORE_SUFFIX).exists()


def test_the_test_restore_checks_the_hash_chain_of_the_copy(db, admin, clerk, tmp_path):
    """A subject's name rewritten with an sqlite3 shell leaves the triggers and the numbering: only the chain shows it."""
    institution_in(db, admin)
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    assert backup.check_file(dest).chain.startswith("封存链完整")
    with sqlite3.connect(dest) as con:
        con.execute("UPDATE subjects SET name = '改过的名称' WHERE type = 'institution'")
    report = backup.check_file(dest)
    assert not report.ok and report.chain == "封存链断开"
    assert any(p.startswith("封存链断开：信用主体基础信息（录入于 ") for p in report.problems)


def verify_report(path):
    from models.services import audit

    db = open_database(str(path))
    try:
        return audit.verify(db)
    finally:
        db.dispose()


def test_a_restored_backup_is_reported_as_restored_not_as_tampering(db, admin, tmp_path):
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    institution_in(db, admin)  # written after the backup: the restored file lacks these seals
    path = db.sqlite_file
    db.dispose()
    restore_as(path, dest)
    report = verify_report(path)
    assert report.ok, report.problems()
    assert any("用 credit-desk restore 从备份“b.sqlite3”恢复" in n and "这是恢复，不是篡改" in n for n in report.notes)


def test_an_older_copy_put_in_place_by_hand_is_named_as_older_than_its_anchor(db, admin, tmp_path):
    """Cutting off the newest rows together with their seals leaves a chain that checks; the anchor does not."""
    dest = tmp_path / "b.sqlite3"
    backup.make_backup(db, actor=admin, dest=str(dest))
    institution_in(db, admin)
    path = db.sqlite_file
    db.dispose()
    for stale in ("-wal", "-shm"):
        path.with_name(path.name + stale).unlink(missing_ok=True)
    path.write_bytes(dest.read_bytes())
    report = verify_report(path)
    assert not report.ok and report.findings == ()
    assert report.anchor_problem.startswith("数据库比本机记录的状态旧：最近 ")
    assert "信用主体基础信息" in report.anchor_problem
