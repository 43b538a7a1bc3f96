"""Appeals (申诉, 济医保发〔2025〕6号 四（八）): filed against points or a payment-qualification decision, answered
within the bureau's own limit, decided by a second person, and taking effect through the existing decision paths."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.db.tables import AuditEntry
from models.policy.workdays import WorkCalendar
from models.services import appeals, deadlines, measures, notices, standing, todo
from models.services.base import PermissionDenied, ServiceError, UnitOfWork
from models.services.cases import FourEyes
from models.services.notice_settings import LIMITS
from models.services.workdays import calendar_from_db
from models.validation import ValidationError
from tests.gui.test_files_support import actor, demo_db, demo_template, nine_points, sql  # noqa: F401  (fixtures)

DECIDED = date(2026, 3, 2)


def points_record(db, target: dict) -> str:
    return sql(db, "SELECT r.uuid FROM credit_records r JOIN subjects s ON s.id = r.subject_id "
                   "WHERE s.uuid = ? AND r.case_no = ?", target["uuid"], "宁医保罚〔2026〕960号")[0][0]


def points_total(db, target: dict) -> int:
    return sql(db, "SELECT st.points_total FROM subject_standing st JOIN subjects s ON s.id = st.subject_id "
                   "WHERE s.uuid = ?", target["uuid"])[0][0]


@pytest.fixture
def case(demo_db):
    target = nine_points(demo_db, decided=DECIDED)
    return demo_db, target, points_record(demo_db, target)


def file(db, record: str, received=DECIDED + timedelta(days=3), **kw):
    return appeals.file(db, actor=actor("clerk"), record=record, received_on=received, reason="责任程度认定过重",
                        **kw).value


def test_jinan_4_8_the_answer_is_due_within_the_bureaus_own_limit_counted_in_working_days(case):
    db, _target, record = case
    filed = file(db, record)
    assert filed.deadline == calendar_from_db_days(db, filed.received_on, LIMITS["appeal_handling_days"][1])
    (row,) = appeals.list_appeals(db, open_only=True)
    assert row["deadline_basis"].startswith("本局规定") and "〔" not in row["deadline_basis"]  # no article claimed


def calendar_from_db_days(db, day: date, n: int) -> date:
    with UnitOfWork(db) as uow:
        return calendar_from_db(uow).add_workdays(day, n).date


def test_jinan_4_8_a_changed_limit_applies_to_appeals_received_afterwards_and_is_audited(case):
    db, target, record = case
    notices.set_settings(db, actor=actor_admin(db), changes={"appeal_handling_days": 5}, reason="局务会议决定")
    filed = file(db, record)
    assert filed.deadline == calendar_from_db_days(db, filed.received_on, 5)
    entry = sql(db, "SELECT reason FROM audit_log WHERE action = 'notice.settings' ORDER BY id DESC LIMIT 1")
    assert entry == [("局务会议决定",)]


def actor_admin(db):
    from models.services import users

    return users.authenticate(db, username="admin", password="abc12345")


@pytest.mark.parametrize("value", [0, 61])
def test_the_bureaus_limit_outside_1_to_60_working_days_is_refused_naming_the_field(demo_db, value):
    with pytest.raises(ValidationError, match="申诉办理期限"):
        notices.set_settings(demo_db, actor=actor_admin(demo_db), changes={"appeal_handling_days": value},
                             reason="试")


def test_jinan_4_8_an_appeal_received_before_the_decision_is_refused_and_on_its_day_accepted(case):
    db, _target, record = case
    with pytest.raises(ValidationError, match="收到申诉日期.*早于所申诉决定的日期"):
        file(db, record, received=DECIDED - timedelta(days=1))
    assert file(db, record, received=DECIDED).state == "待处理"


def test_jinan_4_8_one_open_appeal_per_decision(case):
    db, _target, record = case
    file(db, record)
    with pytest.raises(ServiceError, match="已有正在办理的申诉"):
        file(db, record)


def test_jinan_4_8_an_institution_appeals_only_for_staff_registered_there(case):
    db, target, record = case
    other = sql(db, "SELECT credit_code FROM subjects WHERE type = 'institution' AND credit_code != ? "
                    "AND id NOT IN (SELECT institution_id FROM registrations r JOIN subjects p "
                    "ON p.id = r.practitioner_id WHERE p.uuid = ?) LIMIT 1", target["credit_code"], target["uuid"])[0][0]
    with pytest.raises(ValidationError, match="未在.*登记备案"):
        file(db, record, appellant="所在机构", institution=other)
    filed = file(db, record, appellant="所在机构", institution=target["credit_code"])
    assert appeals.list_appeals(db)[0]["institution"] == target["institution_name"] and filed.state == "待处理"


def test_jinan_4_8_the_clerk_who_registered_it_may_not_decide_it_and_a_clerk_may_not_decide_at_all(case):
    db, _target, record = case
    filed = appeals.file(db, actor=actor("both"), record=record, received_on=DECIDED, reason="不服").value
    with pytest.raises(FourEyes):
        appeals.decide(db, actor=actor("both"), appeal=filed.uuid, outcome="维持", answer="维持", basis="四（八）")
    with pytest.raises(PermissionDenied):
        appeals.decide(db, actor=actor("clerk"), appeal=filed.uuid, outcome="维持", answer="维持", basis="四（八）")
    assert appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="维持", answer="认定无误",
                          basis="条例第三十八条").value.state == "已办结"


def test_jinan_4_8_upheld_changes_nothing_in_the_standing(case):
    db, target, record = case
    filed = file(db, record)
    appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="维持", answer="认定无误", basis="条例")
    assert points_total(db, target) == 9
    with pytest.raises(ServiceError, match="已于.*办结"):
        appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="撤销", answer="再议", basis="条例")


def test_jinan_4_8_revoked_points_leave_the_year_and_the_suspension_goes_with_them(case):
    db, target, record = case
    with UnitOfWork(db) as uow:
        measures = [m["kind"] for m in standing.of(uow, _subject(uow, target), date.today())["measures"]]
    assert "suspend_payment_qualification" in measures
    filed = file(db, record)
    done = appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="撤销",
                          answer="责任认定证据不足", basis="济医保发〔2025〕6号 四（八）").value
    assert done.outcome == "撤销" and "全部9分" in done.effect
    assert points_total(db, target) == 0
    with UnitOfWork(db) as uow:
        after = [m["kind"] for m in standing.of(uow, _subject(uow, target), date.today())["measures"]]
    assert "suspend_payment_qualification" not in after
    (basis,) = sql(db, "SELECT basis FROM repairs WHERE uuid = (SELECT effect_uuid FROM appeals WHERE uuid = ?)",
                   filed.uuid)[0]
    assert "四（八）" in basis


def _subject(uow, target):
    from models.db.tables import Subject

    return uow.session.scalar(select(Subject).where(Subject.uuid == target["uuid"]))


def test_jinan_4_8_changed_points_are_reduced_by_the_amount_decided(case):
    db, target, record = case
    filed = file(db, record)
    with pytest.raises(ValidationError, match="变更内容"):
        appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="变更", answer="改为重要", basis="条例")
    appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="变更", answer="责任程度改为重要",
                   basis="条例", points=3)
    assert points_total(db, target) == 6


def test_jinan_4_8_a_changed_responsibility_is_a_correcting_record_the_original_stays(case):
    db, target, record = case
    filed = file(db, record, matter="责任认定")
    done = appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="变更", answer="应为一般责任",
                          basis="条例", changes={"responsibility": "一般"}).value
    (new,) = sql(db, "SELECT uuid, responsibility FROM credit_records WHERE supersedes_id = "
                     "(SELECT id FROM credit_records WHERE uuid = ?)", record)
    assert new == (sql(db, "SELECT effect_uuid FROM appeals WHERE uuid = ?", done.uuid)[0][0], "一般")
    assert points_total(db, target) == 7  # 7—9 band: 一般 = the low end


def test_jinan_4_8_a_disputed_question_waits_for_the_expert_panel_before_the_decision(case):
    db, _target, record = case
    filed = file(db, record)
    appeals.refer(db, actor=actor("reviewer"), appeal=filed.uuid, assessor="市医学会专家组", question="诊疗是否合理",
                  on=DECIDED + timedelta(days=5))
    with pytest.raises(ServiceError, match="请先登记鉴定结论"):
        appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="维持", answer="维持", basis="条例")
    with pytest.raises(ValidationError, match="鉴定结论日期"):
        appeals.conclude(db, actor=actor("reviewer"), appeal=filed.uuid, conclusion="合理",
                         on=DECIDED + timedelta(days=4))
    appeals.conclude(db, actor=actor("reviewer"), appeal=filed.uuid, conclusion="诊疗合理",
                     on=DECIDED + timedelta(days=5))
    with pytest.raises(ValidationError, match="早于鉴定结论的日期"):
        appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="维持", answer="维持", basis="条例",
                       on=DECIDED + timedelta(days=4))
    assert appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="撤销", answer="依鉴定结论撤销",
                          basis="鉴定结论", on=DECIDED + timedelta(days=6)).value.state == "已办结"


def test_jinan_4_8_the_work_list_shows_an_open_appeal_overdue_only_after_its_last_day(case):
    db, _target, record = case
    filed = file(db, record)

    def item(day):
        return next(i for i in todo.work_list(db, today=day) if i.case == filed.uuid)

    on_time = item(filed.deadline)
    assert (on_time.workdays_left, on_time.overdue) == (0, False) and on_time.basis.startswith("本局规定")
    late = item(filed.deadline + timedelta(days=1))
    assert late.overdue


def test_jinan_4_8_a_deadline_reaching_a_year_without_schedule_is_provisional_until_it_is_loaded(demo_db):
    target = nine_points(demo_db, decided=date(2026, 11, 30))
    record = points_record(demo_db, target)
    notices.set_settings(demo_db, actor=actor_admin(demo_db), changes={"appeal_handling_days": 40}, reason="试行")
    filed = appeals.file(demo_db, actor=actor("clerk"), record=record, received_on=date(2026, 12, 1),
                         reason="不服").value
    assert filed.provisional and filed.deadline == WorkCalendar(use_package=False).add_workdays(
        date(2026, 12, 1), 40).date
    deadlines.load_schedule(demo_db, actor=actor_admin(demo_db), source="国务院办公厅通知（2027年）",
                            text="类型,开始日期,结束日期,说明\n放假,2027-01-01,2027-01-03,元旦\n")
    (row,) = [a for a in appeals.list_appeals(demo_db) if a["uuid"] == filed.uuid]
    assert not row["provisional"] and row["deadline"] > filed.deadline
    with UnitOfWork(demo_db) as uow:
        audit = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "deadline.recompute",
                                                            AuditEntry.entity_uuid == filed.uuid))
        assert audit is not None and audit.entity_type == "appeal"


@pytest.fixture
def suspension(demo_db):
    """Today's 9 points, their suspension chosen at 3 months by the reviewer (济医保发〔2025〕6号 四（六））."""
    db, target = demo_db, nine_points(demo_db)
    record = points_record(db, target)
    measures.choose_measure(db, actor=actor("reviewer"), record=record, months=3, reason="情节较轻")
    (measure,) = sql(db, "SELECT m.uuid FROM measures m JOIN subjects s ON s.id = m.subject_id "
                         "WHERE s.uuid = ? AND m.state = '生效' AND m.months = 3", target["uuid"])[0]
    return db, target, measure


