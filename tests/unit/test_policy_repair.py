"""Repair and procedure deadlines: 磐医保〔2021〕43号 第十六、二十四条; 鲁医保发〔2024〕25号 第十、十一条;
淮医保发〔2020〕104号 三（六）; 济医保发〔2025〕6号 四（八）."""
from datetime import date

import pytest

from models.policy import procedure_deadline, repair_eligibility, repair_instruments
from policy_fixtures import profile, rec

FINDING = rec("f", "kickback", date(2025, 1, 15))


@pytest.mark.parametrize("applied, eligible", [
    (date(2025, 7, 14), False),
    (date(2025, 7, 15), False),  # the corresponding day is the last day of the six months
    (date(2025, 7, 16), True),
])
def test_24_repair_refused_before_six_months_and_allowed_the_day_after(applied, eligible):
    result = repair_eligibility(profile("panan"), FINDING, applied)
    assert result.eligible is eligible
    assert result.earliest_application == date(2025, 7, 16)
    if not eligible:
        (reason,) = result.reasons
        assert "未满6个月" in reason and "磐医保〔2021〕43号 第二十四条第二款（一）" in reason


def test_24_six_months_from_31_august_end_on_the_last_day_of_february():
    result = repair_eligibility(profile("panan"), rec("f", "kickback", date(2024, 8, 31)), date(2025, 2, 28))
    assert not result.eligible and result.earliest_application == date(2025, 3, 1)


def test_24_same_kind_again_during_the_repair_period_is_refused():
    again = rec("g", "kickback", date(2025, 5, 1))
    other = rec("h", "bad_other", date(2025, 5, 1))
    refused = repair_eligibility(profile("panan"), FINDING, date(2025, 8, 1), [again])
    assert not refused.eligible and "第二十四条第二款（二）" in refused.reasons[0] and "g" in refused.reasons[0]
    assert repair_eligibility(profile("panan"), FINDING, date(2025, 8, 1), [other]).eligible


def test_24_excluded_by_law_is_refused():
    result = repair_eligibility(profile("panan"), FINDING, date(2025, 8, 1), excluded_by_law=True)
    assert not result.eligible and "第二十四条第二款（三）" in result.reasons[0]


def test_shandong_has_no_refusal_grounds_and_answers_within_15_working_days_article_11():
    result = repair_eligibility(profile("shandong"), FINDING, date(2025, 2, 1))
    assert result.eligible and result.basis == ("鲁医保发〔2024〕25号 第十一条",)
    found = procedure_deadline(profile("shandong"), "repair_decision", "practitioner", date(2025, 2, 1))
    assert found.working_days == 15


def test_huaian_repair_instruments_are_commitment_training_and_credit_report():
    assert [name for name, _ in repair_instruments(profile("panan"))] == ["作出信用承诺", "接受专题培训", "提交信用报告"]


def test_16_panan_objection_10_and_review_10_working_days():
    filing = procedure_deadline(profile("panan"), "objection_filing", "practitioner", date(2025, 9, 26))
    # 2025: 10-01..08 off, Sun 09-28 and Sat 10-11 are make-up days → 09-28, 09-29, 09-30, 10-09, 10-10,
    # 10-11, 10-13, 10-14, 10-15, 10-16.
    assert (filing.working_days, filing.deadline.date) == (10, date(2025, 10, 16))
    review = procedure_deadline(profile("panan"), "objection_review", "practitioner", date(2025, 10, 16))
    assert review.working_days == 10 and review.basis == "磐医保〔2021〕43号 第十六条"


def test_24_repair_decision_10_days_extendable_public_notice_5_refusal_objection_5():
    p = profile("panan")
    decision = procedure_deadline(p, "repair_decision", "practitioner", date(2025, 3, 3))
    assert decision.deadline.date == date(2025, 3, 17)
    # 40 working days (10 + at most 30 more): 清明 04-04 off, Sunday 04-27 a 劳动节 make-up day.
    assert decision.latest.date == date(2025, 4, 28)
    assert procedure_deadline(p, "repair_public_notice", "practitioner", date(2025, 3, 3)).working_days == 5
    assert procedure_deadline(p, "repair_refusal_objection", "practitioner", date(2025, 3, 3)).working_days == 5


def test_appeal_has_no_fixed_period_unless_the_bureau_configures_one_四八():
    p = profile("panan")
    open_ = procedure_deadline(p, "appeal", "practitioner", date(2025, 6, 3))
    assert open_.working_days is None and open_.deadline is None
    configured = procedure_deadline(p, "appeal", "practitioner", date(2025, 6, 3), configured_days=15)
    assert configured.working_days == 15 and "可配置" in configured.text


def test_no_deadline_rule_in_force_gives_none_not_a_fallback():
    assert procedure_deadline(profile("shandong"), "objection_filing", "insured", date(2026, 8, 10)) is None
    assert procedure_deadline(profile("shandong"), "objection_filing", "institution", date(2025, 8, 10)) is None
