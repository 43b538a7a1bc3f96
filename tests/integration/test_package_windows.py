"""The Windows branches, simulated on Linux (the Windows build itself runs in .github/workflows/windows.yml):
data under %LOCALAPPDATA%, the office PC's fonts from the Windows font folder, no POSIX-only calls
(permissions, directory fsync) on Windows, and file paths with Chinese characters end to end."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import platformdirs
import platformdirs.windows
import pytest

from models.db import migrate
from models.db.database import open_database
from models.db.engine import default_db_path
from models.services import backup, county, restore, users
from reports import fonts

PASSWORD = "abc12345"


@pytest.fixture
def windows(monkeypatch):
    """The program's Windows switch and the platformdirs convention of a Windows PC (folders from the
    environment, as Windows sets them). os.name itself stays: pathlib would then refuse to work here."""
    monkeypatch.setattr(migrate, "ON_WINDOWS", True)
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars)


def test_on_windows_the_database_lives_in_localappdata(windows, monkeypatch, tmp_path):
    local = tmp_path / "Users" / "张三" / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    assert default_db_path() == local / "CreditDesk" / "creditdesk.sqlite3"


def test_on_windows_notices_use_the_fonts_in_the_windows_font_folder(monkeypatch, tmp_path):
    windir = tmp_path / "Windows"
    (windir / "Fonts").mkdir(parents=True)
    shutil.copyfile(fonts.bundled_path(), windir / "Fonts" / "simfang.ttf")  # stands in for the PC's 仿宋
    monkeypatch.setenv("WINDIR", str(windir))
    monkeypatch.delenv("CREDIT_DESK_FONT_DIR", raising=False)
    chosen = fonts.font_set(fonts.font_dirs())["fangsong"]
    assert chosen.path == windir / "Fonts" / "simfang.ttf" and not chosen.bundled


POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes; on Windows the profile's ACL applies")


@POSIX_ONLY
def test_on_windows_no_posix_permission_call_is_made(windows, monkeypatch, tmp_path):
    path = tmp_path / "f.sqlite3"
    path.write_bytes(b"")
    os.chmod(path, 0o644)

    def refuse(*_a, **_k):
        raise AssertionError("POSIX-only call on Windows")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(os, "open", refuse)  # Windows cannot open a directory to fsync it
    migrate.restrict_to_owner(path)
    migrate._sync_folder(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@POSIX_ONLY
def test_elsewhere_database_files_and_backups_are_readable_by_the_user_only(tmp_path):
    db = open_database(str(tmp_path / "county.sqlite3"))
    county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin", admin_password=PASSWORD)
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    copy = backup.make_backup(db, actor=admin, dest=str(tmp_path / "copy.sqlite3")).value
    for path in (db.sqlite_file, Path(copy.path)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    db.dispose()


def test_paths_with_chinese_characters_work_from_upgrade_to_restore(tmp_path):
    folder = tmp_path / "宁阳县医疗保障局" / "信用 数据"
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "creditdesk-0.1.0.sqlite3"
    folder.mkdir(parents=True)
    path = folder / "信用数据库.sqlite3"
    shutil.copyfile(fixture, path)
    db = open_database(str(path))
    assert db.backup_made is not None and db.backup_made.parent == folder / "backups"
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    saved = backup.make_backup(db, actor=admin, dest=str(folder / "备份（三月）.sqlite3")).value
    db.dispose()
    assert backup.check_file(saved.path).ok
    info = restore.restore(path, backup_file=saved.path, username="admin", password=PASSWORD, reason="演练恢复")
    assert Path(info.kept_previous).parent == folder / "backups"
    assert backup.check_file(path).ok
