"""One standing across regimes (淮医保发〔2020〕104号 三（五）“一处违规，处处受限”) and when a result expires."""
from datetime import date, timedelta

import pytest

from models.policy import MeasureChoice, YearGrade, evaluate
from policy_fixtures import DOCTOR, INSURED, profile, rec

EXCELLENT = [YearGrade(2023, "优秀", date(2023, 12, 31)), YearGrade(2024, "优秀", date(2024, 12, 31))]
EXEMPLARY = ("优秀", "良好")


def _incentives(ev):
    return [m for m in ev.measures if m.incentive]


@pytest.mark.parametrize("name", ["panan", "shandong"])
def test_huaian_3_5_no_incentive_and_no_red_list_while_payment_qualification_is_suspended(name):
    honoured = rec("h", "outstanding_practitioner", date(2025, 5, 20))  # an incentive of its own (济 四（九）, 鲁 第八条1)
    suspended = [honoured, rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要")]  # 9 points
    choice = [MeasureChoice("a", 2, "初次违规")]  # 2025-06-02 .. 2025-08-02
    before = evaluate(DOCTOR, [honoured], date(2025, 6, 1), profile(name), (), EXCELLENT)
    assert _incentives(before) and [li for li in before.lists if li.list == "red"]
    during = evaluate(DOCTOR, suspended, date(2025, 8, 2), profile(name), choice, EXCELLENT)
    assert not _incentives(during) and not [li for li in during.lists if li.list == "red"]
    assert [s.kind for s in during.sanctions] == ["suspend_payment_qualification"]
    assert any("淮医保发〔2020〕104号 三（五）" in x and "不享受守信激励" in x for x in during.explanations)
    assert during.grade not in EXEMPLARY


def test_huaian_3_5_incentives_return_the_day_after_the_sanction_ends():
    honoured = rec("h", "outstanding_practitioner", date(2025, 5, 20))
    suspended = [honoured, rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要")]
    choice = [MeasureChoice("a", 2, "初次违规")]
    last_day = evaluate(DOCTOR, suspended, date(2025, 8, 2), profile("panan"), choice)
    after = evaluate(DOCTOR, suspended, date(2025, 8, 3), profile("panan"), choice)
    assert last_day.sanctions and not _incentives(last_day)
    assert not after.sanctions and _incentives(after)


def test_huaian_3_5_black_list_withholds_the_clean_years_incentive_of_an_insured_person():
    fraud = [rec("f", "insured_criminal_fraud", date(2022, 3, 1))]
    ev = evaluate(INSURED, fraud, date(2025, 7, 1), profile("shandong"))
    assert [li.list for li in ev.lists] == ["black"] and not _incentives(ev)


def test_a_criminal_fraud_finding_cannot_leave_an_exemplary_grade_in_the_sample_tree():
    ev = evaluate(DOCTOR, [rec("c", "criminal_fraud", date(2025, 6, 2))], date(2025, 7, 1), profile("shandong"))
    assert ev.grade not in EXEMPLARY and ev.score < 800
    assert not _incentives(ev) and ev.sanctions


@pytest.mark.parametrize("kind, responsibility, count", [
    ("pq_agreement_minor", "主要", 4), ("pq_agreement_serious", "主要", 2), ("pq_fraud", "主要", 1),
    ("pq_admin_penalty", "一般", 2)])
def test_a_termination_cannot_leave_an_exemplary_grade_in_the_sample_tree(kind, responsibility, count):
    recs = [rec(f"r{i}", kind, date(2025, 5, 2 + i), responsibility=responsibility, decision_id=f"d{i}")
            for i in range(count)]
    ev = evaluate(DOCTOR, recs, date(2025, 7, 1), profile("panan"))
    assert "terminate_payment_qualification" in {m.kind for m in ev.measures}
    assert ev.grade not in EXEMPLARY and not _incentives(ev)


def test_valid_until_is_the_next_day_the_result_can_change_by_the_calendar_alone():
    clean = evaluate(DOCTOR, [], date(2025, 7, 1), profile("panan"))
    assert clean.valid_until == date(2026, 1, 1)  # points reset and yearly grades (济 四（六）)
    one = evaluate(DOCTOR, [rec("k", "kickback", date(2025, 3, 15))], date(2025, 7, 1), profile("panan"))
    assert one.valid_until == date(2026, 1, 1)
    old = evaluate(DOCTOR, [rec("k", "kickback", date(2024, 9, 15))], date(2025, 7, 1), profile("panan"))
    assert old.valid_until == date(2025, 9, 15)  # the record leaves the 12-month window that day
    moved = evaluate(DOCTOR, [rec("k", "kickback", date(2024, 9, 15))], date(2025, 9, 14), profile("panan"))
    assert moved.score < evaluate(DOCTOR, [rec("k", "kickback", date(2024, 9, 15))], date(2025, 9, 15),
                                  profile("panan")).score


def _stable(ev) -> dict:
    out = ev.to_json()
    return {k: v for k, v in out.items() if k not in ("as_of", "valid_until")}


def test_an_evaluation_does_not_change_between_as_of_and_valid_until():
    recs = [rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要"),
            rec("k", "kickback", date(2024, 11, 30)), rec("h", "outstanding_practitioner", date(2025, 5, 20))]
    choice = [MeasureChoice("a", 2, "初次违规")]
    day, steps = date(2025, 5, 1), 0
    while day < date(2026, 3, 1):
        ev = evaluate(DOCTOR, recs, day, profile("panan"), choice)
        probe = day + timedelta(days=1)
        while probe < ev.valid_until:
            assert _stable(evaluate(DOCTOR, recs, probe, profile("panan"), choice)) == _stable(ev), probe
            probe += timedelta(days=1)
        assert _stable(evaluate(DOCTOR, recs, ev.valid_until, profile("panan"), choice)) != _stable(ev) or steps
        day, steps = ev.valid_until, steps + 1
    assert steps >= 4
