"""Two offices issuing at once: `notice issue` in two processes, one after the other under the write lock,
both ending well with numbers that have no duplicate and no gap (GB/T 9704 7.2.5 发文字号; DOMAIN.md §6)."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

import notice_scenario as ns  # noqa: E402
from models.services import notice_register, notices  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sc(tmp_path_factory):
    scenario = ns.build(tmp_path_factory.mktemp("concurrent"))
    # One 代字 for every type, so both batches draw from the same sequence.
    notices.set_settings(scenario.db, actor=scenario.actors["admin"],
                         changes={"series": {t: "信" for t in notices.DOC_TYPES}}, reason="统一编号试验")
    for uuid in scenario.drafts.values():
        ns.sign_through(scenario, uuid)
    yield scenario
    scenario.db.dispose()


def _issue(sc, uuids: list[str]) -> subprocess.Popen:
    env = {**os.environ, "CREDIT_DESK_PASSWORD": ns.PASSWORD, "CREDIT_DESK_CERT_PASSWORD": ns.CERT_PASSWORD,
           "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "desktop", "--db", str(sc.path), "--user", "office", "notice",
                             "issue", *uuids], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(proc: subprocess.Popen, text: str, seen: list[str], timeout: float = 120) -> None:
    """Read the process's stderr line by line until ``text`` appears (the lock holder is blocking it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if text in line:
            return
        if not line and proc.poll() is not None:
            break
    pytest.fail(f"process never said it was waiting: {''.join(seen)}")


def test_two_concurrent_issue_runs_both_end_well_one_waiting_for_the_other(sc):
    uuids = list(sc.drafts.values())
    first, second = uuids[: len(uuids) // 2], uuids[len(uuids) // 2:]
    # Another writer holds the lock while both start: each must wait (and say so) rather than fail.
    holder = sqlite3.connect(sc.path, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    a, b = _issue(sc, first), _issue(sc, second)
    err_a, err_b = [], []
    try:
        _wait_for(a, "其他用户正在印发告知书", err_a)
        _wait_for(b, "其他用户正在印发告知书", err_b)
    finally:
        holder.rollback()
        holder.close()
    out_a, rest_a = a.communicate(timeout=300)
    out_b, rest_b = b.communicate(timeout=300)
    said = "".join(err_a) + rest_a + "".join(err_b) + rest_b
    assert a.returncode == 0 and b.returncode == 0, said
    assert "Traceback" not in said and "database is locked" not in said
    numbers = re.findall(r"宁医保信〔\d{4}〕(\d+)号", out_a + out_b)
    assert sorted(map(int, numbers)) == list(range(1, len(uuids) + 1))  # no duplicate, no gap
    for uuid in uuids:
        assert notice_register.detail(sc.db, notice=uuid)["state"] == "issued"
