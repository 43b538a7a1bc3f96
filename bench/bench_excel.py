"""Importing a county-sized violation list from Excel, against reading it and inserting it with plain tools.

    .venv/bin/python bench/bench_excel.py [--rows 100000] [--subjects 50000]

The file is made here: ``--subjects`` insured persons are registered, then a violation list of
``--rows`` rows (违法违规使用医保基金, each with an amount and a case number) is written with xlsxwriter.
The baseline does the least the same import needs: python-calamine reads the sheet, one SELECT maps
ID numbers to subjects, and sqlite3 executemany inserts the rows. The import does more (every field
checked as the record form checks it, names compared, rows already held skipped, the hash-chain seal,
the audit entry); the target is at most twice the baseline. Bringing the standing of every affected
subject up to date afterwards (standing.after_change) is measured separately.
"""
from __future__ import annotations

import argparse
import importlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import PASSWORD

from stdnum.cn import ric

from models.db.base import new_uuid, utcnow
from models.db.database import open_database
from models.db.tables import Subject
from models.services import county, excel_import, standing, users
from models.services.base import UnitOfWork
from models.services.subjects import initials_of

TARGET = 2.0


def id_number(serial: int) -> str:
    body = f"370921{date(1950, 1, 1) + timedelta(days=serial // 1000 % 20000):%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def county_with_people(folder: Path, n: int) -> tuple[Path, list[tuple[str, str]]]:
    """A county database holding ``n`` insured persons; their (ID number, name)."""
    path = folder / "county.sqlite3"
    db = open_database(str(path))
    county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin", admin_password=PASSWORD)
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    users.add_user(db, actor=admin, username="clerk", display_name="录入员", password=PASSWORD, roles="录入员")
    surnames, given = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
    people = [(id_number(serial), surnames[serial % 10] + given[serial % 20] + given[(serial // 20) % 20])
              for serial in range(n)]  # distinct: 1,000 sequence numbers on each birth date
    now = utcnow()
    with UnitOfWork(db) as uow:
        uow.session.execute(Subject.__table__.insert(), [
            {"uuid": new_uuid(), "type": "insured", "name": name, "initials": initials_of(name), "id_number": number,
             "insurance_type": "居民", "created_at": now, "updated_at": now, "sync_pending": True}
            for number, name in people])
        uow.commit()
    db.dispose()
    return path, people


def violation_list(path: Path, people: list[tuple[str, str]], rows: int) -> None:
    import xlsxwriter

    headers, _ = excel_import.template("violations")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("违规清单")
    ws.write_row(0, 0, headers)
    start = date(2026, 1, 5)
    for i in range(rows):
        number, name = people[i % len(people)]
        ws.write_row(i + 1, 0, [number, name, "insured_illegal_use", (start + timedelta(days=i % 300)).isoformat(),
                                f"宁医保稽〔2026〕{i + 1}号", "行政处罚", f"{100 + i % 9000}.{i % 100:02d}", "", "",
                                "医保智能审核系统", "超量开药"])
    book.close()


def baseline(xlsx: Path, db_path: Path) -> float:
    """calamine reads the sheet; sqlite3 maps ID numbers to subjects and inserts every row with executemany."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    cells = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    with sqlite3.connect(db_path) as con:
        ids = dict(con.execute("SELECT id_number, id FROM subjects WHERE type = 'insured'"))
        now = utcnow().isoformat(sep=" ")
        con.executemany(
            "INSERT INTO credit_records (uuid, created_at, updated_at, sync_pending, subject_id, kind, good, source, "
            "case_no, decision_date, decision_type, amount, note, entered_by) VALUES (?,?,?,1,?,?,0,?,?,?,?,?,?,?)",
            ((new_uuid(), now, now, ids[r[0]], r[2], "smart_audit", r[4], r[3], r[5], int(float(r[6]) * 100), r[10],
              "clerk") for r in cells[1:]))
        con.commit()
    return time.perf_counter() - started


def file_size(path: Path) -> int:
    """The database file's size with its write-ahead log folded in."""
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def import_once(xlsx: Path, db_path: Path, with_standing: bool) -> tuple[float, object]:
    db = open_database(str(db_path))
    clerk = users.authenticate(db, username="clerk", password=PASSWORD)
    data = xlsx.read_bytes()
    original = standing.after_change
    if not with_standing:
        standing.after_change = lambda uow, actor, ids, **kw: None
    try:
        started = time.perf_counter()
        outcome = excel_import.import_file(db, actor=clerk, kind="violations", data=data, filename=xlsx.name).value
        elapsed = time.perf_counter() - started
    finally:
        standing.after_change = original
        db.dispose()
    return elapsed, outcome


def peak_memory(step: str, xlsx: Path, db_path: Path) -> tuple[float, float]:
    """Peak resident memory (MiB) of a fresh process doing ``step`` (baseline or import), and its peak before."""
    out = subprocess.run([sys.executable, __file__, "--memory-of", step, str(xlsx), str(db_path)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1])


def high_water_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def memory_child(step: str, xlsx: Path, db_path: Path) -> None:
    if step == "baseline":
        importlib.import_module("python_calamine")  # loaded before the reading starts, as in the import
        before = high_water_mib()
        baseline(xlsx, db_path)
    else:
        db = open_database(str(db_path))
        clerk = users.authenticate(db, username="clerk", password=PASSWORD)
        data = xlsx.read_bytes()
        standing.after_change = lambda uow, actor, ids, **kw: None
        before = high_water_mib()
        excel_import.import_file(db, actor=clerk, kind="violations", data=data, filename=xlsx.name)
    print(before, high_water_mib())


def main() -> None:
    if sys.argv[1:2] == ["--memory-of"]:
        return memory_child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--subjects", type=int, default=50_000)
    p.add_argument("--skip-standing", action="store_true", help="do not measure the import with after_change")
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="creditdesk-bench-excel-"))
    made, people = county_with_people(folder, args.subjects)
    xlsx = folder / "违规清单.xlsx"
    violation_list(xlsx, people, args.rows)
    copies = {name: folder / f"{name}.sqlite3" for name in ("baseline", "import", "standing", "memory", "memory-base")}
    for copy in copies.values():
        shutil.copy(made, copy)
    plain = baseline(xlsx, copies["baseline"])
    elapsed, outcome = import_once(xlsx, copies["import"], with_standing=False)
    assert outcome.imported == args.rows, (outcome.imported, outcome.errors[:3])
    again, repeat = import_once(xlsx, copies["import"], with_standing=False)
    print(f"{args.rows} violation rows for {args.subjects} insured persons ({xlsx.stat().st_size / 1e6:.1f} MB)")
    print(f"  baseline (calamine read + sqlite3 executemany): {plain:6.2f} s")
    print(f"  import without standing.after_change:           {elapsed:6.2f} s  = {elapsed / plain:.2f}× "
          f"(target ≤ {TARGET}×: {'met' if elapsed / plain <= TARGET else 'NOT met'})")
    print(f"  the same file again (recognised, nothing written): {again:6.2f} s  ({repeat.message})")
    base_before, base_peak = peak_memory("baseline", xlsx, copies["memory-base"])
    before, peak = peak_memory("import", xlsx, copies["memory"])
    print(f"  peak memory, each in a fresh process: import {peak:.0f} MiB ({peak - before:+.0f} MiB over the "
          f"{before:.0f} MiB before it started); baseline {base_peak:.0f} MiB ({base_peak - base_before:+.0f} MiB)")
    if not args.skip_standing:
        before = file_size(copies["standing"])
        with_standing, _ = import_once(xlsx, copies["standing"], with_standing=True)
        print(f"  import with standing.after_change:              {with_standing:6.2f} s  = {with_standing / plain:.2f}×")
        grown = file_size(copies["standing"]) - before
        print(f"  database growth with the standing: {grown / 1e6:.1f} MB = {grown / args.rows:.0f} bytes per record "
              f"(records, audit, seals, standing rows, history and results)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
