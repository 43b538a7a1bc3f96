"""Institutions in the standing: their tree, their staff (淮医保发〔2020〕104号 三（四）), versioned trees, objections
against one line (磐医保〔2021〕43号 第十六条), the yearly rating (第十四、二十一条) and graded supervision
(第十八条; 鲁政办 2019 意见 二（一）)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.db.tables import EvaluationSnapshot, Subject, SubjectStanding
from models.services import (indicators, inspection_outcomes, inspections, objections, ratings, records, standing,
                             subjects, users)
from models.services.base import ServiceError, UnitOfWork
from models.validation import ValidationError
from points_path import confirmed_points
from test_credit_file import inst_code, person_id

TODAY = date.today()


def _user(db, admin, name, roles):
    users.add_user(db, actor=admin, username=name, display_name=name, password="abc12345", roles=roles)
    return users.authenticate(db, username=name, password="abc12345")


@pytest.fixture
def signer(db, admin):
    return _user(db, admin, "signer", "签发人")


@pytest.fixture
def hospital(db, clerk):
    """甲医院 with four registered doctors, 乙药房 with one pharmacist."""
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "甲医院", "credit_code": inst_code(1),
                                                "institution_kind": "hospital"})
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "乙药房", "credit_code": inst_code(2),
                                                "institution_kind": "pharmacy"})
    for n in range(1, 5):
        subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": f"医师{n}", "id_number": person_id(n),
                                                    "institutions": [inst_code(1)], "registered_on": "2020-01-01"})
    subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": "药师甲", "id_number": person_id(9),
                                                "institutions": [inst_code(2)], "registered_on": "2020-01-01"})
    return inst_code(1)


def explain(db, admin, key, day=None):
    return standing.explain(db, actor=admin, subject=key, as_of=day)


def line(result, code):
    return next(x for x in result["indicators"]["lines"] if x["code"] == code)


def test_every_institution_has_a_grade_from_its_own_tree_with_the_version_cited(db, admin, hospital):
    result = explain(db, admin, hospital)
    assert result["grade"] and result["indicators"]["id"] == "sample-medical" and result["indicators"]["version"] == "1"
    assert any("第1版" in x for x in result["explanations"])
    assert explain(db, admin, inst_code(2))["indicators"]["id"] == "sample-pharmacy"


def test_a_doctors_points_change_his_institutions_standing_in_the_same_unit_of_work_huaian_3_4(
        db, admin, clerk, hospital):
    assert line(explain(db, admin, hospital), "B1a")["score"] == "100"
    confirmed_points(db, clerk, person_id(1), "pq_agreement_minor", TODAY.isoformat(), "主要", "宁医保协〔2026〕1号")
    with db.session() as s:  # nothing left for a later run: the write brought the institution up to date
        inst = s.scalar(select(Subject.id).where(Subject.credit_code == hospital))
        assert not s.get(SubjectStanding, inst).dirty
    result = explain(db, admin, hospital)
    assert line(result, "B1a")["score"] == "75.00"  # one of four registered doctors has points
    assert any("本年度有记分1人" in x for x in result["explanations"])
    assert line(explain(db, admin, inst_code(2)), "B1a")["score"] == "60"  # the pharmacy's staff is untouched


def test_a_county_run_computes_institutions_after_their_staff(db, admin, clerk, hospital):
    confirmed_points(db, clerk, person_id(2), "pq_agreement_minor", TODAY.isoformat(), "主要", "宁医保协〔2026〕2号")
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    standing.evaluate_all(db, actor=admin)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SubjectStanding).where(SubjectStanding.dirty.is_(True))) == 0
    assert line(explain(db, admin, hospital), "B1a")["score"] == "75.00"


def _tree_v2(db, admin, start: date | None):
    raw = indicators.export(db, profile=_profile(db), kind="medical")
    raw.update(version="2", sample=False, title="甲县定点医疗机构信用评价指标")
    raw.pop("effective_from", None)
    if start:
        raw["effective_from"] = start.isoformat()
    raw["indicators"][1]["children"][0]["children"][0]["staff"] = {"with_points_share": -10}
    return indicators.load(db, actor=admin, text=json.dumps(raw, ensure_ascii=False), reason="本局制定")


def _profile(db):
    from models.services import county, evaluation

    return evaluation.profile(county.get_county(db).profile)


def test_a_new_tree_version_applies_from_its_date_and_never_rewrites_past_results(db, admin, clerk, hospital):
    confirmed_points(db, clerk, person_id(1), "pq_agreement_minor", (TODAY - timedelta(days=3)).isoformat(), "主要",
                     "宁医保协〔2026〕3号")
    yesterday = TODAY - timedelta(days=1)
    with db.session() as s:
        stored = s.scalar(select(func.count()).select_from(EvaluationSnapshot))
        past = [(e.id, e.score, e.result_hash) for e in s.scalars(select(EvaluationSnapshot))]
    _tree_v2(db, admin, None)  # no date given: in force from today
    now = explain(db, admin, hospital)
    assert now["indicators"]["version"] == "2" and line(now, "B1a")["score"] == "97.50"
    before = explain(db, admin, hospital, yesterday)
    assert before["indicators"]["version"] == "1" and line(before, "B1a")["score"] == "75.00"
    with db.session() as s:  # the stored history is as it was; the new result is a new row
        assert [(e.id, e.score, e.result_hash) for e in s.scalars(select(EvaluationSnapshot))][:stored] == past


def test_a_tree_version_dated_in_the_past_or_loaded_twice_is_refused(db, admin, hospital):
    with pytest.raises(ValidationError, match="施行日期"):
        _tree_v2(db, admin, TODAY - timedelta(days=1))
    _tree_v2(db, admin, TODAY + timedelta(days=10))
    with pytest.raises(ValidationError, match="第2版已载入"):
        _tree_v2(db, admin, TODAY + timedelta(days=20))


def _objection(db, clerk, code):
    return objections.file(db, actor=clerk, subject=inst_code(1), record=None, delivered_on=TODAY, received_on=TODAY,
                           reason="该项扣分依据有误", indicator=code).value


def test_an_objection_against_one_line_changes_only_that_line_panan_16(db, admin, clerk, reviewer, hospital):
    confirmed_points(db, clerk, person_id(1), "pq_agreement_minor", TODAY.isoformat(), "主要", "宁医保协〔2026〕4号")
    before = explain(db, admin, hospital)
    o = _objection(db, clerk, "B1a")
    objections.decide(db, actor=reviewer, objection=o.uuid, outcome="变更", answer="经复核，该项扣分有误，予以恢复",
                      line_points="+25")
    after = explain(db, admin, hospital)
    assert line(after, "B1a")["score"] == "100.00" and line(after, "B1a")["adjustment"] == "25.00"
    others = lambda r: [(x["code"], x["score"]) for x in r["indicators"]["lines"] if x["code"] != "B1a"]  # noqa: E731
    assert others(after) == others(before)
    assert any("经异议复核变更+25.00分" in x for x in after["explanations"])


def test_a_line_the_tree_closes_to_objections_is_refused_and_a_change_beyond_the_weight_too(
        db, admin, clerk, reviewer, hospital):
    with pytest.raises(ValidationError, match="不受理异议"):
        _objection(db, clerk, "A3a")
    o = _objection(db, clerk, "B1a")
    with pytest.raises(ValidationError, match="0至100分之间"):
        objections.decide(db, actor=reviewer, objection=o.uuid, outcome="变更", answer="复核", line_points="+1")


def test_a_yearly_rating_needs_a_reviewer_and_a_signer_other_than_the_clerk_panan_14(
        db, admin, clerk, reviewer, signer, hospital):
    drafted = ratings.draft(db, actor=clerk, year=TODAY.year, as_of=TODAY).value
    assert drafted.state == "草稿" and drafted.subjects == 2
    with pytest.raises(ServiceError, match="无权"):
        ratings.review(db, actor=clerk, rating=drafted.uuid)
    both = _user(db, admin, "both", "录入员,审核员")
    own = ratings.draft(db, actor=both, year=TODAY.year, as_of=TODAY).value
    with pytest.raises(ServiceError, match="须由另一人复核"):
        ratings.review(db, actor=both, rating=own.uuid)
    with pytest.raises(ServiceError, match="须签发后"):
        ratings.publish(db, actor=signer, rating=drafted.uuid)
    ratings.review(db, actor=reviewer, rating=drafted.uuid)
    ratings.sign_off(db, actor=signer, rating=drafted.uuid)
    done = ratings.publish(db, actor=signer, rating=drafted.uuid).value
    assert done.state == "已发布" and done.valid_from == TODAY and done.valid_to == TODAY.replace(year=TODAY.year + 1) - timedelta(days=1)
    info, lines = ratings.show(db, rating=drafted.uuid)
    assert {x[0] for x in lines} == {"甲医院", "乙药房"} and all(x[6].endswith("第1版") for x in lines)


def test_a_rating_cannot_be_drafted_for_a_day_not_yet_come(db, clerk, hospital):
    with pytest.raises(ValidationError, match="尚未到来"):
        ratings.draft(db, actor=clerk, year=TODAY.year + 1)


def _published(db, clerk, reviewer, signer, year, as_of):
    r = ratings.draft(db, actor=clerk, year=year, as_of=as_of).value
    ratings.review(db, actor=reviewer, rating=r.uuid)
    ratings.sign_off(db, actor=signer, rating=r.uuid)
    return ratings.publish(db, actor=signer, rating=r.uuid).value


def test_the_red_list_counts_the_published_yearly_ratings_panan_21(db, admin, clerk, reviewer, signer, hospital):
    """Three published years of 优秀 put the institution on the red list; a rating of 中等 for one of those years
    keeps it off, whatever its file gives for that year-end today."""
    for year in range(TODAY.year - 3, TODAY.year):
        _published(db, clerk, reviewer, signer, year, date(year, 12, 31))
    assert any(li["list"] == "red" for li in explain(db, admin, hospital)["lists"])
    with db.session() as s:
        from models.db.tables_institutions import AnnualRating, AnnualRatingLine

        inst = s.scalar(select(Subject.id).where(Subject.credit_code == hospital))
        s.execute(AnnualRatingLine.__table__.update().where(AnnualRatingLine.subject_id == inst).where(
            AnnualRatingLine.rating_id == s.scalar(select(AnnualRating.id).where(AnnualRating.year == TODAY.year - 2)))
            .values(grade="中等"))
        s.commit()
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    assert not any(li["list"] == "red" for li in explain(db, admin, hospital)["lists"])


@pytest.fixture
def roster(db, admin):
    for name, number in (("张建国", "37092120190001"), ("李明", "37092120190002")):
        inspections.add_inspector(db, actor=admin, name=name, certificate_no=number, unit="基金监管科")


def test_a_draw_of_institutions_takes_the_published_rating_and_the_risk_level_panan_18(
        db, admin, clerk, reviewer, signer, hospital, roster):
    preview = inspections.preview(db, subject_type="institution", base_ratio="0.5")
    assert preview.population == 2 and preview.by_risk == {"低风险": 2} and preview.fixed == 0
    _published(db, clerk, reviewer, signer, TODAY.year, TODAY)

    for n in range(3):  # three handlings within the window: 高风险 in the sample rules
        records.add_record(db, actor=clerk, data={"subject": hospital, "kind": "inst_agreement_handling",
                                                  "decision_date": TODAY.isoformat(), "case_no": f"宁医保协〔2026〕9{n}号"})
    preview = inspections.preview(db, subject_type="institution", base_ratio="0.5")
    assert preview.fixed == 2 and preview.by_risk == {"高风险": 1, "低风险": 1}
    assert "示例规则" in preview.risk_note
    drawn = inspections.draw(db, actor=reviewer, subject_type="institution", base_ratio="0.5", seed="1").value
    assert any("年度信用评价结果" in b for b in drawn.basis) and any("风险等级" in b for b in drawn.basis)
    assert inspections.verify(db, draw=drawn.number).same


def test_a_violation_found_in_an_inspection_becomes_a_record_and_the_standing_follows(
        db, admin, clerk, reviewer, hospital, roster):
    from models.services import risk

    rules = risk.export_rules(db)  # the bureau's own rules: every institution of this county is drawn
    rules.update(id="甲县", sample=False, otherwise={"level": "低风险", "factor": "10"})
    risk.set_rules(db, actor=admin, text=json.dumps(rules, ensure_ascii=False), reason="专项检查全覆盖")
    drawn = inspections.draw(db, actor=reviewer, subject_type="institution", base_ratio="1", seed="1").value
    assert drawn.selected == 2
    items = inspection_outcomes.outcomes(db, draw=drawn.number)
    first = next(i for i in items if i.subject_name == "甲医院")
    score = explain(db, admin, hospital)["score"]
    done = inspection_outcomes.record_outcome(db, actor=clerk, draw=drawn.number, position=first.position,
                                              outcome="违规", inspected_on=TODAY, note="串换药品", amount="5000.00").value
    assert done.record is not None
    result = explain(db, admin, hospital)
    assert float(result["score"]) < float(score) and line(result, "A1a")["score"] == "50"
    other = next(i for i in items if i.subject_name == "乙药房")
    assert inspection_outcomes.record_outcome(db, actor=clerk, draw=drawn.number, position=other.position,
                                              outcome="合格", inspected_on=TODAY).value.record is None
    with pytest.raises(ServiceError, match="不能重复登记"):
        inspection_outcomes.record_outcome(db, actor=clerk, draw=drawn.number, position=other.position,
                                           outcome="合格", inspected_on=TODAY)


def test_an_open_credit_warning_raises_the_risk_level_of_an_institution_without_bad_records_shandong_2019_2_1(
        db, admin, reviewer, hospital, roster):
    """Risk follows “定点医药机构的风险等级和信用水平” (鲁政办 2019 二（一）): in the sample rules one credit warning open
    on the day makes 中风险 even with no bad record of its own; none, or one cleared, leaves 低风险."""
    from models.db.tables_warnings import CreditWarning
    from models.services import evaluation, risk

    def level() -> tuple[str, str]:
        with UnitOfWork(db) as uow:
            sid = uow.session.scalar(select(Subject.id).where(Subject.credit_code == hospital))
            said = risk.risks(uow, evaluation.profile_for(uow), [sid], TODAY)[sid]
        return said.level, said.text

    assert level()[0] == "低风险"
    with UnitOfWork(db) as uow:  # as the warning checks store one (their rules are tested in test_warnings.py)
        sid = uow.session.scalar(select(Subject.id).where(Subject.credit_code == hospital))
        warning = CreditWarning(subject_id=sid, rule="institution_grade_fell", level="警示", cause="2026:中等",
                                text="信用等级由良好降为中等", basis="淮医保发〔2020〕104号 三（三）", source="evaluations",
                                raised_on=TODAY - timedelta(days=1))
        uow.session.add(warning)
        uow.commit()
    name, text = level()
    assert name == "中风险" and "失信记录0条" in text and "未消除的信用预警1条" in text
    assert inspections.preview(db, subject_type="institution", base_ratio="0.5").by_risk == {"中风险": 1, "低风险": 1}
    drawn = inspections.draw(db, actor=reviewer, subject_type="institution", base_ratio="0.5", seed="3").value
    assert inspections.verify(db, draw=drawn.number).same
    with UnitOfWork(db) as uow:
        uow.session.get(CreditWarning, warning.id).cleared_on = TODAY
        uow.commit()
    assert level()[0] == "低风险"
