"""Which rule applies to a record: the one in force on the record's decision date, never a
fallback to a lapsed or later rule (鲁医保发〔2024〕25号第十五条 fixes an end date)."""
from __future__ import annotations

from datetime import date
from typing import Mapping

from models.policy.catalogue import KindSpec
from models.policy.facts import RecordFact
from models.policy.packs import Profile, ProfileEntry, Rule
from models.policy.results import Uncovered

KIND_RULE_TYPES = ("measure_by_kind", "list_by_kind", "loss_tiers")


def relevant_rules(profile: Profile, spec: KindSpec | None, kind: str) -> list[tuple[ProfileEntry, Rule]]:
    found = profile.rules_for_kind(kind, *KIND_RULE_TYPES)
    if spec is not None and spec.band is not None:
        found += profile.rules("points")
    return found


def split_by_date(pairs: list[tuple[ProfileEntry, Rule]], day: date):
    """(in force on day, not in force on day)."""
    return ([p for p in pairs if p[0].pack.covers(day)], [p for p in pairs if not p[0].pack.covers(day)])


def uncovered(profile: Profile, kinds: Mapping[str, KindSpec], record: RecordFact) -> Uncovered | None:
    """Per rule family: the points rule being out of force is not excused by a list rule in force."""
    pairs = relevant_rules(profile, kinds.get(record.kind), record.kind)
    gaps = []
    for rule_type in dict.fromkeys(r.type for _, r in pairs):
        live, dead = split_by_date([p for p in pairs if p[1].type == rule_type], record.decision_date)
        if not live:
            gaps += dead
    if not gaps:
        return None
    return Uncovered(record.uuid, record.kind, record.decision_date,
                     tuple(dict.fromkeys(e.pack.id for e, _ in gaps)), tuple(dict.fromkeys(r.type for _, r in gaps)))


def lapsed_text(entry: ProfileEntry, day: date) -> str:
    pack = entry.pack
    return (f"{pack.cite_as}的有效期为{pack.period_text()}，"
            f"{day.isoformat()}作出的决定不适用该文件")
