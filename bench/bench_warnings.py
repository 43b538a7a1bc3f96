"""信用预警 on a county: a county-wide check (as ``tick`` runs it) and a check of one write's subjects, against a
plain SQL pass over the same tables.

    .venv/bin/python bench/bench_warnings.py [--scale default] [--copy-of EVALUATED_DEMO.sqlite3]

The baseline is what a hand-written report would run: the year's points per practitioner from the standing and
the bad records per subject and kind. The checks do that and more (the standing's history for grade falls and
staff points, registrations, the existing warnings), so the ratio says what the set-based checks cost.
"""
from __future__ import annotations

import sqlite3

from common import evaluated_county, timed
from sqlalchemy import select

from models.db.tables import Subject
from models.services import warnings
from models.services.base import UnitOfWork


def main() -> int:
    db, _admin, path = evaluated_county(__doc__.splitlines()[0])
    with sqlite3.connect(path) as con:
        base, _rows = timed(lambda: (
            con.execute("SELECT st.subject_id, st.points_total FROM subject_standing st JOIN subjects s "
                        "ON s.id = st.subject_id WHERE s.type = 'practitioner' AND st.points_total > 0").fetchall(),
            con.execute("SELECT subject_id, kind, count(*) FROM credit_records WHERE good = 0 "
                        "GROUP BY subject_id, kind").fetchall()))
    print(f"baseline: plain SQL points and repeats       {base:8.4f} s")
    secs, counts = timed(lambda: warnings.refresh_county(db))
    print(f"county-wide check, first run ({counts['raised']} raised)    {secs:8.3f} s  {secs / base:8.1f}× baseline")
    secs, counts = timed(lambda: warnings.refresh_county(db))
    print(f"county-wide check, nothing changed          {secs:8.3f} s  {secs / base:8.1f}× baseline")
    with UnitOfWork(db) as uow:
        person = uow.session.scalar(select(Subject.id).where(Subject.type == "practitioner").limit(1))
        secs, _c = timed(lambda: warnings.refresh(uow, [person]))
    print(f"one practitioner and their institutions     {secs:8.3f} s  {secs / base:8.1f}× baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
