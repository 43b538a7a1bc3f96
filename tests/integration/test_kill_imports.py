"""Fault injection: `excel import` and `sync import` killed with SIGKILL at random points (22 kills).

Every database left behind opens, passes SQLite's integrity check and `audit verify` (the hash chain),
and holds either nothing of the import or all of it: an import is one transaction (DOMAIN.md §7).
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from test_exchange_support import PASSWORD, bureau, export, id_number, introduce

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "desktop.cli", "--user", "admin"]


def killed(db: Path, args: list[str], delay: float | None) -> int:
    """Run the command on ``db``; SIGKILL it after ``delay`` seconds (None: let it finish)."""
    env = {**os.environ, "CREDIT_DESK_PASSWORD": PASSWORD, "CREDIT_DESK_ADMIN_PASSWORD": PASSWORD}
    proc = subprocess.Popen([*CLI, "--db", str(db), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, cwd=ROOT)
    if delay is None:
        return proc.wait(timeout=120)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return proc.returncode


def state(path: Path, tables: tuple[str, ...]) -> tuple[int, ...]:
    """Opens as the program opens it, intact by SQLite's check and by the hash chain; the row counts."""
    from models.db import integrity
    from models.db.database import open_database

    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db = open_database(str(path))
    try:
        with db.engine.connect() as conn:
            assert integrity.verify(conn) is None
            return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one() for t in tables)
    finally:
        db.dispose()


def violation_file(path: Path, people: list[str], rows: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["身份证号或统一社会信用代码", "信息类别", "决定日期", "案件编号", "决定类型", "金额"])
    for i in range(rows):
        ws.write_row(i + 1, 0, [people[i % len(people)], "insured_illegal_use",
                                (date(2026, 1, 5) + timedelta(days=i % 200)).isoformat(), f"宁医保稽〔2026〕{i + 1}号",
                                "行政处罚", f"{100 + i}.50"])
    book.close()


def trials(pristine: Path, folder: Path, args: list[str], tables: tuple[str, ...], kills: int, seed: int) -> list[str]:
    """The complete run first (to know its length and its result), then ``kills`` runs killed at random points."""
    before = state(pristine, tables)
    complete = folder / "complete.sqlite3"
    shutil.copy(pristine, complete)
    started = time.monotonic()
    assert killed(complete, args, None) == 0
    length = time.monotonic() - started
    after = state(complete, tables)
    assert after != before
    rng, outcomes = random.Random(seed), []
    for n in range(kills):
        target = folder / f"kill-{n}.sqlite3"
        shutil.copy(pristine, target)
        delay = rng.uniform(0.1, length * 1.1)
        killed(target, args, delay)
        found = state(target, tables)
        assert found in (before, after), f"killed after {delay:.2f} s of {length:.2f} s: a partial import {found}"
        outcomes.append("untouched" if found == before else "applied")
    return outcomes


@pytest.mark.slow
def test_an_excel_import_killed_at_random_points_leaves_nothing_half_written(tmp_path):
    from models.db.tables import Subject
    from models.services.base import UnitOfWork
    from models.db.base import new_uuid, utcnow

    county = bureau(tmp_path / "county", "370921", "宁阳县")
    people = [id_number(n) for n in range(1, 800)]
    now = utcnow()
    with UnitOfWork(county.db) as uow:
        uow.session.execute(Subject.__table__.insert(), [
            {"uuid": new_uuid(), "type": "insured", "name": f"参保人{n}", "initials": "cbr", "id_number": number,
             "insurance_type": "居民", "created_at": now, "updated_at": now, "sync_pending": True}
            for n, number in enumerate(people)])
        uow.commit()
    county.db.dispose()
    xlsx = tmp_path / "违规清单.xlsx"
    violation_file(xlsx, people, 6000)
    outcomes = trials(county.path, tmp_path, ["excel", "import", "violations", str(xlsx)],
                      ("credit_records", "excel_imports", "audit_log"), kills=12, seed=11)
    assert "untouched" in outcomes  # the kills did land inside the import


@pytest.mark.slow
def test_a_sync_import_killed_at_random_points_leaves_nothing_half_applied(tmp_path):
    from models.services import demo

    a = bureau(tmp_path / "a", "370921", "宁阳县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(a, city)
    demo.fill_demo(a.db, actor=a.admin, scale="small", seed=5)
    package = export(a, city, tmp_path / "out")
    a.db.dispose()
    city.db.dispose()
    outcomes = trials(city.path, tmp_path, ["sync", "import", str(package)],
                      ("subjects", "credit_records", "exchange_packages", "audit_log"), kills=10, seed=13)
    assert "untouched" in outcomes
