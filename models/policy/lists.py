"""Red and black lists: 鲁 第八条4、第九条5; 淮 三（五）; 磐 第二十一条 (优秀 3 years or more)."""
from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

from models.policy.boundaries import Range, within
from models.policy.catalogue import KindSpec
from models.policy.facts import RecordFact, YearGrade
from models.policy.packs import Profile, basis
from models.policy.results import ListEntry, Part


def kind_lists(profile: Profile, kinds: Mapping[str, KindSpec], records: Iterable[RecordFact],
               as_of: date) -> Part:
    """A record puts its subject on a list from its decision date until it is repaired."""
    entries, notes = [], []
    for rec in records:
        for entry, rule in profile.rules_for_kind(rec.kind, "list_by_kind"):
            if not entry.pack.covers(rec.decision_date):
                continue
            cite = basis(entry, rule)
            name = kinds[rec.kind].name if rec.kind in kinds else rec.kind
            if rec.repaired_on and rec.repaired_on <= as_of:
                notes.append(f"{rec.label}（{name}）已于{rec.repaired_on.isoformat()}信用修复，"
                             f"不再列入{rule['list_name']}。")
                continue
            entries.append(ListEntry(rule["list"], rule["list_name"], rec.decision_date, cite, rec.uuid))
            cond = rule.get("condition")
            notes.append(f"{rec.label}（{name}）：自{rec.decision_date.isoformat()}起列入{rule['list_name']}"
                         + (f"（条件：{cond}）" if cond else "") + f"，依据{cite}。")
    return Part(lists=tuple(entries), explanations=tuple(notes))


def excellent_run(history: Iterable[YearGrade], grade: str, year: int) -> list[YearGrade]:
    """The unbroken run of `grade` years ending in `year`, oldest first."""
    by_year = {h.year: h for h in history}
    run = []
    while year in by_year and by_year[year].grade == grade:
        run.append(by_year[year])
        year -= 1
    return run[::-1]


def red_list(profile: Profile, history: Iterable[YearGrade], current: str | None, as_of: date) -> Part:
    grades = {h.year: h for h in history}
    if current is not None:
        grades.setdefault(as_of.year, YearGrade(as_of.year, current, as_of))
    for entry, rule in profile.rules("red_list_run"):
        if not entry.pack.covers(as_of):
            continue
        run = excellent_run(grades.values(), rule["grade"], as_of.year)
        needed = Range.parse(rule["years"])
        if not within(len(run), needed):
            continue
        need = int(needed.lower.value)
        third = run[need - 1]
        since = third.decided_on or date(third.year, 12, 31)
        cite = basis(entry, rule)
        years = "、".join(str(g.year) for g in run)
        return Part(lists=(ListEntry(rule["list"], rule["list_name"], since, cite),), explanations=(
            f"信用等级连续{len(run)}年为{rule['grade']}（{years}年），{needed.text('年')}，"
            f"列入{rule['list_name']}，依据{cite}。",))
    return Part()
