"""鲁医保发〔2024〕25号 第八、九、十二、十五条; 磐医保〔2021〕43号 第十九、二十条."""
from datetime import date
from decimal import Decimal

import pytest

from models.policy import MeasureChoice, PolicyError, evaluate
from models.policy.measures import loss_tier
from policy_fixtures import DOCTOR, INSURED, profile, rec

LOSS_RULE = profile("shandong").entry("shandong-2024-25").pack.rule("loss_tiers")


@pytest.mark.parametrize("loss, item, months", [
    ("0.01", "2", (3, 4, 5)),
    ("99999.99", "2", (3, 4, 5)),
    ("100000.00", "3", (6, 7, 8)),
    ("199999.99", "3", (6, 7, 8)),
    ("200000.00", "4", (9, 10, 11, 12)),
    ("5000000.00", "4", (9, 10, 11, 12)),
])
def test_9_loss_tiers_on_both_sides_of_each_boundary(loss, item, months):
    found_item, allowed = loss_tier(LOSS_RULE, Decimal(loss))
    assert (found_item, allowed.integers()) == (item, months)


def suspend(amount, months=None, day=date(2025, 3, 3), as_of=date(2025, 4, 1)):
    choices = [MeasureChoice("r", months, "依情节")] if months else []
    ev = evaluate(INSURED, [rec("r", "insured_illegal_use", day, amount=amount)], as_of, profile(), choices)
    return ev, [m for m in ev.measures if m.kind == "suspend_network_settlement"]


def test_9_2_loss_of_99999_99_cannot_be_suspended_for_6_months_buman():
    with pytest.raises(PolicyError, match="不满6个月"):
        suspend("99999.99", 6)
    _, (m,) = suspend("99999.99", 5)
    assert m.basis == "鲁医保发〔2024〕25号 第九条（2）"


def test_9_3_loss_of_exactly_100000_is_the_6_to_9_month_tier():
    _, (m,) = suspend("100000.00")
    assert m.status == "pending_choice"
    assert m.allowed_range.text("个月") == "6个月以上、不满9个月"
    assert m.basis == "鲁医保发〔2024〕25号 第九条（3）"


def test_9_4_loss_of_exactly_200000_allows_12_months_yixia():
    _, (m,) = suspend("200000.00", 12)
    assert (m.start, m.end) == (date(2025, 3, 3), date(2026, 3, 3))
    with pytest.raises(PolicyError):
        suspend("199999.99", 9)


def test_suspension_months_are_calendar_months_with_month_end_clamped():
    _, (m,) = suspend("1000", 3, day=date(2025, 11, 30), as_of=date(2025, 12, 1))
    assert m.end == date(2026, 2, 28)


def test_missing_loss_amount_is_explained_not_guessed():
    ev = evaluate(INSURED, [rec("r", "insured_illegal_use", date(2025, 3, 3))], date(2025, 4, 1), profile())
    assert not [m for m in ev.measures if m.kind == "suspend_network_settlement"]
    assert any("缺少基金损失金额" in x for x in ev.explanations)


def test_15_shandong_insured_decision_after_2026_08_09_has_no_rule_in_force():
    ev, measures = suspend("150000", day=date(2026, 9, 1), as_of=date(2026, 9, 2))
    assert measures == []
    assert ev.rule_status.status == "no_rule_in_force"
    (gap,) = ev.rule_status.uncovered
    assert (gap.record, gap.packs) == ("r", ("shandong-2024-25",))
    assert ("shandong-2024-25", date(2024, 8, 10), date(2026, 8, 9)) in ev.rule_status.covered
    assert any("2024-08-10 至 2026-08-09" in x and "后续政策包" in x for x in ev.explanations)


def test_15_last_day_2026_08_09_is_still_covered():
    ev, (m,) = suspend("150000", day=date(2026, 8, 9), as_of=date(2026, 8, 10))
    assert ev.rule_status.status == "in_force"


