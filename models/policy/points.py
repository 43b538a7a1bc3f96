"""医保支付资格记分 (医保发〔2024〕23号 as applied by 济医保发〔2025〕6号四（五）–（八）).

Points are dated by the decision (四（六）), add up within a natural year and reset on
1 January, while measures already imposed keep running — so measures are computed year by
year and all of them are returned, and only the totals are per year.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable, Mapping

from models.policy.boundaries import Range, Tier, pick_tier, within
from models.policy.catalogue import KindSpec
from models.policy.dates import add_months, add_years
from models.policy.errors import PolicyError
from models.policy.facts import MeasureChoice, RecordFact
from models.policy.packs import Profile, ProfileEntry, Rule, basis
from models.policy.results import (ENDED, IN_EFFECT, PENDING_CHOICE, Measure, Part, PointsEntry,
                                   PointsSummary)
from models.policy.score import in_force


def band_points(band: tuple[int, int], responsibility: str | None, rule: Rule) -> int | None:
    """Position within the band by responsibility (default 一般=low, 重要=middle, 主要=high)."""
    if responsibility is None:
        return None
    position = rule["responsibility_position"][responsibility]
    low, high = band
    return {"low": low, "middle": (low + high) // 2, "high": high}[position]


def score_records(profile: Profile, kinds: Mapping[str, KindSpec], records: Iterable[RecordFact],
                  as_of: date) -> tuple[list[tuple[RecordFact, PointsEntry, ProfileEntry, Rule]], list[str]]:
    scored, notes = [], []
    for rec in sorted(records, key=lambda r: (r.decision_date, r.uuid)):
        spec = kinds.get(rec.kind)
        if spec is None or spec.band is None or rec.decision_date > as_of:
            continue
        found = in_force(profile, "points", rec.decision_date)
        if found is None:
            continue  # reported once, as uncovered, by evaluate()
        entry, rule = found
        raw = band_points(spec.band, rec.responsibility, rule)
        cite = basis(entry, rule)
        if raw is None:
            note = "尚未作出责任认定（一般/重要/主要责任者），暂不记分"
            notes.append(f"{rec.label}（{spec.name}）{note}（{entry.pack.cite_as} 四（五））。")
            scored.append((rec, PointsEntry(rec.uuid, rec.kind, rec.decision_date, None, cite, note), entry, rule))
            continue
        points = max(raw - rec.points_reduction, 0)
        note = None
        if rec.points_reduction:
            note = f"分档记{raw}分，经修复减免{rec.points_reduction}分"
        notes.append(f"{rec.label}（{spec.name}，{rec.responsibility}责任者）于{rec.decision_date.isoformat()}"
                     f"记{points}分（分档{spec.band[0]}—{spec.band[1]}分），依据{cite}。")
        scored.append((rec, PointsEntry(rec.uuid, rec.kind, rec.decision_date, points, cite, note), entry, rule))
    return scored, notes


def _thresholds(rule: Rule) -> list[Tier]:
    return [Tier(Range.parse(t["total"]), t) for t in rule["thresholds"]]


def _status(end: date | None, as_of: date) -> str:
    return ENDED if end is not None and end < as_of else IN_EFFECT


def _suspension(rec, spec, entry, rule, total, choice: MeasureChoice | None, as_of) -> Measure:
    allowed = Range.parse(spec["months"])
    cite = basis(entry, rule)
    if choice is None:
        return Measure(spec["measure"], spec["name"], rec.decision_date, None, PENDING_CHOICE, cite, rec.uuid,
                       allowed, None, f"年度累计{total}分，须在{allowed.text('个月')}范围内选择暂停期限并说明理由")
    if not within(choice.months, allowed):
        raise PolicyError(f"{rec.label}：暂停医保支付资格{choice.months}个月超出允许范围（{allowed.text('个月')}）")
    start = choice.start or rec.decision_date
    end = add_months(start, choice.months)
    return Measure(spec["measure"], spec["name"], start, end, _status(end, as_of), cite, rec.uuid, allowed, choice,
                   f"年度累计{total}分；选择{choice.months}个月，理由：{choice.reason}")


def points_part(profile: Profile, kinds: Mapping[str, KindSpec], records: Iterable[RecordFact], as_of: date,
                choices: Mapping[str, MeasureChoice]) -> tuple[PointsSummary, Part]:
    scored, notes = score_records(profile, kinds, records, as_of)
    by_year = defaultdict(list)
    for item in scored:
        by_year[item[0].decision_date.year].append(item)
    measures: list[Measure] = []
    for year in sorted(by_year):
        measures += _year_measures(by_year[year], choices, as_of, notes)
    this_year = by_year.get(as_of.year, [])
    summary = PointsSummary(as_of.year, sum(e.points or 0 for _, e, _, _ in this_year),
                            tuple(e for _, e, _, _ in this_year))
    if any(y < as_of.year for y in by_year):
        notes.append(f"记分按自然年度累计，{as_of.year}年1月1日起清零重新计算；此前已作出的处理不停止执行"
                     f"（济医保发〔2025〕6号 四（六））。")
    return summary, Part(measures=tuple(measures), explanations=tuple(notes))


def _year_measures(items, choices, as_of, notes) -> list[Measure]:
    total, level, out = 0, None, []
    per_decision: dict[str, int] = defaultdict(int)
    for rec, pe, entry, rule in items:
        if pe.points is None:
            continue
        total += pe.points
        per_decision[rec.decision_id or rec.uuid] += pe.points
        tier = pick_tier(total, _thresholds(rule))
        spec = None if tier is None else tier.result
        if spec is None or (level is not None and spec["measure"] == level):
            continue
        level = spec["measure"]
        cite = basis(entry, rule)
        if "months" in spec:
            out.append(_suspension(rec, spec, entry, rule, total, choices.get(rec.uuid), as_of))
            notes.append(f"{rec.decision_date.year}年累计记分达到{total}分（{Range.parse(spec['total']).text('分')}），"
                         f"应{spec['name']}，依据{cite}。")
            continue
        ban = rule["ban"]
        single = within(per_decision[rec.decision_id or rec.uuid], Range.parse(ban["single_decision"]))
        years = ban["years_single_decision"] if single else ban["years_accumulated"]
        start = rec.decision_date
        ban_end = add_years(start, years)
        out.append(Measure(spec["measure"], spec["name"], start, None, IN_EFFECT, cite, rec.uuid,
                           note=rule.get("settlement_note")))
        why = "一次决定记满12分" if single else "年度累计记分达到12分"
        out.append(Measure(ban["measure"], f"{years}年内{ban['name']}", start, ban_end, _status(ban_end, as_of),
                           cite, rec.uuid, note=why))
        notes.append(f"{why}（{rec.decision_date.year}年累计{total}分），{spec['name']}，"
                     f"自{start.isoformat()}起{years}年内不得再次登记备案，依据{cite}。")
        break  # terminated: later points in the year change nothing
    return out
