"""Killing the import at any point leaves either the database as it was or the whole package applied,
never a part of it (DOMAIN.md §7: import is one transaction)."""
from __future__ import annotations

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

from test_exchange_support import PASSWORD, bureau, export, introduce

CLI = [sys.executable, "-m", "desktop.cli"]
ROOT = Path(__file__).resolve().parents[2]


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def dump(path: Path) -> str:
    with sqlite3.connect(path) as con:
        return "\n".join(con.iterdump())


def run_and_kill(db: Path, package: Path, after_marks: int, extra_delay: float) -> int | None:
    """Start the import; SIGKILL it once it has reported progress ``after_marks`` times (plus a delay)."""
    env = {**os.environ, "CREDIT_DESK_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*CLI, "--db", str(db), "--user", "admin", "sync", "import", str(package)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    seen = b""
    while seen.count(b"%") < after_marks:
        chunk = os.read(proc.stderr.fileno(), 256)
        if not chunk:
            break
        seen += chunk
    time.sleep(extra_delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    return proc.returncode


@pytest.mark.slow
def test_an_import_killed_at_any_point_leaves_nothing_half_applied(tmp_path):
    from models.services import demo

    a = bureau(tmp_path / "a", "370921", "宁阳县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(a, city)
    demo.fill_demo(a.db, actor=a.admin, scale="small", seed=3)
    package = export(a, city, tmp_path / "out")
    city.db.dispose()
    a.db.dispose()
    pristine = tmp_path / "pristine.sqlite3"
    shutil.copy(city.path, pristine)
    before = dump(pristine)

    complete = tmp_path / "complete.sqlite3"
    shutil.copy(pristine, complete)
    assert run_and_kill(complete, package, after_marks=10 ** 6, extra_delay=0) == 0
    applied = counts(complete)
    assert applied["exchange_packages"] == counts(pristine)["exchange_packages"] + 1

    rng = random.Random(7)
    outcomes = []
    for marks, delay in [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (1, 0.05), (2, 0.02), (3, rng.random() / 5),
                         (5, rng.random() / 3), (0, 0.6), (0, 0.9)]:
        target = tmp_path / f"kill-{marks}-{delay:.2f}.sqlite3"
        shutil.copy(pristine, target)
        code = run_and_kill(target, package, marks, delay)
        if dump(target) == before:
            outcomes.append("untouched")
        else:
            assert counts(target) == applied, f"killed after {marks} progress reports (exit {code}): a partial import"
            outcomes.append("applied")
    print("outcomes:", outcomes)
    assert "untouched" in outcomes  # the kills did land inside the import
