"""One standing across regimes: no 守信激励 and no red list while a sanction is in effect.

淮医保发〔2020〕104号 三（五）: those on the black list are restricted everywhere (“一处违规，处处受限”) and
incentives go to the trustworthy. The pack names which measures and lists count as sanctions, so a
subject whose standing carries one is never presented as exemplary, whichever regime produced the
incentive (磐 第十九、二十一条 grades, 鲁 第八条1、第九条1, 济 四（九）).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from models.policy.packs import Profile, basis
from models.policy.results import IN_EFFECT, ListEntry, Measure


@dataclass(frozen=True)
class Sanction:
    kind: str
    name: str
    since: date | None
    until: date | None  # last day; None = open
    basis: str
    record: str | None = None


def sanctions_in_effect(profile: Profile, measures: Iterable[Measure], lists: Iterable[ListEntry],
                        as_of: date) -> tuple[tuple[Sanction, ...], str | None]:
    """The sanctions in effect on ``as_of`` and the basis of the rule that makes them exclude incentives."""
    found = next(((e, r) for e, r in profile.rules("sanction_excludes_incentives") if e.pack.covers(as_of)), None)
    if found is None:
        return (), None
    entry, rule = found
    kinds, list_kinds = set(rule["measures"]), set(rule["lists"])
    out = [Sanction(m.kind, m.name, m.start, m.end, m.basis, m.record) for m in measures
           if m.kind in kinds and m.status == IN_EFFECT and m.start is not None and m.start <= as_of
           and (m.end is None or m.end >= as_of)]
    out += [Sanction(f"list_{li.list}", li.list_name, li.since, None, li.basis, li.record) for li in lists
            if li.list in list_kinds and li.since <= as_of]
    return tuple(out), basis(entry, rule)


def withhold_incentives(profile: Profile, measures: tuple[Measure, ...], lists: tuple[ListEntry, ...],
                        as_of: date) -> tuple[tuple[Measure, ...], tuple[ListEntry, ...], tuple[Sanction, ...],
                                              tuple[str, ...]]:
    """Drop incentives and red-list entries while a sanction is in effect, and say why."""
    sanctions, cite = sanctions_in_effect(profile, measures, lists, as_of)
    if not sanctions:
        return measures, lists, (), ()
    dropped = [m.name for m in measures if m.incentive] + [li.list_name for li in lists if li.list == "red"]
    if not dropped:
        return measures, lists, sanctions, ()
    names = "、".join(dict.fromkeys(f"{s.name}（{s.since.isoformat()}起）" for s in sanctions))
    note = (f"正处于{names}期间，不享受守信激励、不列入红名单（不予：{'、'.join(dict.fromkeys(dropped))}），"
            f"依据{cite}（一处违规，处处受限）。")
    return (tuple(m for m in measures if not m.incentive), tuple(li for li in lists if li.list != "red"),
            sanctions, (note,))
