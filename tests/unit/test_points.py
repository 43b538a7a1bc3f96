"""医保支付资格记分 (医保发〔2024〕23号；济医保发〔2025〕6号 四（五）–（八))."""
from datetime import date

import pytest

from models.policy import MeasureChoice, PolicyError, evaluate
from policy_fixtures import DOCTOR, profile, rec


def run(records, as_of, choices=(), name="shandong"):
    return evaluate(DOCTOR, records, as_of, profile(name), choices=choices)


def kinds_of(ev):
    return [m.kind for m in ev.measures if m.kind.endswith(("qualification", "ban"))]


@pytest.mark.parametrize("kind, responsibility, points", [
    ("pq_agreement_minor", "一般", 1), ("pq_agreement_minor", "重要", 2), ("pq_agreement_minor", "主要", 3),
    ("pq_agreement_serious", "一般", 4), ("pq_agreement_serious", "主要", 6),
    ("pq_admin_penalty", "重要", 8), ("pq_fraud", "一般", 10), ("pq_fraud", "主要", 12),
])
def test_responsibility_picks_low_middle_high_within_the_band_四五(kind, responsibility, points):
    ev = run([rec("a", kind, date(2025, 6, 2), responsibility=responsibility)], date(2025, 6, 30))
    assert [e.points for e in ev.points.entries] == [points]
    assert ev.points.total == points


def test_8_points_in_a_year_bring_no_measure():
    ev = run([rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="重要")], date(2025, 7, 1))
    assert ev.points.total == 8
    assert kinds_of(ev) == []


def test_9_points_in_a_year_require_suspension_of_1_to_6_months_pending_the_handlers_choice():
    ev = run([rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要")], date(2025, 7, 1))
    assert ev.points.total == 9
    (m,) = [m for m in ev.measures if m.kind == "suspend_payment_qualification"]
    assert m.status == "pending_choice" and m.end is None
    assert m.allowed_range.integers() == (1, 2, 3, 4, 5, 6)


def test_11_points_is_still_suspension_not_termination():
    records = [rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要"),
               rec("b", "pq_agreement_minor", date(2025, 6, 9), responsibility="重要")]
    ev = run(records, date(2025, 7, 1))
    assert ev.points.total == 11
    assert kinds_of(ev) == ["suspend_payment_qualification"]


def test_chosen_suspension_runs_calendar_months_from_the_decision():
    ev = run([rec("a", "pq_admin_penalty", date(2025, 8, 31), responsibility="主要")], date(2025, 9, 1),
             choices=[MeasureChoice("a", 6, "情节较重")])
    (m,) = [m for m in ev.measures if m.kind == "suspend_payment_qualification"]
    assert (m.start, m.end, m.status) == (date(2025, 8, 31), date(2026, 2, 28), "in_effect")


def test_a_choice_outside_1_to_6_months_is_refused():
    with pytest.raises(PolicyError, match="超出允许范围"):
        run([rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要")], date(2025, 7, 1),
            choices=[MeasureChoice("a", 7, "过长")])


def test_a_choice_needs_a_reason():
    with pytest.raises(PolicyError, match="理由"):
        MeasureChoice("a", 3, " ")


def test_reaching_12_by_accumulation_terminates_with_a_1_year_ban():
    records = [rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要", decision_id="D1"),
               rec("b", "pq_agreement_minor", date(2025, 9, 1), responsibility="主要", decision_id="D2")]
    ev = run(records, date(2025, 10, 1))
    assert ev.points.total == 12
    assert kinds_of(ev) == ["suspend_payment_qualification", "terminate_payment_qualification", "registration_ban"]
    ban = next(m for m in ev.measures if m.kind == "registration_ban")
    assert (ban.start, ban.end) == (date(2025, 9, 1), date(2026, 9, 1))


def test_12_points_from_one_single_decision_give_a_3_year_ban():
    ev = run([rec("a", "pq_fraud", date(2025, 6, 2), responsibility="主要", decision_id="D1")], date(2025, 7, 1))
    assert kinds_of(ev) == ["terminate_payment_qualification", "registration_ban"]
    ban = next(m for m in ev.measures if m.kind == "registration_ban")
    assert (ban.end, ban.name) == (date(2028, 6, 2), "3年内不得再次登记备案")


def test_two_records_of_one_decision_reaching_12_count_as_one_decision():
    records = [rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要", decision_id="D1"),
               rec("b", "pq_agreement_minor", date(2025, 6, 2), responsibility="主要", decision_id="D1")]
    ban = next(m for m in run(records, date(2025, 7, 1)).measures if m.kind == "registration_ban")
    assert ban.end == date(2028, 6, 2)


def test_1_january_resets_points_but_the_suspension_keeps_running():
    records = [rec("a", "pq_admin_penalty", date(2025, 11, 10), responsibility="主要")]
    choice = [MeasureChoice("a", 6, "情节较重")]
    ev = run(records, date(2026, 1, 1), choice)
    assert (ev.points.year, ev.points.total, ev.points.entries) == (2026, 0, ())
    (m,) = [m for m in ev.measures if m.kind == "suspend_payment_qualification"]
    assert (m.end, m.status) == (date(2026, 5, 10), "in_effect")
    assert any("1月1日起清零" in x for x in ev.explanations)


def test_points_of_two_years_do_not_add_up():
    records = [rec("a", "pq_admin_penalty", date(2025, 12, 31), responsibility="重要"),
               rec("b", "pq_agreement_minor", date(2026, 1, 2), responsibility="一般")]
    ev = run(records, date(2026, 2, 1))
    assert ev.points.total == 1
    assert kinds_of(ev) == []


def test_no_responsibility_determination_means_no_points_yet():
    ev = run([rec("a", "pq_fraud", date(2025, 6, 2))], date(2025, 7, 1))
    assert [e.points for e in ev.points.entries] == [None]
    assert ev.points.total == 0 and kinds_of(ev) == []


def test_points_reduction_by_repair_四七_lowers_the_points():
    ev = run([rec("a", "pq_admin_penalty", date(2025, 6, 2), responsibility="主要", points_reduction=2)],
             date(2025, 7, 1))
    assert ev.points.total == 7 and kinds_of(ev) == []


def test_points_decision_before_the_rule_took_effect_has_no_rule_in_force():
    ev = run([rec("a", "pq_fraud", date(2025, 4, 15), responsibility="主要")], date(2025, 7, 1))
    assert ev.rule_status.status == "no_rule_in_force"
    assert ev.points.entries == ()
    assert [u.packs for u in ev.rule_status.uncovered] == [("payment-qualification-2024-23",)]
