"""DOMAIN §5: N个工作日 count from the day after the event, skip weekends and 法定节假日, count
调休 working days; a year without an official schedule is provisional (暂定)."""
from datetime import date, timedelta

import pytest

from models.policy import (PolicyError, WorkCalendar, YearSchedule, add_workdays, format_year_schedules,
                           parse_year_schedules, procedure_deadline, workdays_between)
from policy_fixtures import profile

# 国务院办公厅 2026 schedule, National Day: 10月1日至7日放假调休，9月20日（周日）、10月10日（周六）上班.
NATIONAL_DAY_2026 = YearSchedule(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
)


def test_15_working_days_across_2026_national_day_with_10_october_make_up_saturday():
    """Hand count from 2026-09-30: 10-01..07 off; 10-08 (1), 10-09 (2), Sat 10-10 make-up (3),
    10-12..16 (4–8), 10-19..23 (9–13), 10-26 (14), 10-27 (15)."""
    due = add_workdays(date(2026, 9, 30), 15)
    assert due.date == date(2026, 10, 27)
    assert not due.provisional


def test_same_count_from_the_hand_entered_official_schedule_without_the_package():
    cal = WorkCalendar(extra_years={2026: NATIONAL_DAY_2026}, use_package=False)
    assert cal.add_workdays(date(2026, 9, 30), 15).date == date(2026, 10, 27)


def test_without_the_make_up_saturday_the_deadline_would_be_one_day_later():
    no_makeup = YearSchedule(holidays=NATIONAL_DAY_2026.holidays, workdays=frozenset({date(2026, 9, 20)}))
    cal = WorkCalendar(extra_years={2026: no_makeup}, use_package=False)
    assert cal.add_workdays(date(2026, 9, 30), 15).date == date(2026, 10, 28)


def test_make_up_saturday_is_a_workday_and_the_sunday_after_is_not():
    cal = WorkCalendar()
    assert cal.is_workday(date(2026, 10, 10))
    assert not cal.is_workday(date(2026, 10, 11))
    assert not cal.is_workday(date(2026, 10, 1))


def test_counting_starts_the_day_after_the_event():
    # Friday 2026-10-16 + 1 working day = Monday 2026-10-19, not the Friday itself.
    assert add_workdays(date(2026, 10, 16), 1).date == date(2026, 10, 19)
    assert add_workdays(date(2026, 10, 16), 0).date == date(2026, 10, 16)


def test_a_2027_deadline_is_provisional_and_counted_on_weekends_alone():
    """chinesecalendar raises NotImplementedError for 2027; the calendar must not."""
    due = add_workdays(date(2026, 12, 20), 15)
    # Dec 21–25 (5), Dec 28–31 (9), Fri 2027-01-01 counted as a weekday (10), Jan 4–8 (15).
    assert due.date == date(2027, 1, 8)
    assert due.provisional and due.missing_years == (2027,)
    assert due.text() == "2027-01-08（暂定）"


def test_loading_the_2027_schedule_removes_the_provisional_flag():
    test_2027 = YearSchedule(holidays=frozenset({date(2027, 1, 1)}))  # test data, not the official notice
    due = WorkCalendar(extra_years={2027: test_2027}).add_workdays(date(2026, 12, 20), 15)
    assert due.date == date(2027, 1, 11)
    assert not due.provisional


def test_workdays_between_gives_days_left_and_negative_when_overdue():
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 27)) == 15
    assert workdays_between(date(2026, 10, 27), date(2026, 9, 30)) == -15
    assert workdays_between(date(2026, 10, 27), date(2026, 10, 27)) == 0


def test_shandong_objection_deadline_is_15_working_days_article_10():
    found = procedure_deadline(profile("shandong"), "objection_filing", "insured", date(2026, 8, 3))
    assert found.working_days == 15
    assert found.deadline.date == date(2026, 8, 24)
    assert "第十条" in found.basis


SCHEDULE_FILE = """# 2027 年节假日安排（测试数据）
类型,开始日期,结束日期,说明
放假,2027-01-01,2027-01-03,元旦
上班,2027-02-20,,调休
"""


def test_schedule_file_parses_into_year_schedules_and_round_trips():
    parsed = parse_year_schedules(SCHEDULE_FILE)
    assert set(parsed) == {2027}
    assert parsed[2027].holidays == {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}
    assert parsed[2027].workdays == {date(2027, 2, 20)}
    assert parse_year_schedules(format_year_schedules(parsed)) == parsed
    assert YearSchedule.from_dict(parsed[2027].as_dict(2027)) == parsed[2027]


@pytest.mark.parametrize("line, message", [
    ("休息,2027-01-01,,", "第1行：类型“休息”无法识别"),
    ("放假,2027-13-01,,", "第1行：日期“2027-13-01”无效"),
    ("上班,2027-02-22,,", "第1行：2027-02-22 是周一至周五"),
    ("放假,2027-01-03,2027-01-01,", "第1行：结束日期"),
    ("放假,,,", "第1行：缺少开始日期"),
])
def test_schedule_file_errors_name_the_line_in_chinese(line, message):
    with pytest.raises(PolicyError, match=message):
        parse_year_schedules(line + "\n")


def test_a_day_both_off_and_on_is_refused_with_its_line():
    with pytest.raises(PolicyError, match="第2行"):
        parse_year_schedules("放假,2027-02-20,,\n上班,2027-02-20,,\n")
