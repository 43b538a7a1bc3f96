"""“双随机、一公开” (鲁政办 2019 意见 二（一）): subjects drawn with the probability their grade sets
(磐医保〔2021〕43号 第十八条), inspectors drawn from the roster, the draw stored and reproducible."""
from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from models.services import inspections as ins
from models.services.base import PermissionDenied
from models.validation import ValidationError
from test_statistics import county  # noqa: F401  (fixture: five graded practitioners)

TODAY = date(2026, 7, 1)
ROSTER = (("张建国", "37092120190001"), ("李明", "37092120190002"), ("王芳", "37092120190003"))


@pytest.fixture
def signer(db, admin):
    from models.services import users

    users.add_user(db, actor=admin, username="signer", display_name="签发人甲", password="abc12345", roles="签发人")
    return users.authenticate(db, username="signer", password="abc12345")


@pytest.fixture
def roster(db, admin):
    for name, number in ROSTER:
        ins.add_inspector(db, actor=admin, name=name, certificate_no=number, unit="基金监管科")
    return [number for _name, number in ROSTER]


def selection(db, actor, draw):
    return [(row[-1], row[-2]) for row in ins.draw_items(db, actor=actor, draw=draw.number)]


def test_the_same_seed_and_parameters_give_the_same_subjects_and_inspectors(db, county, roster, reviewer):
    first = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="0.5", seed="20260701", today=TODAY).value
    again = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="0.5", seed="20260701", today=TODAY).value
    other = [ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="0.5", seed=str(s), today=TODAY).value
             for s in range(1, 6)]
    assert first.number != again.number  # a second draw is a second record, not an overwrite
    assert selection(db, reviewer, first) == selection(db, reviewer, again)
    assert any(selection(db, reviewer, d) != selection(db, reviewer, first) for d in other)


def test_a_stored_draw_is_re_derived_from_its_seed_candidates_and_pool(db, county, roster, reviewer, admin):
    done = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="1", today=TODAY).value
    assert done.seed.isdigit()  # generated and recorded
    ins.set_inspector_active(db, actor=admin, certificate_no=roster[0], active=False, reason="调离")
    # Grades and roster changed since: the stored candidates and pool still re-derive the same result.
    check = ins.verify(db, draw=done.number)
    assert check.same and check.selected == done.selected and done.seed in check.message


def test_grade_ratios_of_article_18_set_each_probability(db, county, roster):
    """优秀 30 %, 良好 50 %, 中等 100 %, 较差 120 % of the base ratio; 差 全覆盖."""
    seen = ins.preview(db, subject_type="practitioner", base_ratio="10%", as_of=TODAY)
    assert seen.population == 5
    assert seen.by_grade == {"优秀": (2, "3%"), "良好": (1, "5%"), "中等": (1, "10%"), "差": (1, "100%")}
    assert seen.expected == Decimal("1.2")  # 2×0.03 + 0.05 + 0.10 + 1


def test_a_subject_graded_poor_is_always_inspected(db, county, roster, reviewer):
    """磐医保〔2021〕43号 第十八条（五）: 差 → 全覆盖检查, however small the base ratio."""
    for seed in range(5):
        done = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="0.0001", seed=seed, today=TODAY).value
        assert ins.selected_by_grade(db, draw=done.number)["差"] == (1, 1)
        assert "参照磐医保〔2021〕43号 第十八条" in done.basis


def test_every_inspection_team_has_two_officers_from_the_roster(db, county, roster, reviewer):
    """《行政处罚法》第四十二条: 执法人员不得少于两人."""
    done = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="1", seed=3, today=TODAY).value
    items = ins.draw_items(db, actor=reviewer, draw=done.number)
    assert len(items) == done.selected >= 1
    for row in items:
        team = row[6].split("、")
        assert len(team) == 2 and len(set(team)) == 2 and set(team) <= set(roster)
    with pytest.raises(ValidationError) as refused:
        ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="1", per_subject=1)
    assert refused.value.field == "每组检查人员"


