"""信用预警 (淮医保发〔2020〕104号 三（五）“加强对失信行为的记录、公示和预警”): each sample rule on both sides of its
threshold, raised once per cause with its source and date, closed when the cause goes, acknowledged with a note."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.db.tables import AuditEntry, EvaluationSnapshot, Subject, SubjectStanding
from models.db.tables_warnings import CreditWarning
from models.services import records, standing, subjects, warnings
from models.services.base import UnitOfWork
from models.validation import ValidationError
from points_path import confirmed_points
from test_credit_file import inst_code, person_id

TODAY = date.today()
LAST_YEAR = TODAY.year - 1


@pytest.fixture
def hospital(db, clerk):
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "甲医院", "credit_code": inst_code(1),
                                                "institution_kind": "hospital", "township": "城关镇"})
    return inst_code(1)


def doctor(db, clerk, n: int = 1):
    return subjects.add_subject(db, actor=clerk, data={
        "type": "practitioner", "name": f"医师{n}", "id_number": person_id(n), "institutions": [inst_code(1)],
        "registered_on": "2024-01-02"}).value


def refreshed(db, uuids: list[str], day: date = TODAY) -> None:
    """As the unit of work does after a write: the standing of these subjects, then their warnings."""
    with UnitOfWork(db) as uow:
        uow.session.info[standing.DAY] = day  # the day the unit of work settles for (its institutions too)
        ids = list(uow.session.scalars(select(Subject.id).where(Subject.uuid.in_(uuids))))
        standing.refresh(uow, ids, day=day)
        warnings.refresh(uow, ids, day)
        uow.commit()


def open_warnings(db, uuid: str, rule: str) -> list[CreditWarning]:
    with db.session() as s:
        return list(s.scalars(select(CreditWarning).join(Subject, Subject.id == CreditWarning.subject_id).where(
            Subject.uuid == uuid, CreditWarning.rule == rule, CreditWarning.cleared_on.is_(None))))


def points(db, clerk, who, kind: str, responsibility: str, n: int, day: date = TODAY):
    return confirmed_points(db, clerk, who.uuid, kind, day, responsibility, f"宁医保协〔{day.year}〕{n}号")


# -- points approaching the suspension threshold ----------------------------------------------------------

def test_points_5_of_9_raise_no_warning_and_6_raise_one_citing_the_threshold_from_the_points_rule(
        db, clerk, hospital):
    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "重要", 1)  # 5 points
    refreshed(db, [doc.uuid])
    assert open_warnings(db, doc.uuid, "points_near_suspension") == []
    points(db, clerk, doc, "pq_agreement_minor", "一般", 2)  # 6 points
    refreshed(db, [doc.uuid])
    (w,) = open_warnings(db, doc.uuid, "points_near_suspension")
    assert (w.level, w.source, w.raised_on) == ("关注", "subject_standing", TODAY)
    assert "累计记分6分" in w.text and "累计9分将暂停医保支付资格" in w.text and "还差3分" in w.text
    assert "淮医保发〔2020〕104号 三（五）" in w.basis and "济医保发〔2025〕6号" in w.basis


def test_a_warning_is_raised_again_only_when_its_cause_changes_and_closes_at_the_suspension_threshold(
        db, clerk, hospital):
    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "主要", 1)  # 6 points
    refreshed(db, [doc.uuid])
    refreshed(db, [doc.uuid])  # nothing changed: no second warning
    with db.session() as s:
        assert s.scalar(select(CreditWarning.id).where(CreditWarning.rule == "points_near_suspension")
                        .order_by(CreditWarning.id.desc())) == open_warnings(db, doc.uuid, "points_near_suspension")[0].id
    points(db, clerk, doc, "pq_agreement_minor", "重要", 2)  # 8 points: a new cause
    refreshed(db, [doc.uuid])
    (w,) = open_warnings(db, doc.uuid, "points_near_suspension")
    assert "累计记分8分" in w.text
    points(db, clerk, doc, "pq_agreement_minor", "一般", 3)  # 9 points: suspended, no longer "approaching"
    refreshed(db, [doc.uuid])
    assert open_warnings(db, doc.uuid, "points_near_suspension") == []
    with db.session() as s:
        assert {c.cleared_on for c in s.scalars(select(CreditWarning).where(
            CreditWarning.rule == "points_near_suspension"))} == {TODAY}


# -- the same kind of violation again within a year -------------------------------------------------------------

def _bad(db, clerk, who: str, kind: str, day: date, n: int) -> None:
    records.add_record(db, actor=clerk, data={"subject": who, "kind": kind, "decision_date": day.isoformat(),
                                              "case_no": f"宁医保处〔{day.year}〕{n}号"})


def test_repeat_of_the_same_kind_364_days_apart_warns_and_365_days_apart_does_not(db, clerk, hospital):
    _bad(db, clerk, hospital, "inst_agreement_handling", TODAY - timedelta(days=365), 1)
    _bad(db, clerk, hospital, "inst_agreement_handling", TODAY, 2)
    with db.session() as s:
        inst = s.scalar(select(Subject.uuid).where(Subject.credit_code == hospital))
    refreshed(db, [inst])
    assert open_warnings(db, inst, "repeat_violation") == []
    _bad(db, clerk, hospital, "inst_agreement_handling", TODAY - timedelta(days=364), 3)
    refreshed(db, [inst])
    (w,) = open_warnings(db, inst, "repeat_violation")
    assert (w.level, w.source) == ("警示", "credit_records")
    assert "第2次发生同类不良信息" in w.text and "磐医保〔2021〕43号 第二十四条" in w.basis


def test_two_different_kinds_within_a_year_are_no_repeat(db, clerk, hospital):
    _bad(db, clerk, hospital, "inst_agreement_handling", TODAY - timedelta(days=30), 1)
    _bad(db, clerk, hospital, "inst_admin_penalty", TODAY, 2)
    with db.session() as s:
        inst = s.scalar(select(Subject.uuid).where(Subject.credit_code == hospital))
    refreshed(db, [inst])
    assert open_warnings(db, inst, "repeat_violation") == []


# -- an institution's grade fell (its standing's history) -------------------------------------------------------

def _history(db, uuid: str, grades: list[tuple[date, str]]) -> None:
    """The institution's standing history as the evaluation of institutions writes it (grade per evaluation)."""
    with db.session() as s, s.begin():
        sid = s.scalar(select(Subject.id).where(Subject.uuid == uuid))
        for day, grade in grades:
            ev = EvaluationSnapshot(subject_id=sid, as_of=day, computed_by="system", profile="shandong", grade=grade,
                                    points_year=day.year, points_total=0, rule_status="in_force", result_hash="x",
                                    result="")
            s.add(ev)
            s.flush()
        row = s.get(SubjectStanding, sid)
        row.grade, row.evaluation_id = grades[-1][1], ev.id


