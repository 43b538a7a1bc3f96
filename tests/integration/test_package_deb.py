"""The .deb an office's IT installs (issue 15): built from a clean virtual environment, installed with
apt-get, used from the command line and the menu's program, removed again with the data kept.

Slow (a PyInstaller build, several minutes); CI runs it (.ci/run runs the whole suite as root on a
fresh Debian). It installs into the machine itself, so it needs root and apt-get, and is skipped
elsewhere with the reason.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "abc12345"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]



def _as_root() -> list[str] | None:
    """Root itself, or sudo without a password prompt (as tools/setup.sh uses it); None when neither."""
    if os.name != "posix":
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


AS_ROOT = _as_root()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(AS_ROOT is None, reason="installs a .deb into this machine: needs root or sudo without a prompt"),
    pytest.mark.skipif(not (shutil.which("apt-get") and shutil.which("dpkg-deb")), reason="needs apt-get and dpkg-deb"),
]


def run(*cmd, env=None, timeout=900, check=True):
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def installed() -> bool:
    return run("dpkg-query", "-W", "-f=${Status}", "creditdesk", check=False).stdout.endswith("installed")


@pytest.fixture(scope="module")
def deb():
    if installed():
        pytest.skip("creditdesk is already installed on this machine; not touching it")
    run("bash", "tools/package.sh", "deb", timeout=1800, env={**os.environ, "CREDITDESK_DEB_COMPRESSION": "gzip"})
    path = ROOT / "dist" / f"creditdesk_{VERSION}_amd64.deb"
    assert path.is_file()
    return path


@pytest.fixture
def office_user(tmp_path):
    """A user's environment: own home (so the default data folder is ~/.local/share/CreditDesk), no dev venv."""
    home = tmp_path / "home"
    home.mkdir()
    path = ":".join(p for p in os.environ.get("PATH", "").split(":") if ".venv" not in p)
    return {"HOME": str(home), "PATH": path or "/usr/bin:/bin", "LANG": "C.UTF-8",
            "CREDIT_DESK_ADMIN_PASSWORD": PASSWORD, "CREDIT_DESK_PASSWORD": PASSWORD}


def issue_and_verify_a_notice(data: Path, env: dict, folder: Path) -> None:
    """The installed program renders, signs, exports and verifies a notice: reportlab, pyHanko and their
    libraries are all in the bundle (modules a library imports by name are easy to leave out)."""
    env = {**env, "CREDIT_DESK_NEW_PASSWORD": PASSWORD, "CREDIT_DESK_CERT_PASSWORD": "证书口令-2026"}

    def cd(user, *args):
        return run("credit-desk", *(("--user", user) if user else ()), *args, env=env).stdout

    for name, role in (("clerk", "录入员"), ("reviewer", "审核员"), ("signer", "签发人")):
        cd("admin", "users", "add", name, "--roles", role)
    cd("admin", "cert", "make-test", "--out", str(folder / "cert"))
    cd("admin", "cert", "install", str(folder / "cert" / "signer.p12"), "--test")
    cd("admin", "notice", "settings", "--appeal-days", "15", "--phone", "0538-5621234", "--reason", "局务会议决定")
    with sqlite3.connect(data) as con:
        (record,) = con.execute("SELECT uuid FROM credit_records WHERE kind LIKE 'pq%' ORDER BY decision_date DESC"
                                " LIMIT 1").fetchone()
    uuid = json.loads(cd("clerk", "notice", "draft", "points_notice", "--record", record))["uuid"]
    cd("reviewer", "notice", "review", uuid)
    cd("signer", "notice", "sign-off", uuid)
    cd("clerk", "notice", "issue", uuid)
    pdf = folder / "记分告知书.pdf"
    cd("clerk", "notice", "export", uuid, "--out", str(pdf))
    assert "真实有效" in cd(None, "notice", "verify", str(pdf))  # exit 0, else run() fails


def test_deb_installs_runs_and_is_removed_keeping_the_data(deb, office_user, capsys):
    control = run("dpkg-deb", "-f", str(deb), "Package", "Version", "Depends", "Installed-Size").stdout
    assert f"Version: {VERSION}" in control and "libxcb-cursor0" in control and "fonts-wqy-microhei" in control
    started = time.monotonic()
    run(*AS_ROOT, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends",
        str(deb))
    install_seconds = time.monotonic() - started
    try:
        assert Path("/usr/bin/credit-desk").exists()
        entry = Path("/usr/share/applications/creditdesk.desktop").read_text(encoding="utf-8")
        assert "Name=医保信用管理系统" in entry and "Exec=/opt/creditdesk/credit-desk gui" in entry
        assert Path("/usr/share/icons/hicolor/scalable/apps/creditdesk.svg").exists()

        version = run("credit-desk", "--version", env=office_user).stdout
        assert f"CreditDesk）{VERSION}" in version and "数据库结构版本" in version
        run("credit-desk", "init", "--county-code", "370921", "--county-name", "宁阳县", env=office_user)
        run("credit-desk", "--user", "admin", "demo", "--scale", "small", env=office_user, timeout=900)
        data = Path(office_user["HOME"]) / ".local/share/CreditDesk/creditdesk.sqlite3"
        assert data.stat().st_mode & 0o077 == 0  # personal data: readable by the user only
        with sqlite3.connect(data) as con:
            (id_number,) = con.execute("SELECT id_number FROM subjects WHERE type = 'practitioner' LIMIT 1").fetchone()
            subjects = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
        shown = run("credit-desk", "--user", "admin", "show", id_number, "--json", env=office_user).stdout
        assert id_number[:4] in shown and '"grade"' in shown
        issue_and_verify_a_notice(data, office_user, Path(office_user["HOME"]))

        # The program the menu starts, on a real (virtual) display: still running after a few seconds.
        window = run("xvfb-run", "-a", "timeout", "8", "/opt/creditdesk/credit-desk", "gui", env=office_user, check=False)
        assert window.returncode == 124, window.stderr[-2000:]  # killed by timeout, not crashed
        assert "Traceback" not in window.stderr
        size_mb = int(run("du", "-sm", "/opt/creditdesk").stdout.split()[0])
    finally:
        run(*AS_ROOT, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "remove", "-y", "-q", "creditdesk")
    assert not Path("/opt/creditdesk").exists() and not Path("/usr/bin/credit-desk").exists()
    with sqlite3.connect(data) as con:  # the county's data outlives the program
        assert con.execute("SELECT count(*) FROM subjects").fetchone()[0] == subjects
    with capsys.disabled():
        print(f"\n.deb {deb.stat().st_size / 1048576:.0f} MB, installed {size_mb} MB, apt-get install {install_seconds:.1f} s")
