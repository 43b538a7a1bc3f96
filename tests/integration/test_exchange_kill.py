"""Killing the import at any point leaves either the database as it was or the whole package applied,
never a part of it (DOMAIN.md §7: import is one transaction)."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from kill_support import either, kill_loop
from test_exchange_support import bureau, export, introduce


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def dump(path: Path) -> str:
    with sqlite3.connect(path) as con:
        return "\n".join(con.iterdump())


def after_progress(schedule):
    """Kill once the import has reported progress ``marks`` times, plus a delay, for each (marks, delay) in turn."""
    steps = iter(schedule)

    def kill(proc, _rng, _length) -> float:
        marks, delay = next(steps)
        seen = b""
        while seen.count(b"%") < marks:
            chunk = os.read(proc.stderr.fileno(), 256)
            if not chunk:
                break
            seen += chunk
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        return delay
    return kill


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

    rng = random.Random(7)
    schedule = [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (1, 0.05), (2, 0.02), (3, rng.random() / 5),
                (5, rng.random() / 3), (0, 0.6), (0, 0.9)]
    untouched, applied, seen = kill_loop(
        pristine, tmp_path, ["sync", "import", str(package)], kills=len(schedule), seed=7,
        observe=lambda path: "untouched" if dump(path) == before else counts(path),
        kill=after_progress(schedule), stderr=subprocess.PIPE)
    assert applied["exchange_packages"] == counts(pristine)["exchange_packages"] + 1
    outcomes = either(untouched, applied, seen)
    print("outcomes:", outcomes)
    assert "untouched" in outcomes  # the kills did land inside the import
