"""Subject list at county scale: time to first rows and to search results, against plain SQL of the same rows.

    .venv/bin/python bench/bench_subject_list.py [--scale default] [--copy-of DEMO.sqlite3] [--repeat 7]

Each case is timed on the list's own query (models/queries/subject_list.py: one page of 200 rows
plus the count, ID numbers masked, rows as frozen dataclasses) and on a hand-written sqlite3 query
returning the same page from the same file, in the same run; the median of ``--repeat`` runs is
shown with the ratio. "Screen" is what a user waits for in the 信用档案 list: from a search to the
first page and count shown by the table model, both read on the worker thread. Peak memory is
this process's (paged list, Qt loaded); a child process then loads every row the way a list
held in memory would, for comparison.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time

from common import demo_database, peak_rss_mib

from models.queries.subject_list import SubjectQuery, subject_count, subject_page
from models.services.base import Actor

PAGE = 200
CLERK = Actor("clerk", "录入员", frozenset({"clerk"}))  # sees masked ID numbers, as most users do
COLUMNS = ("s.uuid, s.type, s.name, s.id_number, s.credit_code, s.profession, s.insurance_type, s.institution_kind, "
           "s.township, st.grade, st.score, st.points_total, st.measures, st.as_of")
FROM = "FROM subjects s LEFT JOIN subject_standing st ON st.subject_id = s.id"


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def plain(con: sqlite3.Connection, where: str = "", args: tuple = (), order: str = "s.name, s.id", offset: int = 0):
    """The same page and count by hand: what a report writer would type."""
    def run():
        rows = con.execute(f"SELECT {COLUMNS} {FROM} {where} ORDER BY {order} LIMIT {PAGE} OFFSET {offset}", args).fetchall()
        total = con.execute(f"SELECT count(*) FROM subjects s {where}", args).fetchone()[0]
        return rows, total
    return run


def listed(db, q: SubjectQuery, offset: int = 0):
    def run():
        return subject_page(db, actor=CLERK, q=q, offset=offset, limit=PAGE), subject_count(db, actor=CLERK, q=q)
    return run


def screen_ms(db, q: SubjectQuery, repeat: int) -> float:
    """From a search to its first page and count in the table model (worker thread, queued signals)."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from desktop.taskrunner import TaskRunner
    from views.subject_table import SubjectListModel

    QApplication.instance() or QApplication([])
    runner = TaskRunner()
    runner.db = db
    model = SubjectListModel(runner, CLERK)
    model.sort_key, model.descending = q.sort, q.descending  # as after a click on the column's header
    loop = QEventLoop()  # idle between events, as the program is: no busy loop taking the worker's time
    model.loaded.connect(lambda: loop.quit() if model.total is not None and not model.loading else None)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        model.set_filter(q)
        loop.exec()
        times.append(time.perf_counter() - started)
    runner.shutdown()
    return statistics.median(times) * 1000


def load_everything_mib(path: str) -> float:
    """Peak memory of a child that reads every row of the list into memory (the approach paging avoids)."""
    code = ("import resource, sqlite3; c = sqlite3.connect(%r); "
            "rows = c.execute('SELECT %s %s ORDER BY s.name, s.id').fetchall(); "
            "print(len(rows), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)") % (path, COLUMNS, FROM)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="default")
    parser.add_argument("--copy-of", help="a demo database made by `credit-desk demo` (and `evaluate`), copied first")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    db, _admin, path = demo_database(args.scale, args.copy_of)
    opened = peak_rss_mib()
    con = sqlite3.connect(path)
    subjects = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
    evaluated = con.execute("SELECT count(*) FROM subject_standing").fetchone()[0]
    person = con.execute("SELECT id_number, initials, name FROM subjects WHERE type = 'insured' "
                         "ORDER BY id LIMIT 1 OFFSET ?", (subjects // 2,)).fetchone()
    id_number, initials, name = person
    cases = [
        ("first rows: all subjects by name", SubjectQuery(), plain(con)),
        ("ID number, exact (18 digits)", SubjectQuery(text=id_number),
         plain(con, "WHERE s.id_number = ? OR s.credit_code = ?", (id_number, id_number))),
        ("ID number, first 14 digits", SubjectQuery(text=id_number[:14]),
         plain(con, "WHERE s.id_number >= ? AND s.id_number < ?", (id_number[:14], id_number[:14] + "~"))),
        ("pinyin initials", SubjectQuery(text=initials[:2]),
         plain(con, "WHERE s.initials >= ? AND s.initials < ?", (initials[:2], initials[:2] + "~"))),
        ("name contains", SubjectQuery(text=name[-1]), plain(con, "WHERE s.name LIKE ?", (f"%{name[-1]}%",))),
        ("practitioners by score, descending", SubjectQuery(type="practitioner", sort="score", descending=True),
         plain(con, "WHERE s.type = 'practitioner'", order="st.score DESC NULLS LAST, s.id DESC")),
        ("all subjects by score, descending", SubjectQuery(sort="score", descending=True),
         plain(con, order="st.score DESC NULLS LAST, s.id DESC")),
    ]
    print(f"subjects {subjects:,}, evaluated {evaluated:,}; page {PAGE} rows plus the count; median of {args.repeat}")
    print(f"{'case':38s} {'plain SQL':>10s} {'list query':>11s} {'ratio':>7s} {'screen':>9s}  (milliseconds)")
    for label, q, baseline in cases:
        base = median_ms(baseline, args.repeat)
        ours = median_ms(listed(db, q), args.repeat)
        shown = screen_ms(db, q, args.repeat)
        print(f"{label:38s} {base:10.2f} {ours:11.2f} {ours / base:6.1f}× {shown:9.1f}")
    deep = subjects // 2
    base = median_ms(plain(con, offset=deep), args.repeat)
    ours = median_ms(listed(db, SubjectQuery(), offset=deep), args.repeat)
    print(f"{'page at row ' + format(deep, ','):38s} {base:10.2f} {ours:11.2f} {ours / base:6.1f}×")
    paged = peak_rss_mib()
    everything = load_everything_mib(str(path))
    print(f"peak memory: this process {paged:.0f} MiB ({opened:.0f} MiB once the database was open, before any list; "
          f"Qt loaded since); a bare sqlite3 process holding every row of the list {everything:.0f} MiB")
    con.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
