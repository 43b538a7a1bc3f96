"""County-wide evaluation: subjects per second, against a plain SQL aggregation of the same points.

    .venv/bin/python bench/bench_evaluate.py [--scale default] [--copy-of DEMO.sqlite3]

The baseline is what a hand-written report would do: one GROUP BY that sums each practitioner's
points of the year from the kind's band and the responsibility level. The engine does far more
(scores, grades, measures, lists, explanations, stored history), so the ratio says what that costs.
"""
from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import date

from common import demo_database, peak_rss_mib

from models import policy
from models.services import evaluation, standing

LEVEL = {"一般": 0, "重要": 1, "主要": 2}


def points_sql(prof: policy.Profile, year: int) -> str:
    cases = []
    for k in policy.catalogue(prof):
        if k.band:
            low, high = k.band
            mid = (low + high) // 2
            for resp, pts in (("一般", low), ("重要", mid), ("主要", high)):
                cases.append(f"WHEN kind = '{k.code}' AND responsibility = '{resp}' THEN {pts}")
    per_subject = (f"SELECT subject_id, SUM(CASE {' '.join(cases)} ELSE 0 END) AS points FROM credit_records "
                   f"WHERE decision_date BETWEEN '{year}-01-01' AND '{year}-12-31' "
                   "AND id NOT IN (SELECT supersedes_id FROM credit_records WHERE supersedes_id IS NOT NULL) "
                   "GROUP BY subject_id")
    # Every subject gets a row, as every subject gets an evaluation.
    return f"SELECT s.id, COALESCE(p.points, 0) FROM subjects s LEFT JOIN ({per_subject}) p ON p.subject_id = s.id"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="default")
    parser.add_argument("--copy-of", help="a demo database made by `credit-desk demo`, copied before measuring")
    args = parser.parse_args()
    db, admin, path = demo_database(args.scale, args.copy_of)
    today = date.today()
    with sqlite3.connect(path) as con:
        con.executescript("DELETE FROM subject_standing; DELETE FROM evaluations;")  # measure a first evaluation
        subjects = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
        started = time.perf_counter()
        rows = con.execute(points_sql(evaluation.profile("shandong"), today.year)).fetchall()
        base = time.perf_counter() - started
    runs = {}
    for label in ("first run (every result stored)", "second run (nothing changed)"):
        started = time.perf_counter()
        run = standing.evaluate_all(db, actor=admin, as_of=today).value
        runs[label] = (time.perf_counter() - started, run.changed)
    print(f"subjects {subjects}, subjects with points this year {sum(1 for r in rows if r[1])}")
    print(f"baseline: plain SQL points aggregation  {base:8.3f} s  {subjects / base:12.0f} subjects/s")
    for label, (secs, changed) in runs.items():
        print(f"evaluate_all, {label:34s} {secs:8.3f} s  {subjects / secs:12.0f} subjects/s  "
              f"{secs / base:8.1f}× baseline  ({changed} snapshots written)")
    print(f"peak memory {peak_rss_mib():.0f} MiB")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