def active_months(db, target) -> list:
    return [m for (m,) in sql(db, "SELECT m.months FROM measures m JOIN subjects s ON s.id = m.subject_id "
                                  "WHERE s.uuid = ? AND m.state = '生效' AND m.months IS NOT NULL", target["uuid"])]


def test_jinan_4_8_a_changed_suspension_is_shorter_and_never_as_long_as_before(suspension):
    db, target, measure = suspension
    filed = appeals.file(db, actor=actor("clerk"), measure=measure, received_on=date.today(), reason="期限过长").value
    assert filed.matter == "医保支付资格处理"
    with pytest.raises(ValidationError, match="应少于原定的3个月"):
        appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="变更", answer="改", basis="条例",
                       months=3)
    done = appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="变更", answer="情节轻微",
                          basis="条例", months=2).value
    assert "由3个月变更为2个月" in done.effect and active_months(db, target) == [2]


def test_jinan_4_8_a_revoked_suspension_revokes_the_points_behind_it(suspension):
    db, target, measure = suspension
    filed = appeals.file(db, actor=actor("clerk"), measure=measure, received_on=date.today(), reason="不应暂停").value
    appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="撤销", answer="证据不足", basis="条例")
    assert points_total(db, target) == 0 and active_months(db, target) == []


def test_jinan_4_8_an_insured_persons_measure_is_no_appeal_under_this_article(demo_db):
    (record,) = sql(demo_db, "SELECT r.uuid FROM credit_records r JOIN subjects s ON s.id = r.subject_id "
                             "WHERE s.type = 'insured' AND r.good = 0 LIMIT 1")[0]
    with pytest.raises(ValidationError, match="适用于定点医药机构相关人员"):
        appeals.file(demo_db, actor=actor("clerk"), record=record, received_on=date.today(), reason="不服")


