"""`credit-desk --version`, `backup --check` and `restore` as office IT runs them: one-line Chinese answers,
exit codes scripts can rely on, no traceback."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from models.db import migrate
from models.services import release

PASSWORD = "abc12345"
HEAD = "+".join(sorted(migrate.head_revisions()))
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "creditdesk-0.1.0.sqlite3"


@pytest.fixture
def office(tmp_path, monkeypatch, capsys):
    path = tmp_path / "数据" / "creditdesk.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(FIXTURE, path)
    monkeypatch.setenv("CREDIT_DESK_PASSWORD", PASSWORD)

    def run(*args):
        code = main(["--db", str(path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.path = path
    return run


def test_version_names_program_schema_and_packs(office):
    code, out, _err = office("--version")
    assert code == 0
    assert f"CreditDesk）{release.program_version()}" in out and f"数据库结构版本：{HEAD}" in out
    assert "现行政策包：" in out and "宁阳县（370921）" in out


def test_backup_check_passes_a_good_copy_and_fails_a_damaged_one(office, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    assert office("--user", "admin", "backup", "--to", str(copy))[0] == 0
    code, out, _ = office("backup", "--check", str(copy), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    with sqlite3.connect(copy) as con:
        con.execute("DROP TRIGGER credit_records_no_delete")
        con.execute("DELETE FROM credit_records")
    code, out, err = office("backup", "--check", str(copy))
    assert code == 1 and "credit_records_no_delete" in out and "检查未通过" in out and "Traceback" not in err


def test_backup_check_of_a_missing_file_names_the_field(office, tmp_path):
    code, _out, err = office("backup", "--check", str(tmp_path / "nope.sqlite3"))
    assert code == 2 and err.startswith("错误：备份文件") and "不存在" in err


def test_restore_from_the_command_line_says_where_the_replaced_file_went(office, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    office("--user", "admin", "backup", "--to", str(copy))
    code, out, err = office("--user", "admin", "restore", str(copy), "--reason", "演练")
    assert code == 0, err
    assert f"已用 {copy} 恢复数据库" in out and "被替换的数据库已保存为" in out
    kept = Path(out.split("被替换的数据库已保存为 ")[1].split()[0])
    assert kept.parent == office.path.parent / "backups" and kept.exists()


def test_restore_by_a_clerk_is_refused_with_the_role(office, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    office("--user", "admin", "backup", "--to", str(copy))
    code, _out, err = office("--user", "clerk", "restore", str(copy), "--reason", "演练")
    assert code == 1 and "管理员" in err
