"""The 1000-point evaluation (千分制, 磐医保〔2021〕43号第十三–十五、十八条).

The indicator tree is the bureau's own (第十三条 “评价指标另行制定”); the shipped tree is a
sample and says so. Grades and inspection ratios come from the pack, through `pick_tier`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Iterable, Mapping

from models.policy.boundaries import Range, Tier, pick_tier, to_decimal
from models.policy.dates import add_months
from models.policy.facts import RecordFact
from models.policy.indicator_trees import Indicator, IndicatorSet
from models.policy.packs import Profile, ProfileEntry, Rule, basis

STAFF_TEXT = {"with_points_share": "本年度有记分的登记人员占比", "suspended": "暂停医保支付资格的登记人员（每人）",
              "terminated": "终止医保支付资格的登记人员（每人）", "without_commitment_share": "未作服务承诺的登记人员占比"}


@dataclass(frozen=True)
class StaffFacts:
    """The standing of an institution's registered practitioners (淮医保发〔2020〕104号 三（四）: 医保医师考评结果
    与定点医疗机构考核挂钩)."""

    registered: int = 0
    with_points: int = 0
    suspended: int = 0
    terminated: int = 0
    without_commitment: int = 0

    def metric(self, name: str) -> Decimal:
        if name.endswith("_share"):
            count = getattr(self, name[:-len("_share")])
            return (Decimal(count) / Decimal(self.registered)).quantize(Decimal("0.0001")) if self.registered else Decimal(0)
        return Decimal(getattr(self, name))

    def text(self) -> str:
        return (f"登记备案人员{self.registered}人，其中本年度有记分{self.with_points}人、暂停医保支付资格{self.suspended}人、"
                f"终止{self.terminated}人、未作服务承诺{self.without_commitment}人")


@dataclass(frozen=True)
class LeafScore:
    code: str
    name: str
    score: Decimal
    records: tuple[str, ...]
    weight: Decimal = Decimal(0)
    objectionable: bool = True
    adjustment: Decimal = Decimal(0)  # decided on an objection against this line (异议复核变更)

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "weight": str(self.weight), "score": str(self.score),
                "objectionable": self.objectionable, "adjustment": str(self.adjustment), "items": list(self.records)}


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


def _extra(leaf: Indicator, records: list[RecordFact], staff: StaffFacts | None) -> tuple[Decimal, list[str]]:
    """Effects beyond the record kinds: fund loss, the records' sources, the staff's standing."""
    total, labels = Decimal(0), []
    if leaf.loss is not None:
        per, effect = leaf.loss
        loss = sum((r.amount for r in records if r.amount), Decimal(0))
        units = (loss / per).to_integral_value(rounding=ROUND_CEILING)  # each started unit counts
        if units:
            total += effect * units
            labels.append(f"基金损失合计{loss}元（每{per}元计{effect}分）")
    for source, effect in (leaf.sources or {}).items():
        hits = [r for r in records if r.source == source]
        if hits:
            total += effect * len(hits)
            labels.append(f"来源为{SOURCE_TEXT.get(source, source)}的记录{len(hits)}条")
    for metric, effect in (leaf.staff or {}).items():
        value = staff.metric(metric) if staff is not None else Decimal(0)
        if value:
            total += (effect * value).quantize(Decimal("0.01"))
            shown = f"{(value * 100).quantize(Decimal('0.01'))}%" if metric.endswith("_share") else f"{value}人"
            labels.append(f"{STAFF_TEXT[metric]}{shown}")
    return total, labels


SOURCE_TEXT = {"business": "业务系统", "smart_audit": "智能审核", "supervision": "基金监管", "audit": "稽核",
               "self_report": "自查自纠", "gov_data": "政务数据平台", "credit_platform": "公共信用平台", "media": "媒体"}


def compute_score(indicators: IndicatorSet, records: Iterable[RecordFact],
                  consequences: Iterable[tuple[str, str]] = (), staff: StaffFacts | None = None,
                  adjustments: Mapping[str, Decimal] | None = None, good: frozenset[str] = frozenset()) -> tuple[Decimal, list[LeafScore]]:
    """Leaf scores from the records' kinds and from consequences: (``measure:<kind>`` or ``list:<list>``, label)
    for the measures and list entries the file carries, so that a termination or a black-list entry weighs in
    the score as the indicator tree says; institutions' leaves also weigh fund loss, sources and the staff.
    ``adjustments`` are the changes objection decisions made to single lines (by leaf code); fund loss and
    sources count only records of kinds not in ``good``."""
    records = list(records)
    items = [(r.kind, r.label) for r in records] + list(consequences)
    bad = [r for r in records if r.kind not in good]
    adjustments = adjustments or {}
    leaves = []
    for leaf in indicators.leaves():
        hits = [(key, label) for key, label in items if leaf.effects and key in leaf.effects]
        extra, labels = _extra(leaf, bad, staff)
        adjust = adjustments.get(leaf.code, Decimal(0))
        raw = (leaf.weight if leaf.start == "full" else Decimal(0)) + sum(
            (leaf.effects[key] for key, _ in hits), Decimal(0)) + extra + adjust
        leaves.append(LeafScore(leaf.code, leaf.name, min(max(raw, Decimal(0)), leaf.weight),
                                tuple(label for _, label in hits) + tuple(labels), leaf.weight, leaf.objectionable,
                                adjust))
    return sum((leaf.score for leaf in leaves), Decimal(0)), leaves


def tree_for(profile: Profile, subject_type: str, institution_kind: str | None, day: date) -> IndicatorSet | None:
    """The indicator tree for this kind of subject in force on the day: of the versions covering it, the one that
    came into force last (the later loaded on a tie). A version never reaches back before its own start."""
    trees = profile.trees or ((profile.indicators,) if profile.indicators is not None else ())
    fitting = [(t.effective_from or date.min, i, t) for i, t in enumerate(trees)
               if t.applies_to(subject_type, institution_kind) and t.covers(day)]
    return max(fitting, key=lambda x: x[:2])[2] if fitting else None


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