def test_15_a_decision_before_2024_08_10_has_no_rule_in_force():
    ev, measures = suspend("150000", day=date(2024, 8, 9), as_of=date(2024, 9, 1))
    assert measures == [] and ev.rule_status.status == "no_rule_in_force"


def test_9_5_criminal_fraud_of_insured_goes_on_the_joint_punishment_list():
    ev = evaluate(INSURED, [rec("r", "insured_criminal_fraud", date(2025, 5, 6))], date(2025, 6, 1), profile())
    names = {(li.list, li.list_name, li.basis) for li in ev.lists}
    assert ("black", "失信联合惩戒对象名单", "鲁医保发〔2024〕25号 第九条（5）") in names


def test_8_4_criminal_fraud_cancels_qualification_and_blacklists():
    ev = evaluate(DOCTOR, [rec("r", "criminal_fraud", date(2025, 5, 6))], date(2025, 6, 1), profile())
    assert ("cancel_qualification", "鲁医保发〔2024〕25号 第八条（4）") in {(m.kind, m.basis) for m in ev.measures}
    assert "鲁医保发〔2024〕25号 第八条（4）" in {li.basis for li in ev.lists}


def test_blacklisting_ends_when_the_record_is_repaired():
    r = rec("r", "criminal_fraud", date(2025, 5, 6), repaired_on=date(2026, 1, 5))
    assert evaluate(DOCTOR, [r], date(2026, 1, 4), profile()).lists
    assert not evaluate(DOCTOR, [r], date(2026, 1, 5), profile()).lists


def test_8_2_agreement_handling_is_per_the_agreement_with_its_condition():
    ev = evaluate(DOCTOR, [rec("r", "pq_agreement_minor", date(2025, 5, 6), responsibility="一般")],
                  date(2025, 6, 1), profile())
    (m,) = [m for m in ev.measures if m.kind == "per_agreement"]
    assert m.status == "per_agreement" and "本统筹区协议约定医（药）师责任" in m.note


def test_9_1_two_clean_natural_years_earn_the_incentive():
    ev = evaluate(INSURED, [], date(2026, 6, 1), profile())
    assert [m.kind for m in ev.measures] == ["fault_tolerant_acceptance"]
    assert ev.measures[0].basis == "鲁医保发〔2024〕25号 第九条（1）"


def test_9_1_a_violation_within_the_two_years_loses_the_incentive():
    r = rec("r", "insured_illegal_use", date(2024, 9, 1), amount="10")
    ev = evaluate(INSURED, [r], date(2026, 6, 1), profile(), [MeasureChoice("r", 3, "初次")])
    assert "fault_tolerant_acceptance" not in [m.kind for m in ev.measures]


def test_12_corrected_within_the_period_restores_credit_when_the_measure_ends():
    r = rec("r", "insured_illegal_use", date(2025, 3, 3), amount="500", corrected_on=date(2025, 4, 1))
    choice = [MeasureChoice("r", 3, "初次")]
    assert not any("信用自动修复" in x for x in evaluate(INSURED, [r], date(2025, 6, 3), profile(), choice).explanations)
    assert any("信用自动修复" in x and "第十二条" in x
               for x in evaluate(INSURED, [r], date(2025, 6, 4), profile(), choice).explanations)


def test_panan_20_poor_grade_punishments_are_optional_and_19_incentives_apply():
    bad = [rec(f"r{i}", "pq_admin_penalty", date(2025, 6, i + 1), responsibility="一般") for i in range(3)]
    poor = evaluate(DOCTOR, bad, date(2025, 7, 1), profile("panan"))
    # Sample tree: 900 − 100 (行政处罚 indicator exhausted) − 150 (终止医保支付资格 at 14 points) = 650.
    assert (poor.score, poor.grade) == (Decimal(650), "差")
    assert {m.status for m in poor.measures if m.basis.startswith("磐医保〔2021〕43号 第二十条")} == {"optional"}
    good = evaluate(DOCTOR, [], date(2025, 7, 1), profile("panan"))
    assert "磐医保〔2021〕43号 第十九条（一）" in {m.basis for m in good.measures}
