"""The working-day calendar kept in the database: seeded from chinesecalendar, extended by the admin."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models import policy
from models.db.tables import CalendarYear
from models.services.base import Actor, Changes, Result, UnitOfWork, query, require, service
from models.validation import ValidationError, required


def calendar_from_db(uow: UnitOfWork) -> policy.WorkCalendar:
    years = {
        row.year: policy.YearSchedule(frozenset(date.fromisoformat(d) for d in json.loads(row.holidays)),
                                      frozenset(date.fromisoformat(d) for d in json.loads(row.workdays)))
        for row in uow.session.scalars(select(CalendarYear))
    }
    # The table is the record; the package only fills years a database made before seeding lacks.
    return policy.WorkCalendar(extra_years=years, use_package=True)


@dataclass(frozen=True)
class YearInfo:
    year: int
    holidays: int
    workdays: int
    source: str
    loaded_by: str


@query
def years(uow: UnitOfWork) -> list[YearInfo]:
    return [YearInfo(r.year, len(json.loads(r.holidays)), len(json.loads(r.workdays)), r.source, r.loaded_by)
            for r in uow.session.scalars(select(CalendarYear).order_by(CalendarYear.year))]


@query
def add_workdays(uow: UnitOfWork, *, start: date, days: int) -> policy.Deadline:
    if days < 0:
        raise ValidationError("工作日数", "不能为负数")
    return calendar_from_db(uow).add_workdays(start, days)


@service
def load_schedule(uow: UnitOfWork, *, actor: Actor, text: str, source: str) -> Result:
    """Install years from the admin's schedule file (format: docs/policy-packs.md); all years or none."""
    require(actor, "calendar.load")
    try:
        schedules = policy.parse_year_schedules(text)
    except policy.PolicyError as exc:
        raise ValidationError("节假日安排文件", str(exc)) from None
    source = required(source, "来源")
    for year, sched in schedules.items():
        row = uow.session.get(CalendarYear, year)
        before = None if row is None else {"holidays": json.loads(row.holidays), "workdays": json.loads(row.workdays),
                                           "source": row.source}
        after = sched.as_dict(year)
        if row is None:
            row = CalendarYear(year=year)
            uow.session.add(row)
        row.holidays, row.workdays = json.dumps(after["holidays"]), json.dumps(after["workdays"])
        row.source, row.loaded_by = source, actor.username
        uow.audit(actor, "calendar.load", "calendar_year", None, before=before, after={**after, "source": source})
    return Result(sorted(schedules), Changes(county=True))
