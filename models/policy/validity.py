"""When an evaluation stops being true by the calendar alone.

A result as of one day holds until a date passes that changes it: 1 January (points reset, 济 四（六）;
yearly grades and clean years), a record leaving the evaluation window, a measure starting or ending,
a repair taking effect, a policy pack coming into or going out of force. The standing is recomputed
on that day, not before: this is what lets a county-wide run cost what changed, not the county.
Early is harmless, late is not, so every candidate is exact or earlier.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from models.policy.dates import add_months
from models.policy.facts import RecordFact
from models.policy.packs import Profile
from models.policy.results import Measure


def _leaves_window(decision: date, months: int) -> date:
    """The first day on which a record of this date is no longer inside a window of ``months``."""
    day = add_months(decision, months) - timedelta(days=3)
    while not add_months(day, -months) >= decision:
        day += timedelta(days=1)
    return day


def valid_until(profile: Profile, records: Iterable[RecordFact], measures: Iterable[Measure], as_of: date) -> date:
    candidates = [date(as_of.year + 1, 1, 1)]
    window = profile.indicators.window_months if profile.indicators is not None else None
    for r in records:
        if window:
            candidates.append(_leaves_window(r.decision_date, window))
        candidates += [d for d in (r.repaired_on, r.corrected_on) if d is not None]
    for m in measures:
        candidates += [d for d in (m.start, m.end and m.end + timedelta(days=1)) if d is not None]
    for tree in profile.trees:  # a tree version coming into or going out of force
        candidates += [tree.effective_from, tree.effective_to and tree.effective_to + timedelta(days=1)]
    for pack in profile.packs:
        candidates += [pack.effective_from, pack.effective_to and pack.effective_to + timedelta(days=1)]
    return min(d for d in candidates if d is not None and d > as_of)
