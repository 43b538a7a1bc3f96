"""County-wide standing: subjects per second, against a plain SQL aggregation of the same points.

    .venv/bin/python bench/bench_evaluate.py [--scale default] [--copy-of DEMO.sqlite3]

The baseline is what a hand-written report would do: one GROUP BY that sums each practitioner's
points of the year from the kind's band and the responsibility level. The standing does far more
(scores, grades, measures with their lifecycle, lists, registration status, explanations and stored
history), so the ratio says what that costs. Measured in the same run:
- a first full run (every standing computed and stored), subjects with identical facts sharing one computation;
- a re-run with nothing changed, and a tick with nothing due (both cost what is due, not the county);
- the longest single batch of a county-wide run, which is how long a clerk's save may wait for the write lock.
Ratios are of wall time, the baseline's best of five; the ratio of CPU time (this process: Python and SQLite) is
printed beside it, steadier when other programs share the machine.
"""
from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import date

from common import demo_database, peak_rss_mib

from models import policy
from models.services import evaluation, standing, tick


BASELINE_REPEATS = 5


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(clocks: tuple[float, float]) -> tuple[float, float]:
    """Wall and CPU seconds since ``clocks``: on a machine shared with other work the CPU ratio is the steadier."""
    return time.perf_counter() - clocks[0], time.process_time() - clocks[1]


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
    # Every subject gets a row, as every subject gets a standing.
    return f"SELECT s.id, COALESCE(p.points, 0) FROM subjects s LEFT JOIN ({per_subject}) p ON p.subject_id = s.id"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="default")
    parser.add_argument("--copy-of", help="a demo database made by `credit-desk demo`, copied before measuring")
    args = parser.parse_args()
    db, admin, path = demo_database(args.scale, args.copy_of)
    today = date.today()
    with sqlite3.connect(path) as con:
        # Measure a first run: the projection is derived data, so it can be dropped and rebuilt.
        con.executescript("DELETE FROM subject_standing; DELETE FROM evaluations; DELETE FROM standing_results;")
        subjects = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
        timings = []
        for _ in range(BASELINE_REPEATS):  # its best: one short query is easily slowed by another process
            clocks = _clocks()
            rows = con.execute(points_sql(evaluation.profile("shandong"), today.year)).fetchall()
            timings.append(_since(clocks))
        base = min(timings)  # (wall, CPU) of the fastest wall time
    batches = []

    def timed(done, total, message):
        batches.append(time.perf_counter())
        return True

    runs = {}
    clocks = _clocks()
    batches.append(clocks[0])
    run = standing.evaluate_all(db, actor=admin, progress=timed).value
    runs["first run (every standing computed)"] = (_since(clocks), run.subjects, run.changed)
    longest = max(b - a for a, b in zip(batches, batches[1:]))
    clocks = _clocks()
    run = standing.evaluate_all(db, actor=admin).value
    runs["re-run, nothing changed"] = (_since(clocks), run.subjects, run.changed)
    clocks = _clocks()
    ticked = tick.tick(db, actor=admin).value
    runs["tick, nothing due"] = (_since(clocks), ticked.subjects, 0)
    print(f"subjects {subjects}, subjects with points this year {sum(1 for r in rows if r[1])}")
    print(f"baseline: plain SQL points aggregation  {base[0]:8.3f} s  {subjects / base[0]:12.0f} subjects/s  "
          f"(CPU {base[1]:.3f} s)")
    for label, ((secs, cpu), done, changed) in runs.items():
        print(f"{label:40s} {secs:8.3f} s  {secs / base[0]:8.1f}× baseline  (CPU {cpu / base[1]:.1f}×; {done} "
              f"subjects brought up to date, {changed} changed)")
    print(f"longest batch of the county-wide run (write lock held): {longest:.3f} s")
    print(f"peak memory {peak_rss_mib():.0f} MiB")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
