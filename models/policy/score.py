"""The 1000-point evaluation (千分制, 磐医保〔2021〕43号第十三–十五、十八条).

The indicator tree is the bureau's own (第十三条 “评价指标另行制定”); the shipped tree is a
sample and says so. Grades and inspection ratios come from the pack, through `pick_tier`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

from models.policy.boundaries import Range, Tier, pick_tier, to_decimal
from models.policy.dates import add_months
from models.policy.errors import PolicyError
from models.policy.facts import RecordFact
from models.policy.packs import Profile, ProfileEntry, Rule, basis


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: Decimal
    children: tuple["Indicator", ...] = ()
    start: str | None = None  # leaves only: "full" = 扣分项, "zero" = 加分项
    effects: Mapping[str, Decimal] | None = None

    def leaves(self) -> Iterable["Indicator"]:
        if not self.children:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    sample: bool
    note: str
    subject_types: tuple[str, ...]
    scale: Decimal
    window_months: int
    indicators: tuple[Indicator, ...]

    def leaves(self) -> list[Indicator]:
        return [leaf for top in self.indicators for leaf in top.leaves()]

    def effect_of(self, kind: str) -> Decimal | None:
        effects = [leaf.effects[kind] for leaf in self.leaves() if leaf.effects and kind in leaf.effects]
        return sum(effects, Decimal(0)) if effects else None


def _indicator(raw: Mapping[str, Any], level: int, where: str) -> Indicator:
    children = tuple(_indicator(c, level + 1, where) for c in raw.get("children", ()))
    weight = to_decimal(raw["weight"])
    if children:
        total = sum((c.weight for c in children), Decimal(0))
        if total != weight:
            raise PolicyError(f"{where}：指标 {raw['code']} 的下级分值合计 {total}，应为 {weight}")
        return Indicator(raw["code"], raw["name"], weight, children)
    if level != 3:
        raise PolicyError(f"{where}：指标 {raw['code']} 是{level}级指标，末级指标应为三级指标")
    if raw.get("start") not in ("full", "zero"):
        raise PolicyError(f"{where}：三级指标 {raw['code']} 的 start 只能是 full（扣分项）或 zero（加分项）")
    effects = {k: to_decimal(v) for k, v in raw.get("effects", {}).items()}
    return Indicator(raw["code"], raw["name"], weight, (), raw["start"], effects)


def indicators_from_dict(raw: Mapping[str, Any], where: str = "指标体系") -> IndicatorSet:
    tops = tuple(_indicator(i, 1, where) for i in raw["indicators"])
    scale = to_decimal(raw.get("scale", 1000))
    total = sum((t.weight for t in tops), Decimal(0))
    if total != scale:
        raise PolicyError(f"{where}：一级指标分值合计 {total}，应为 {scale}")
    return IndicatorSet(raw["id"], bool(raw.get("sample", False)), raw.get("note", ""),
                        tuple(raw.get("subject_types", ("practitioner",))), scale,
                        int(raw.get("window_months", 12)), tops)


def load_indicators(path: str | Path) -> IndicatorSet:
    path = Path(path)
    return indicators_from_dict(json.loads(path.read_text(encoding="utf-8")), f"指标体系文件 {path.name}")


@dataclass(frozen=True)
class LeafScore:
    code: str
    name: str
    score: Decimal
    records: tuple[str, ...]


def counted_records(indicators: IndicatorSet, records: Iterable[RecordFact], as_of: date) -> list[RecordFact]:
    """Records inside the evaluation window and not yet repaired on as_of."""
    first_day = add_months(as_of, -indicators.window_months)
    return [r for r in records
            if first_day < r.decision_date <= as_of and not (r.repaired_on and r.repaired_on <= as_of)]


def counted_consequences(indicators: IndicatorSet, measures: Iterable, lists: Iterable, as_of: date
                         ) -> list[tuple[str, str]]:
    """Measures that started inside the window or are still running, and list entries in force on as_of."""
    first_day = add_months(as_of, -indicators.window_months)
    out = [(f"measure:{m.kind}", m.name) for m in measures if m.start is not None and m.start <= as_of
           and (first_day < m.start or (m.end is not None and m.end >= as_of)) and m.status in ("in_effect", "ended")]
    out += [(f"list:{li.list}", li.list_name) for li in lists if li.since <= as_of]
    return list(dict.fromkeys(out))


def compute_score(indicators: IndicatorSet, records: Iterable[RecordFact],
                  consequences: Iterable[tuple[str, str]] = ()) -> tuple[Decimal, list[LeafScore]]:
    """Leaf scores from the records' kinds and from consequences: (``measure:<kind>`` or ``list:<list>``, label)
    for the measures and list entries the file carries, so that a termination or a black-list entry weighs in
    the score as the indicator tree says."""
    items = [(r.kind, r.label) for r in records] + list(consequences)
    leaves = []
    for leaf in indicators.leaves():
        hits = [(key, label) for key, label in items if leaf.effects and key in leaf.effects]
        raw = (leaf.weight if leaf.start == "full" else Decimal(0)) + sum(
            (leaf.effects[key] for key, _ in hits), Decimal(0))
        leaves.append(LeafScore(leaf.code, leaf.name, min(max(raw, Decimal(0)), leaf.weight),
                                tuple(label for _, label in hits)))
    return sum((leaf.score for leaf in leaves), Decimal(0)), leaves


def in_force(profile: Profile, rule_type: str, day: date) -> tuple[ProfileEntry, Rule] | None:
    """The first rule of this type, in profile order, whose pack covers the day."""
    return next(((e, r) for e, r in profile.rules(rule_type) if e.pack.covers(day)), None)


def grade_of(rule: Rule, score: Decimal) -> str | None:
    tiers = [Tier(Range.parse(t["range"]), t["grade"]) for t in rule["tiers"]]
    tier = pick_tier(score, tiers)
    return None if tier is None else tier.result


@dataclass(frozen=True)
class InspectionRatio:
    grade: str
    ratio: Decimal | None  # multiple of the base ratio; None = 全覆盖
    relation: str  # 不高于 / 为 / 全覆盖
    text: str
    basis: str

    @property
    def full_coverage(self) -> bool:
        return self.ratio is None


def inspection_ratio(entry: ProfileEntry, rule: Rule, grade: str) -> InspectionRatio:
    spec = rule["ratios"][grade]
    ratio = None if spec.get("ratio") is None else to_decimal(spec["ratio"])
    return InspectionRatio(grade, ratio, spec.get("relation", "为"), spec.get("text", ""), basis(entry, rule))