def _institution(db, hospital) -> str:
    with db.session() as s:
        return s.scalar(select(Subject.uuid).where(Subject.credit_code == hospital))


def _warn(db, uuid: str) -> None:
    with UnitOfWork(db) as uow:
        warnings.refresh(uow, list(uow.session.scalars(select(Subject.id).where(Subject.uuid == uuid))), TODAY)
        uow.commit()


def test_a_grade_falling_from_良好_to_中等_warns_naming_both_grades(db, clerk, hospital):
    inst = _institution(db, hospital)
    _history(db, inst, [(TODAY - timedelta(days=200), "良好"), (TODAY - timedelta(days=10), "中等")])
    _warn(db, inst)
    (w,) = open_warnings(db, inst, "institution_grade_fell")
    assert (w.level, w.source) == ("警示", "evaluations")
    assert "由良好降为中等" in w.text and "淮医保发〔2020〕104号 三（三）" in w.basis


def test_a_rising_grade_a_fall_older_than_a_year_and_a_fall_since_recovered_do_not_warn(db, clerk, hospital):
    inst = _institution(db, hospital)
    _history(db, inst, [(TODAY - timedelta(days=400), "良好"), (TODAY - timedelta(days=365), "中等")])
    _warn(db, inst)
    assert open_warnings(db, inst, "institution_grade_fell") == []
    _history(db, inst, [(TODAY - timedelta(days=20), "良好")])
    _warn(db, inst)
    assert open_warnings(db, inst, "institution_grade_fell") == []
    _history(db, inst, [(TODAY - timedelta(days=10), "较差"), (TODAY - timedelta(days=5), "良好")])
    _warn(db, inst)
    assert open_warnings(db, inst, "institution_grade_fell") == []


def test_a_fall_364_days_ago_still_warns(db, clerk, hospital):
    inst = _institution(db, hospital)
    _history(db, inst, [(TODAY - timedelta(days=400), "优秀"), (TODAY - timedelta(days=364), "良好")])
    _warn(db, inst)
    assert len(open_warnings(db, inst, "institution_grade_fell")) == 1


# -- the staff's points rose ------------------------------------------------------------------------------------------

