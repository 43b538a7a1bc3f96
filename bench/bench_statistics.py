"""等级分布 and 双随机 draws on a county: time of each view against a plain SQL count of the same thing.

    .venv/bin/python bench/bench_statistics.py [--scale default] [--copy-of EVALUATED_DEMO.sqlite3]

The baseline is the GROUP BY a hand-written report would run on the standing table (type × grade).
Each view does more (pandas pivot, institution and township joins, the local-county filter), and
the year view evaluates every practitioner at five year ends with the engine, so its ratio says
what the dynamic year-end grades cost. The list behind the largest count and a draw over the
largest population are timed too, as a user waits for them.
"""
from __future__ import annotations

import sqlite3

from common import evaluated_county, peak_rss_mib, timed

from models.queries import statistics
from models.services import inspections


def main() -> int:
    db, admin, path = evaluated_county(__doc__.splitlines()[0])
    with sqlite3.connect(path) as con:
        base, rows = timed(lambda: con.execute(
            "SELECT s.type, st.grade, count(*) FROM subjects s LEFT JOIN subject_standing st ON st.subject_id = s.id "
            "GROUP BY s.type, st.grade").fetchall())
        subjects = sum(n for _t, _g, n in rows)
    print(f"subjects {subjects}")
    print(f"baseline: plain SQL type × grade count        {base:8.3f} s")
    views = [("type", "practitioner"), ("institution", "practitioner"), ("township", "practitioner"),
             ("township", "insured"), ("year", "practitioner"), ("year", "insured")]
    biggest = None
    for dimension, subject_type in views:
        secs, dist = timed(lambda: statistics.distribution(db, dimension=dimension, subject_type=subject_type))
        print(f"distribution {dimension:11s} {subject_type:12s}     {secs:8.3f} s  {secs / base:8.1f}× baseline")
        if dimension == "township" and subject_type == "insured":
            row = int(dist.frame.sum(axis=1).to_numpy().argmax())
            biggest = dist.cell(row, statistics.NO_GRADE)
    count = statistics.cell_count(db, cell=biggest)
    secs, _page = timed(lambda: statistics.cell_page(db, actor=admin, cell=biggest, offset=0, limit=200))
    print(f"first page of the largest list ({count} subjects)  {secs:8.3f} s  {secs / base:8.1f}× baseline")
    secs, _page = timed(lambda: statistics.cell_page(db, actor=admin, cell=biggest, offset=count - 200, limit=200))
    print(f"last page of the same list                   {secs:8.3f} s  {secs / base:8.1f}× baseline")
    for number, name in enumerate(("张建国", "李明", "王芳"), start=1):
        inspections.add_inspector(db, actor=admin, name=name, certificate_no=f"3709212019000{number}")
    from models.services.base import Actor

    reviewer = Actor("bench", "基准", frozenset({"reviewer"}))
    secs, drawn = timed(lambda: inspections.draw(db, actor=reviewer, subject_type="insured", base_ratio="0.05",
                                                 seed=1).value)
    print(f"draw over {drawn.population} insured persons ({drawn.selected} drawn)  {secs:8.3f} s  "
          f"{secs / base:8.1f}× baseline")
    secs, check = timed(lambda: inspections.verify(db, draw=drawn.number))
    print(f"verify that draw by its seed ({'same' if check.same else 'DIFFERENT'})       {secs:8.3f} s")
    print(f"peak memory {peak_rss_mib():.0f} MiB")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