def test_jinan_4_8_a_revoked_measure_the_bureau_decided_is_lifted_on_the_day_of_the_decision(demo_db):
    from models.db.tables import Subject
    from models.services import discretionary, records
    from models.services.discretionary import OPTIONAL
    from models.services.lifecycle import measures_of

    db = demo_db
    target = nine_points(db)
    for n, kind in enumerate(("refuse_penalty", "kickback")):  # a grade low enough for the bureau's own measures
        records.add_record(db, actor=actor("clerk"), data={
            "subject": target["uuid"], "kind": kind, "case_no": f"宁医保罚〔2026〕{n + 970}号",
            "decision_date": (date.today() - timedelta(days=30 + n)).isoformat()})
    with UnitOfWork(db) as uow:
        subject = uow.session.scalar(select(Subject).where(Subject.uuid == target["uuid"]))
        offered = [m["kind"] for m in standing.of(uow, subject, date.today())["measures"] if m["status"] == OPTIONAL]
    assert offered, "a practitioner with 9 points is offered measures the bureau may decide"
    measure = discretionary.impose(db, actor=actor("reviewer"), subject=target["uuid"], kind=offered[0],
                                   start=date.today(), end=date.today() + timedelta(days=90), reason="限期整改").value
    filed = appeals.file(db, actor=actor("clerk"), measure=measure, received_on=date.today(), reason="已整改").value
    done = appeals.decide(db, actor=actor("reviewer2"), appeal=filed.uuid, outcome="撤销", answer="已整改到位",
                          basis="条例").value
    assert sql(db, "SELECT state, ended_on FROM measures WHERE uuid = ?", measure) == [("撤销", date.today().isoformat())]
    assert "不再执行" in done.effect
    assert not [m for m in measures_of(db, subject=target["uuid"]) if m["kind"] == offered[0] and m["state"] == "生效"]
    with pytest.raises(ServiceError, match="已不再执行"):
        again = appeals.file(db, actor=actor("clerk"), measure=measure, received_on=date.today(), reason="x").value
        appeals.decide(db, actor=actor("reviewer2"), appeal=again.uuid, outcome="撤销", answer="x", basis="条例")