def test_staff_points_rising_by_3_warn_the_institution_and_by_2_do_not(db, clerk, hospital):
    inst = _institution(db, hospital)
    first, second = doctor(db, clerk, 1), doctor(db, clerk, 2)
    points(db, clerk, first, "pq_agreement_minor", "重要", 1)  # 2 points
    refreshed(db, [first.uuid])
    assert open_warnings(db, inst, "institution_staff_points") == []
    points(db, clerk, second, "pq_agreement_minor", "一般", 2)  # 1 more: 3 in all
    refreshed(db, [second.uuid])
    (w,) = open_warnings(db, inst, "institution_staff_points")
    assert "累计记分合计3分（2人有记分）" in w.text and "三（四）" in w.basis


def test_staff_points_already_stored_before_the_window_are_no_rise(db, clerk, hospital):
    inst = _institution(db, hospital)
    doc = doctor(db, clerk, 1)
    early = date(LAST_YEAR, 5, 1)  # the points rule in force from 2025-04-16
    points(db, clerk, doc, "pq_agreement_minor", "主要", 1, early)  # 3 points in that year
    refreshed(db, [doc.uuid], early + timedelta(days=1))
    assert len(open_warnings(db, inst, "institution_staff_points")) == 1  # within 90 days of the points
    refreshed(db, [doc.uuid], date(LAST_YEAR, 10, 1))  # the same 3 points, stored since May
    assert open_warnings(db, inst, "institution_staff_points") == []


# -- acknowledging, rules, tick ------------------------------------------------------------------------------------

def test_a_reviewer_acknowledges_a_warning_with_a_note_audited_and_only_once(db, clerk, reviewer, hospital):
    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "主要", 1)
    refreshed(db, [doc.uuid])
    (w,) = warnings.list_warnings(db, subject=doc.uuid)
    with pytest.raises(Exception, match="确认信用预警"):
        warnings.acknowledge(db, actor=clerk, warning=w.uuid, note="已提醒")
    with pytest.raises(ValidationError, match="处理意见"):
        warnings.acknowledge(db, actor=reviewer, warning=w.uuid, note=" ")
    done = warnings.acknowledge(db, actor=reviewer, warning=w.uuid, note="已电话提醒本人").value
    assert (done.state, done.acknowledged_by, done.note) == ("已确认", "reviewer", "已电话提醒本人")
    with pytest.raises(ValidationError, match=r"已由reviewer于\d{4}年\d{1,2}月\d{1,2}日确认，不能重复确认"):
        warnings.acknowledge(db, actor=reviewer, warning=w.uuid, note="再次")  # its display name is its login here
    with db.session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "warning.ack"))
        assert (entry.actor, entry.entity_uuid, entry.reason) == ("reviewer", w.uuid, "已电话提醒本人")


def test_the_sample_rules_each_cite_a_basis_and_the_bureau_can_replace_them(db, admin, clerk, hospital):
    shipped = warnings.rules(db)
    assert shipped.sample and all(r.basis for r in shipped.rules)
    content = warnings.export_rules(db)
    content["rules"][0]["params"]["points_from"] = 7
    content["rules"][0]["level"] = "警示"
    with pytest.raises(Exception, match="设置信用预警规则"):
        warnings.set_rules(db, actor=clerk, text=json.dumps(content), reason="本局规定")
    bad = json.loads(json.dumps(content))
    bad["rules"][0]["basis"] = ""
    with pytest.raises(ValidationError, match="须写明依据"):
        warnings.set_rules(db, actor=admin, text=json.dumps(bad), reason="本局规定")
    warnings.set_rules(db, actor=admin, text=json.dumps(content), reason="本局规定")
    assert not warnings.rules(db).sample
    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "主要", 1)  # 6 points: below the bureau's 7
    refreshed(db, [doc.uuid])
    assert open_warnings(db, doc.uuid, "points_near_suspension") == []


def test_tick_refreshes_the_warnings_of_the_whole_county(db, admin, clerk, hospital):
    from models.services import tick

    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "主要", 1)
    tick.tick(db, actor=admin)
    assert len(open_warnings(db, doc.uuid, "points_near_suspension")) == 1
    assert warnings.counts(db) == {"医保医（药）师": {"提示": 0, "关注": 1, "警示": 0},
                                   "定点医药机构": {"提示": 0, "关注": 1, "警示": 1}}
    # The institution: its staff's 6 points (关注), and the grade they cost it, 优秀 to 中等 (警示, 淮 三（三）（四）).
    assert len(open_warnings(db, _institution(db, hospital), "institution_grade_fell")) == 1
