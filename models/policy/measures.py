"""Measures other than payment-qualification points: per-kind measures (鲁 第八条), the
insured persons' loss tiers (鲁 第九条2–4), the clean-years incentive (鲁 第九条1) and grade
incentives/punishments (磐 第十九、二十条)."""
from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

from models.policy.boundaries import Range, Tier, pick_tier, within
from models.policy.catalogue import KindSpec
from models.policy.dates import add_months
from models.policy.errors import PolicyError
from models.policy.facts import MeasureChoice, RecordFact, SubjectFacts
from models.policy.packs import Profile, ProfileEntry, Rule, basis
from models.policy.results import (ENDED, IN_EFFECT, OPTIONAL, PENDING_CHOICE, PER_AGREEMENT, Measure, Part)
from models.policy.score import in_force


def _live(profile: Profile, rule_type: str, kind: str, day: date) -> list[tuple[ProfileEntry, Rule]]:
    return [(e, r) for e, r in profile.rules_for_kind(kind, rule_type) if e.pack.covers(day)]


def _status(end: date | None, as_of: date) -> str:
    return ENDED if end is not None and end < as_of else IN_EFFECT


def kind_measures(profile: Profile, kinds: Mapping[str, KindSpec], records: Iterable[RecordFact],
                  as_of: date) -> Part:
    measures, notes = [], []
    for rec in records:
        for entry, rule in _live(profile, "measure_by_kind", rec.kind, rec.decision_date):
            cite = basis(entry, rule)
            status = PER_AGREEMENT if rule["measure"] == "per_agreement" else IN_EFFECT
            cond = rule.get("condition")
            measures.append(Measure(rule["measure"], rule["name"], rec.decision_date, None, status, cite, rec.uuid,
                                    note=None if cond is None else f"适用条件：{cond}",
                                    incentive=bool(rule.get("incentive"))))
            name = kinds[rec.kind].name if rec.kind in kinds else rec.kind
            notes.append(f"{rec.label}（{name}）：{rule['name']}"
                         + (f"（适用条件：{cond}）" if cond else "") + f"，依据{cite}。")
    return Part(measures=tuple(measures), explanations=tuple(notes))


def loss_tier(rule: Rule, amount) -> tuple[str, Range] | None:
    """(item, allowed months) for a fund loss, through the one boundary function."""
    tiers = [Tier(Range.parse(t["amount"]), t) for t in rule["tiers"]]
    tier = pick_tier(amount, tiers)
    return None if tier is None else (tier.result["item"], Range.parse(tier.result["months"]))


def _restored(profile: Profile, rec: RecordFact, end: date | None, as_of: date) -> str | None:
    """鲁 第十二条: corrected and committed within the period → restored when the measure ends."""
    found = in_force(profile, "auto_restore", rec.decision_date)
    if found is None or end is None or rec.corrected_on is None or rec.corrected_on > end or as_of <= end:
        return None
    return (f"{rec.label}：已于{rec.corrected_on.isoformat()}纠正失信行为并作出修复承诺，"
            f"措施于{end.isoformat()}期满，信用自动修复，依据{basis(*found)}。")


def loss_measures(profile: Profile, records: Iterable[RecordFact], as_of: date,
                  choices: Mapping[str, MeasureChoice]) -> Part:
    measures, notes = [], []
    for rec in records:
        for entry, rule in _live(profile, "loss_tiers", rec.kind, rec.decision_date):
            if rec.amount is None:
                notes.append(f"{rec.label}：缺少基金损失金额，无法按{basis(entry, rule)}确定暂停期限。")
                continue
            item, allowed = loss_tier(rule, rec.amount)
            cite = basis(entry, rule, f"{rule.article}（{item}）")
            choice = choices.get(rec.uuid)
            loss = f"基金损失{rec.amount:,.2f}元"
            if choice is None:
                measures.append(Measure(rule["measure"], rule["name"], rec.decision_date, None, PENDING_CHOICE, cite,
                                        rec.uuid, allowed, None, f"{loss}，可选期限：{allowed.text('个月')}"))
                notes.append(f"{rec.label}：{loss}，应{rule['name']}{allowed.text('个月')}，"
                             f"待经办人选择期限，依据{cite}。")
                continue
            if not within(choice.months, allowed):
                raise PolicyError(f"{rec.label}：{loss}，按{cite}应{allowed.text('个月')}，"
                                  f"所选{choice.months}个月不在范围内")
            start = choice.start or rec.decision_date
            end = add_months(start, choice.months)
            measures.append(Measure(rule["measure"], rule["name"], start, end, _status(end, as_of), cite, rec.uuid,
                                    allowed, choice, f"{loss}；选择{choice.months}个月，理由：{choice.reason}"))
            notes.append(f"{rec.label}：{loss}，{rule['name']}{choice.months}个月"
                         f"（{start.isoformat()}至{end.isoformat()}），依据{cite}。")
            restored = _restored(profile, rec, end, as_of)
            if restored:
                notes.append(restored)
    return Part(measures=tuple(measures), explanations=tuple(notes))


def clean_years_incentive(profile: Profile, kinds: Mapping[str, KindSpec], subject: SubjectFacts,
                          records: Iterable[RecordFact], as_of: date) -> Part:
    found = [(e, r) for e, r in profile.rules("clean_years_incentive")
             if e.pack.covers(as_of) and r["subject_type"] == subject.type]
    if not found:
        return Part()
    entry, rule = found[0]
    first = date(as_of.year - int(rule["years"]), 1, 1)
    if subject.since is not None and subject.since > first:
        return Part()
    bad = [r for r in records if first <= r.decision_date <= as_of and r.kind in kinds and not kinds[r.kind].good]
    if bad:
        return Part()
    cite = basis(entry, rule)
    measure = Measure(rule["measure"], rule["name"], date(as_of.year, 1, 1), None, IN_EFFECT, cite,
                      note=rule.get("note"), incentive=True)
    return Part(measures=(measure,), explanations=(
        f"自{first.isoformat()}至{as_of.isoformat()}连续{rule['years']}年无违法违规使用医保基金记录，"
        f"{rule['name']}，依据{cite}。",))


def grade_measures(profile: Profile, grade: str | None, as_of: date) -> Part:
    if grade is None:
        return Part()
    measures, notes = [], []
    for entry, rule in profile.rules("grade_measures"):
        if grade not in rule["grades"] or not entry.pack.covers(as_of):
            continue
        status = OPTIONAL if rule.get("optional") else IN_EFFECT
        for m in rule["measures"]:
            cite = basis(entry, rule, f"{rule.article}（{m['item']}）")
            measures.append(Measure(m["measure"], m["name"], None, None, status, cite,  # while the grade holds
                                    incentive=bool(rule.get("incentive"))))
        verb = "可以采取" if rule.get("optional") else "给予"
        notes.append(f"信用等级为{grade}，{verb}：" + "；".join(m["name"] for m in rule["measures"])
                     + f"，依据{basis(entry, rule)}。")
    return Part(measures=tuple(measures), explanations=tuple(notes))
