"""Working days (工作日) for every “N个工作日” deadline (DOMAIN §5).

Counting starts on the day after the event, skips Saturdays, Sundays and 法定节假日, and counts
the weekend days declared as 调休 working days. The official schedule comes from the
`chinesecalendar` package (2004–2026 in 1.11.0) and from year schedules the admin loads
(国务院办公厅 notice of each year). A year with neither is counted on weekends alone and every
deadline touching it is flagged provisional (暂定) so the UI can say so and recompute later.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

import chinese_calendar as cc

from models.policy.errors import PolicyError

HOLIDAY_WORDS = {"放假": "holiday", "holiday": "holiday", "上班": "workday", "workday": "workday"}


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: holiday dates and 调休 make-up working days."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        both = self.holidays & self.workdays
        if both:
            raise PolicyError("同一日期不能既放假又上班：" + "、".join(sorted(d.isoformat() for d in both)))

    def as_dict(self, year: int) -> dict:
        return {"year": year, "holidays": sorted(d.isoformat() for d in self.holidays),
                "workdays": sorted(d.isoformat() for d in self.workdays)}

    @classmethod
    def from_dict(cls, raw: Mapping) -> "YearSchedule":
        return cls(frozenset(date.fromisoformat(d) for d in raw.get("holidays", ())),
                   frozenset(date.fromisoformat(d) for d in raw.get("workdays", ())))


@dataclass(frozen=True)
class Deadline:
    date: date
    provisional: bool  # 暂定: some counted day lies in a year with no official schedule
    missing_years: tuple[int, ...] = ()

    def text(self) -> str:
        return self.date.isoformat() + ("（暂定）" if self.provisional else "")


def _package_year(year: int) -> YearSchedule | None:
    """The package's schedule for a year, or None where it raises NotImplementedError."""
    try:
        cc.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    return YearSchedule(frozenset(d for d in cc.holidays if d.year == year),
                        frozenset(d for d in cc.workdays if d.year == year))


class WorkCalendar:
    """Immutable after construction; `extra_years` (admin-loaded) override the package."""

    def __init__(self, extra_years: Mapping[int, YearSchedule] | None = None, use_package: bool = True):
        self._extra = dict(extra_years or {})
        self._use_package = use_package
        self._cache: dict[int, YearSchedule | None] = {}

    def schedule(self, year: int) -> YearSchedule | None:
        if year in self._extra:
            return self._extra[year]
        if year not in self._cache:
            self._cache[year] = _package_year(year) if self._use_package else None
        return self._cache[year]

    def has_schedule(self, year: int) -> bool:
        return self.schedule(year) is not None

    def is_workday(self, day: date) -> bool:
        sched = self.schedule(day.year)
        if sched is not None:
            if day in sched.workdays:
                return True
            if day in sched.holidays:
                return False
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> Deadline:
        if n < 0:
            raise PolicyError("工作日数不能为负数")
        day, counted, missing = start, 0, set()
        while counted < n:
            day += timedelta(days=1)
            if not self.has_schedule(day.year):
                missing.add(day.year)
            if self.is_workday(day):
                counted += 1
        return Deadline(day, bool(missing), tuple(sorted(missing)))

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: how many are left on day a until deadline b (negative if past)."""
        if b < a:
            return -self.workdays_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(days=i)))

    def provisional_between(self, a: date, b: date) -> bool:
        lo, hi = min(a, b), max(a, b)
        return any(not self.has_schedule(y) for y in range(lo.year, hi.year + 1))


_DEFAULT = WorkCalendar()


def add_workdays(start: date, n: int, calendar: WorkCalendar | None = None) -> Deadline:
    return (calendar or _DEFAULT).add_workdays(start, n)


def workdays_between(a: date, b: date, calendar: WorkCalendar | None = None) -> int:
    return (calendar or _DEFAULT).workdays_between(a, b)


# -- the admin's schedule file ----------------------------------------------------------

def _parse_date(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PolicyError(f"第{line}行：日期“{text.strip()}”无效，应写作 YYYY-MM-DD") from None


def parse_year_schedules(text: str) -> dict[int, YearSchedule]:
    """Parse the CSV-like schedule file described in docs/policy-packs.md.

    类型,开始日期,结束日期,说明   — 类型 is 放假 or 上班; 结束日期 may be empty; # starts a comment.
    """
    holidays: dict[int, set[date]] = {}
    workdays: dict[int, set[date]] = {}
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#") or cells[0] == "类型":
            continue
        word = HOLIDAY_WORDS.get(cells[0])
        if word is None:
            raise PolicyError(f"第{line}行：类型“{cells[0]}”无法识别，只能是“放假”或“上班”")
        if len(cells) < 2 or not cells[1]:
            raise PolicyError(f"第{line}行：缺少开始日期")
        first = _parse_date(cells[1], line)
        last = _parse_date(cells[2], line) if len(cells) > 2 and cells[2] else first
        if last < first:
            raise PolicyError(f"第{line}行：结束日期 {last} 早于开始日期 {first}")
        if (last - first).days > 31:
            raise PolicyError(f"第{line}行：一段假期超过31天，请检查日期")
        for i in range((last - first).days + 1):
            day = first + timedelta(days=i)
            if word == "workday" and day.weekday() < 5:
                raise PolicyError(f"第{line}行：{day} 是周一至周五，本来就是工作日，调休上班日应为周六或周日")
            target, other = (holidays, workdays) if word == "holiday" else (workdays, holidays)
            if day in other.get(day.year, set()):
                raise PolicyError(f"第{line}行：{day} 已登记为{'上班' if word == 'holiday' else '放假'}，不能重复登记")
            target.setdefault(day.year, set()).add(day)
    years = set(holidays) | set(workdays)
    if not years:
        raise PolicyError("文件中没有任何放假或上班安排")
    return {y: YearSchedule(frozenset(holidays.get(y, ())), frozenset(workdays.get(y, ()))) for y in sorted(years)}


def format_year_schedules(schedules: Mapping[int, YearSchedule]) -> str:
    """The inverse of parse_year_schedules (one line per day), for export and round trips."""
    lines = ["类型,开始日期,结束日期,说明"]
    for year in sorted(schedules):
        sched = schedules[year]
        lines += [f"放假,{d.isoformat()},," for d in sorted(sched.holidays)]
        lines += [f"上班,{d.isoformat()},," for d in sorted(sched.workdays)]
    return "\n".join(lines) + "\n"
