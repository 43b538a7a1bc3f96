"""磐医保〔2021〕43号 第十三、十五、十八、二十一条 (1000-point evaluation, grades, ratios, red list)."""
from datetime import date
from decimal import Decimal

import pytest

from models.policy import PolicyError, YearGrade, evaluate
from models.policy.indicator_trees import indicators_from_dict
from models.policy.score import grade_of
from policy_fixtures import DOCTOR, INSURED, profile, rec

GRADES = profile("panan").entry("panan-2021-43").pack.rule("grades")


@pytest.mark.parametrize("score, grade", [
    ("1000", "优秀"), ("850", "优秀"), ("849.99", "良好"), ("800", "良好"), ("799.99", "中等"),
    ("750", "中等"), ("749.99", "较差"), ("700", "较差"), ("699.99", "差"), ("0", "差"),
])
def test_15_grade_edges(score, grade):
    assert grade_of(GRADES, Decimal(score)) == grade


def test_13_indicator_set_is_marked_as_a_sample():
    ind = profile("panan").indicators
    assert ind.sample is True
    assert ind.note == "示例指标体系：磐医保〔2021〕43号第十三条规定评价指标另行制定，本局应按实际制定并替换"


def test_clean_practitioner_scores_900_in_the_sample_and_is_excellent():
    ev = evaluate(DOCTOR, [], date(2025, 7, 1), profile("panan"))
    assert (ev.score, ev.grade) == (Decimal(900), "优秀")
    assert ev.inspection_ratio.ratio == Decimal("0.30") and ev.inspection_ratio.relation == "不高于"


@pytest.mark.parametrize("records, score, grade, ratio", [
    ([("pq_admin_penalty", "一般")], 800, "良好", "0.50"),
    ([("pq_agreement_serious", "一般"), ("pq_agreement_minor", "一般")], 810, "良好", "0.50"),
    ([("pq_admin_penalty", "一般"), ("pq_agreement_serious", "一般")], 740, "较差", "1.20"),
    ([("pq_agreement_serious", "一般"), ("bad_other", None), ("pq_agreement_minor", "一般")], 770, "中等", "1.00"),
])
def test_18_inspection_ratio_follows_the_grade(records, score, grade, ratio):
    recs = [rec(f"r{i}", k, date(2025, 6, 2 + i), responsibility=r) for i, (k, r) in enumerate(records)]
    ev = evaluate(DOCTOR, recs, date(2025, 7, 1), profile("panan"))
    assert (ev.score, ev.grade, ev.inspection_ratio.ratio) == (Decimal(score), grade, Decimal(ratio))
    assert not ev.inspection_ratio.full_coverage


def test_18_poor_grade_means_full_coverage():
    recs = [rec("a", "refuse_penalty", date(2025, 6, 2)), rec("b", "kickback", date(2025, 6, 3)),
            rec("c", "bad_other", date(2025, 6, 4)), rec("d", "pq_admin_penalty", date(2025, 6, 5), responsibility="一般")]
    ev = evaluate(DOCTOR, recs, date(2025, 7, 1), profile("panan"))
    assert (ev.score, ev.grade) == (Decimal(600), "差")
    assert ev.inspection_ratio.full_coverage and ev.inspection_ratio.basis == "磐医保〔2021〕43号 第十八条"


def test_good_records_raise_the_score_up_to_the_indicator_weight():
    recs = [rec(f"c{i}", "commendation", date(2025, 6, 2)) for i in range(5)]
    assert evaluate(DOCTOR, recs, date(2025, 7, 1), profile("panan")).score == Decimal(940)


def test_records_older_than_the_configured_window_and_repaired_records_do_not_count():
    old = rec("a", "kickback", date(2024, 7, 1))
    repaired = rec("b", "kickback", date(2025, 3, 1), repaired_on=date(2025, 6, 1))
    assert evaluate(DOCTOR, [old, repaired], date(2025, 7, 1), profile("panan")).score == Decimal(900)
    assert evaluate(DOCTOR, [old], date(2025, 6, 30), profile("panan")).score == Decimal(840)


def test_insured_persons_get_no_1000_point_score():
    ev = evaluate(INSURED, [], date(2025, 7, 1), profile("shandong"))
    assert ev.score is None and ev.grade is None


def test_shandong_profile_uses_the_sample_evaluation_and_cites_it_as_reference():
    ev = evaluate(DOCTOR, [], date(2025, 7, 1), profile("shandong"))
    assert ev.grade == "优秀" and ev.score_is_sample
    assert ev.inspection_ratio.basis == "参照磐医保〔2021〕43号 第十八条"


def test_21_excellent_for_3_years_puts_the_doctor_on_the_red_list():
    history = [YearGrade(2023, "优秀", date(2023, 12, 31)), YearGrade(2024, "优秀", date(2024, 12, 31))]
    ev = evaluate(DOCTOR, [], date(2025, 7, 1), profile("panan"), history=history)
    (red,) = [li for li in ev.lists if li.list == "red"]
    assert (red.list_name, red.since, red.basis) == ("医疗保障守信（红）名单", date(2025, 7, 1), "磐医保〔2021〕43号 第二十一条")


def test_21_two_excellent_years_or_a_broken_run_are_not_enough():
    two = [YearGrade(2024, "优秀")]
    assert not evaluate(DOCTOR, [], date(2025, 7, 1), profile("panan"), history=two).lists
    broken = [YearGrade(2022, "优秀"), YearGrade(2023, "良好"), YearGrade(2024, "优秀")]
    assert not evaluate(DOCTOR, [], date(2025, 7, 1), profile("panan"), history=broken).lists


def test_21_the_current_grade_must_still_be_excellent():
    history = [YearGrade(y, "优秀") for y in (2022, 2023, 2024)]
    recs = [rec("a", "refuse_penalty", date(2025, 6, 2))]
    assert not [li for li in evaluate(DOCTOR, recs, date(2025, 7, 1), profile("panan"), history=history).lists
                if li.list == "red"]


def test_13_indicator_weights_must_add_up():
    raw = {"id": "x", "indicators": [{"code": "A", "name": "甲", "weight": 1000, "children": [
        {"code": "A1", "name": "乙", "weight": 900, "children": [
            {"code": "A1a", "name": "丙", "weight": 900, "start": "full", "effects": {}}]}]}]}
    with pytest.raises(PolicyError, match="下级分值合计 900，应为 1000"):
        indicators_from_dict(raw)
