"""Fault injection: `excel import` and `sync import` killed with SIGKILL at random points (22 kills).

Every database left behind opens, passes SQLite's integrity check and `audit verify` (the hash chain),
and holds either nothing of the import or all of it: an import is one transaction (DOMAIN.md §7).
"""
from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from kill_support import either, kill_loop
from test_exchange_support import bureau, export, id_number, introduce


def counts(tables: tuple[str, ...]):
    def observe(path: Path) -> tuple[int, ...]:
        with sqlite3.connect(path) as con:
            return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
    return observe


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
    outcomes = either(*kill_loop(county.path, tmp_path, ["excel", "import", "violations", str(xlsx)], kills=12, seed=11,
                                 observe=counts(("credit_records", "excel_imports", "audit_log"))))
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
    outcomes = either(*kill_loop(city.path, tmp_path, ["sync", "import", str(package)], kills=10, seed=13,
                                 observe=counts(("subjects", "credit_records", "exchange_packages", "audit_log"))))
    assert "untouched" in outcomes
