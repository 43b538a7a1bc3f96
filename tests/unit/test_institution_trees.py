"""Institution evaluation by the policy engine: the trees for 定点医疗机构 and 定点零售药店, their versions, the staff
link of 淮医保发〔2020〕104号 三（四）, and single-line objection changes. No database."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from models import policy
from models.policy.packs import POLICY_DIR, load_packs, load_profile, profile_from_dict
from models.policy.indicator_trees import indicators_from_dict, load_indicators
from models.policy.score import StaffFacts, tree_for

DAY = date(2026, 6, 1)
HOSPITAL = policy.SubjectFacts("h-1", "institution", "甲医院", credit_code="12370921MB0000001X",
                               institution_kind="hospital")
PHARMACY = replace(HOSPITAL, uuid="p-1", name="乙药房", institution_kind="pharmacy")


def _raw(name: str) -> dict:
    return json.loads((POLICY_DIR / "indicators" / f"{name}.json").read_text(encoding="utf-8"))


def _line(ev, code):
    return next(x for x in ev.lines if x.code == code)


def _record(uuid, kind, day=DAY, amount=None, source="supervision"):
    return policy.RecordFact(uuid, kind, day, amount=amount, decision_id=uuid, source=source)


@pytest.mark.parametrize("name", ["sample-medical", "sample-pharmacy"])
def test_institution_samples_are_three_level_1000_point_trees_marked_示例_磐_第十三条(name):
    tree = load_indicators(POLICY_DIR / "indicators" / f"{name}.json")
    assert tree.sample and "示例" in tree.title and tree.scale == 1000
    assert sum(t.weight for t in tree.indicators) == 1000
    assert all(len(t.children) and all(c.children for c in t.children) for t in tree.indicators)  # 一、二、三级


def test_a_tree_whose_top_level_misses_1000_points_is_refused():
    raw = _raw("sample-medical")
    raw["indicators"][0]["weight"] -= 1
    with pytest.raises(policy.PolicyError, match="下级分值合计|一级指标分值合计"):
        indicators_from_dict(raw)


def test_the_profile_names_a_tree_per_subject_type_and_an_old_single_id_profile_still_loads():
    prof = load_profile("panan")
    assert {t.id for t in prof.trees} == {"sample", "sample-medical", "sample-pharmacy"}
    old = profile_from_dict({"id": "old", "name": "旧配置", "packs": ["panan-2021-43"]}, load_packs(),
                            load_indicators(POLICY_DIR / "indicators" / "sample.json"))
    assert tree_for(old, "practitioner", None, DAY).id == "sample"
    assert tree_for(old, "institution", "hospital", DAY) is None  # no institution tree: 无等级, as before


def test_a_hospital_and_a_pharmacy_are_scored_with_their_own_trees_and_the_explanation_cites_id_and_version():
    prof = load_profile("shandong")
    hospital = policy.evaluate(HOSPITAL, [], DAY, prof, staff=StaffFacts(10))
    pharmacy = policy.evaluate(PHARMACY, [], DAY, prof, staff=StaffFacts(1))
    assert hospital.tree[:2] == ("sample-medical", "1") and pharmacy.tree[:2] == ("sample-pharmacy", "1")
    assert any("sample-medical，第1版" in x for x in hospital.explanations)
    assert hospital.to_json()["indicators"]["version"] == "1" and hospital.grade == "优秀"
    assert hospital.score_is_sample


def test_an_institution_without_a_kind_gets_no_grade_and_is_told_why():
    ev = policy.evaluate(replace(HOSPITAL, institution_kind=None), [], DAY, load_profile("shandong"))
    assert ev.grade is None and any("未登记机构类别" in x for x in ev.explanations)


@pytest.mark.parametrize("with_points, expected", [(0, Decimal(100)), (1, Decimal(75)), (4, Decimal(0))])
def test_the_share_of_registered_staff_with_points_lowers_the_institution_huaian_3_4(with_points, expected):
    ev = policy.evaluate(HOSPITAL, [], DAY, load_profile("shandong"), staff=StaffFacts(4, with_points))
    assert _line(ev, "B1a").score == expected


def test_suspended_and_terminated_staff_count_per_person_huaian_3_4():
    ev = policy.evaluate(HOSPITAL, [], DAY, load_profile("shandong"), staff=StaffFacts(10, 0, 1, 1))
    assert _line(ev, "B1b").score == 60 and _line(ev, "B1c").score == 35
    assert any("终止医保支付资格的登记人员（每人）1人" in x for x in ev.explanations)


@pytest.mark.parametrize("loss, expected", [("10000.00", 80), ("10000.01", 60), ("0.01", 80)])
def test_fund_loss_counts_each_started_10000_yuan(loss, expected):
    """The sample deducts 20 points per 10,000 元 or part of it: exactly 10,000 is one unit, a fen more is two."""
    ev = policy.evaluate(HOSPITAL, [_record("r1", "inst_agreement_handling", amount=loss)], DAY,
                         load_profile("shandong"), staff=StaffFacts(1))
    assert _line(ev, "A2a").score == expected


def _versioned(prof, start: date):
    raw = _raw("sample-medical")
    raw.update(version="2", sample=False, effective_from=start.isoformat())
    raw["indicators"][0]["children"][0]["children"][0]["effects"]["inst_agreement_handling"] = -100
    return replace(prof, trees=prof.trees + (indicators_from_dict(raw),))


@pytest.mark.parametrize("day, version", [(date(2026, 6, 30), "1"), (date(2026, 7, 1), "2")])
def test_the_version_in_force_on_the_day_is_used_and_a_new_version_never_reaches_back(day, version):
    prof = _versioned(load_profile("shandong"), date(2026, 7, 1))
    ev = policy.evaluate(HOSPITAL, [_record("r1", "inst_agreement_handling", day=date(2026, 6, 1))], day, prof,
                         staff=StaffFacts(1))
    assert ev.tree[1] == version
    assert _line(ev, "A1a").score == (50 if version == "1" else 0)


def test_the_result_of_the_day_before_a_version_starts_expires_on_its_first_day():
    prof = _versioned(load_profile("shandong"), date(2026, 7, 1))
    ev = policy.evaluate(HOSPITAL, [], date(2026, 6, 30), prof, staff=StaffFacts(1))
    assert ev.valid_until == date(2026, 7, 1)


def test_an_objection_decision_on_one_line_changes_only_that_line_磐_第十六条():
    prof = load_profile("shandong")
    records = [_record("r1", "inst_agreement_handling", amount="30000.00")]
    before = policy.evaluate(HOSPITAL, records, DAY, prof, staff=StaffFacts(4, 1))
    after = policy.evaluate(HOSPITAL, records, DAY, prof, staff=StaffFacts(4, 1),
                            adjustments={("sample-medical", "1", "A1a"): Decimal(30)})
    assert _line(after, "A1a").score == _line(before, "A1a").score + 30
    assert [x.score for x in after.lines if x.code != "A1a"] == [x.score for x in before.lines if x.code != "A1a"]
    assert after.score == before.score + 30
    other_version = policy.evaluate(HOSPITAL, records, DAY, prof, staff=StaffFacts(4, 1),
                                    adjustments={("sample-medical", "9", "A1a"): Decimal(30)})
    assert other_version.score == before.score  # a change decided on another version does not carry over


@pytest.mark.parametrize("kind", ["hospital", "pharmacy"])
def test_a_black_listed_institution_never_keeps_a_grade_of_良好_or_better_huaian_3_5(kind):
    """The penalty left the evaluation window a month ago; the black list it caused still runs."""
    old = _record("r1", "inst_admin_penalty", day=date(2025, 5, 1))
    ev = policy.evaluate(replace(HOSPITAL, institution_kind=kind), [old, _record("r2", "inst_credit_commitment")],
                         DAY, load_profile("shandong"), staff=StaffFacts(1))
    assert ev.sanctions and any(li.list == "black" for li in ev.lists)
    assert ev.grade not in ("优秀", "良好") and _line(ev, "A1b").score == _line(ev, "A1b").weight


def test_each_leaf_says_whether_it_may_be_objected_to():
    ev = policy.evaluate(HOSPITAL, [], DAY, load_profile("shandong"), staff=StaffFacts(1))
    flags = {x["code"]: x["objectionable"] for x in ev.to_json()["indicators"]["lines"]}
    assert flags["A3a"] is False and flags["A1a"] is True


def test_no_incentive_for_an_institution_while_a_sanction_is_in_effect_huaian_3_5():
    """Even where the tree lets a black-listed institution keep 优秀, no 守信激励 is given while the list runs."""
    raw = _raw("sample-medical")
    for top in raw["indicators"]:
        for mid in top["children"]:
            for leaf in mid["children"]:
                leaf["effects"] = {k: v for k, v in leaf["effects"].items() if k != "list:black"}
                leaf["effects"].pop("inst_admin_penalty", None)
    prof = load_profile("shandong")
    prof = replace(prof, trees=tuple(t for t in prof.trees if t.id != "sample-medical") + (indicators_from_dict(raw),))
    ev = policy.evaluate(HOSPITAL, [_record("r1", "inst_admin_penalty")], DAY, prof, staff=StaffFacts(1))
    assert ev.grade == "优秀" and ev.sanctions
    assert not [m for m in ev.measures if m.incentive]
    clean = policy.evaluate(HOSPITAL, [], DAY, prof, staff=StaffFacts(1))
    assert [m for m in clean.measures if m.incentive]


PROFILES = ("shandong", "panan")


@settings(max_examples=60, deadline=None)
@given(county=st.sampled_from(PROFILES), day=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
       start=st.dates(date(2024, 1, 1), date(2027, 12, 31)), losses=st.lists(st.integers(0, 300000), max_size=4),
       staff=st.tuples(st.integers(1, 30), st.integers(0, 30)))
def test_an_institutions_grade_never_uses_another_countys_rules_or_a_future_indicator_version(
        county, day, start, losses, staff):
    prof = _versioned(load_profile(county), start)
    records = [_record(f"r{i}", "inst_agreement_handling", day=date(2024, 1, 1), amount=f"{x}.00")
               for i, x in enumerate(losses)]
    ev = policy.evaluate(HOSPITAL, records, day, prof, staff=StaffFacts(staff[0], min(staff)))
    used = next(t for t in prof.trees if (t.id, t.version) == ev.tree[:2])
    assert used.effective_from is None or used.effective_from <= day  # never a version not yet in force
    if start <= day:
        assert ev.tree[1] == "2"  # the version in force is the one used
    own = {p.cite_as for p in prof.packs}
    cited = [m.basis for m in ev.measures] + [li.basis for li in ev.lists]
    cited += [ev.inspection_ratio.basis] if ev.inspection_ratio else []
    assert all(any(c in b for c in own) for b in cited)  # every rule cited is one of this county's packs
    other = load_profile(next(p for p in PROFILES if p != county))
    foreign = {p.cite_as for p in other.packs} - own
    assert not any(f in x for f in foreign for x in ev.explanations)
