"""Repair (信用修复): eligibility (磐 第二十四条) and the instruments (淮 三（六）)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from models.policy.dates import add_months
from models.policy.facts import RecordFact
from models.policy.packs import Profile, basis
from models.policy.score import in_force


@dataclass(frozen=True)
class RepairEligibility:
    eligible: bool
    reasons: tuple[str, ...]  # Chinese, one per refusal ground, each naming its article
    basis: tuple[str, ...]
    earliest_application: date | None = None  # first day the time condition is met


def earliest_application(finding: date, months: int) -> date:
    """“未满6个月”: the period starts the day after the finding and its last day is the
    corresponding day (《民法典》第二百零一、二百零二条), so six months are complete only when
    that day is over — an application is first possible the day after."""
    return add_months(finding, months) + timedelta(days=1)


def repair_eligibility(profile: Profile, finding: RecordFact, application_date: date,
                       later_records: Iterable[RecordFact] = (), excluded_by_law: bool = False) -> RepairEligibility:
    found = in_force(profile, "repair_refusal", application_date)
    if found is None:
        cites = tuple(basis(e, r) for e, r in profile.rules("deadline") if r["procedure"] == "repair_decision"
                      and e.pack.covers(application_date))
        return RepairEligibility(True, (), cites)
    entry, rule = found
    reasons, cites = [], []
    earliest = earliest_application(finding.decision_date, int(rule["min_months"]))
    if application_date < earliest:
        cite = basis(entry, rule, f"{rule.article}第二款（一）")
        reasons.append(f"自被认定为失信行为之日（{finding.decision_date.isoformat()}）起未满{rule['min_months']}个月，"
                       f"{earliest.isoformat()}起方可申请，依据{cite}")
        cites.append(cite)
    if rule.get("same_kind_in_period"):
        again = sorted((r for r in later_records if r.kind == finding.kind and r.uuid != finding.uuid
                        and finding.decision_date < r.decision_date <= application_date),
                       key=lambda r: (r.decision_date, r.uuid))
        if again:
            cite = basis(entry, rule, f"{rule.article}第二款（二）")
            reasons.append(f"信用修复限期内再次发生同类失信行为（{again[0].label}，"
                           f"{again[0].decision_date.isoformat()}），依据{cite}")
            cites.append(cite)
    if excluded_by_law or finding.kind in rule.get("excluded_kinds", ()):
        cite = basis(entry, rule, f"{rule.article}第二款（三）")
        reasons.append(f"属于依法依规暂不适宜实施信用修复的失信行为，依据{cite}")
        cites.append(cite)
    return RepairEligibility(not reasons, tuple(reasons), tuple(cites) or (basis(entry, rule),), earliest)


def repair_instruments(profile: Profile) -> list[tuple[str, str]]:
    """(instrument, basis): the ways a subject may earn repair (淮 三（六）)."""
    return [(name, basis(e, r)) for e, r in profile.rules("repair_instruments") for name in r["instruments"]]