def test_too_few_officers_on_the_roster_is_refused_naming_the_field(db, county, admin, reviewer):
    ins.add_inspector(db, actor=admin, name="张建国", certificate_no="37092120190001")
    with pytest.raises(ValidationError) as refused:
        ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="0.1")
    assert refused.value.field == "执法检查人员" and "只有1人" in str(refused.value)
    assert ins.list_draws(db) == []


def test_a_clerk_may_not_draw_and_a_draw_is_on_the_audit_trail_with_its_seed(db, county, roster, clerk, signer):
    with pytest.raises(PermissionDenied, match="审核员、签发人"):
        ins.draw(db, actor=clerk, subject_type="practitioner", base_ratio="0.1")
    done = ins.draw(db, actor=signer, subject_type="practitioner", base_ratio="0.1", seed="99", today=TODAY).value
    with sqlite3.connect(db.sqlite_file) as con:
        ((actor, after),) = con.execute("SELECT actor, after FROM audit_log WHERE action = 'inspection.draw'").fetchall()
    after = json.loads(after)
    assert actor == "signer" and after["seed"] == "99" and after["population"] == 5
    assert after["candidates_sha256"] == done.candidates_sha256


def test_a_draw_can_be_neither_changed_nor_deleted(db, county, roster, reviewer):
    done = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="1", seed=1, today=TODAY).value
    with sqlite3.connect(db.sqlite_file) as con:
        for sql in ("UPDATE inspection_draws SET seed = '2'", "DELETE FROM inspection_draws",
                    "UPDATE inspection_draw_items SET inspectors = '[]'", "DELETE FROM inspection_draw_items",
                    "UPDATE inspectors SET certificate_no = 'x'", "DELETE FROM inspectors"):
            with pytest.raises(sqlite3.DatabaseError, match="抽查记录不可"):
                con.execute(sql)
        con.execute("UPDATE inspection_draws SET sync_pending = 0")  # the city's receipt may still be noted
    assert ins.verify(db, draw=done.number).same


def test_scope_by_institution_and_township(db, county, roster, reviewer):
    from test_credit_file import inst_code

    at_first = ins.preview(db, subject_type="practitioner", base_ratio="0.1", institutions=[inst_code(1)])
    assert at_first.population == 3
    town = ins.preview(db, subject_type="practitioner", base_ratio="0.1", township="柳桥镇")
    assert town.population == 3
    insured = ins.preview(db, subject_type="参保人", base_ratio="0.1", township="城关街道")
    assert insured.population == 2 and insured.by_grade == {"无等级": (2, "10%")}
    with pytest.raises(ValidationError, match="定点医药机构"):
        ins.preview(db, subject_type="insured", base_ratio="0.1", institutions=[inst_code(1)])
    done = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="1", institutions=[inst_code(2)],
                    today=TODAY).value
    assert done.population == 3 and done.filters == {"institutions": [inst_code(2)], "township": None}


@pytest.mark.parametrize("ratio,problem", [("abc", "不是有效比例"), ("0", "应大于0"), ("150%", "不超过1")])
def test_a_bad_base_ratio_is_refused_with_the_field_named(db, county, roster, reviewer, ratio, problem):
    with pytest.raises(ValidationError) as refused:
        ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio=ratio)
    assert refused.value.field == "基础抽查比例" and problem in refused.value.problem


def test_an_officer_taken_off_the_roster_is_no_longer_sent(db, county, roster, admin, reviewer):
    ins.add_inspector(db, actor=admin, name="赵六", certificate_no="37092120190004")
    ins.set_inspector_active(db, actor=admin, certificate_no="37092120190004", active=False, reason="退休")
    for seed in range(3):
        done = ins.draw(db, actor=reviewer, subject_type="practitioner", base_ratio="1", seed=seed, today=TODAY).value
        assert all("37092120190004" not in row[6] for row in ins.draw_items(db, actor=reviewer, draw=done.number))
    assert [i.active for i in ins.list_inspectors(db) if i.certificate_no == "37092120190004"] == [False]
    with pytest.raises(ValidationError, match="已在名录中"):
        ins.add_inspector(db, actor=admin, name="赵六", certificate_no="37092120190004")
