"""Evaluation on the database: explain, measure choices, snapshots kept as history, targeted refresh."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models.db.tables import EvaluationSnapshot, Subject, SubjectStanding
from models.queries.credit_file import credit_file
from models.services import measures, records, standing, subjects
from models.services.base import PermissionDenied
from models.validation import ValidationError
from points_path import confirmed_points
from test_credit_file import inst_code, person_id

CONTRACT_KEYS = {"subject", "as_of", "points", "score", "grade", "inspection_ratio", "measures", "lists",
                 "explanations", "rule_status"}


@pytest.fixture
def doctor(db, clerk):
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "甲医院", "credit_code": inst_code(1)})
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "乙卫生院", "credit_code": inst_code(2)})
    return subjects.add_subject(db, actor=clerk, data={
        "type": "practitioner", "name": "张三", "id_number": person_id(1), "institutions": [inst_code(1), inst_code(2)],
    }).value


def finding(db, clerk, who, day, kind="pq_agreement_minor", resp="主要", case=None):
    return confirmed_points(db, clerk, who, kind, day, resp, case or f"宁医保协〔{day[:4]}〕{day[5:7]}{day[8:]}号")


def nine_points(db, clerk, doctor):
    finding(db, clerk, doctor.id_number, "2026-02-01", "pq_agreement_serious", "重要")  # 5
    finding(db, clerk, doctor.id_number, "2026-03-01")  # 3
    return finding(db, clerk, doctor.id_number, "2026-04-01", resp="一般")  # 1 → 9


def suspension(result):
    return next(m for m in result["measures"] if m["kind"] == "suspend_payment_qualification")


def test_explain_follows_the_json_contract(db, admin, clerk, doctor):
    nine_points(db, clerk, doctor)
    result = standing.explain(db, actor=admin, subject=doctor.id_number, as_of=date(2026, 4, 30))
    assert CONTRACT_KEYS <= set(result)
    assert result["points"]["total"] == 9 and result["points"]["year"] == 2026
    assert all(e["basis"] for e in result["points"]["entries"])
    assert result["rule_status"]["status"] == "in_force"


def test_nine_points_need_the_handlers_choice_inside_one_to_six_months(db, admin, clerk, reviewer, doctor):
    """医保发〔2024〕23号: a total of 9 or more in a year → 暂停 1–6 months, chosen with a reason."""
    trigger = nine_points(db, clerk, doctor)
    before = suspension(standing.explain(db, actor=admin, subject=doctor.uuid, as_of=date(2026, 4, 30)))
    assert before["status"] == "pending_choice"
    with pytest.raises(ValidationError, match="幅度"):
        measures.choose_measure(db, actor=reviewer, record=trigger.uuid, months=7, reason="情节严重")
    with pytest.raises(ValidationError, match="选择理由"):
        measures.choose_measure(db, actor=reviewer, record=trigger.uuid, months=3, reason="")
    with pytest.raises(PermissionDenied):
        measures.choose_measure(db, actor=clerk, record=trigger.uuid, months=3, reason="首次违规")
    measures.choose_measure(db, actor=reviewer, record=trigger.uuid, months=3, reason="首次违规，主动整改")
    after = suspension(standing.explain(db, actor=admin, subject=doctor.uuid, as_of=date(2026, 4, 30)))
    assert after["chosen"] == {"months": 3, "reason": "首次违规，主动整改"}
    assert (after["start"], after["end"]) == ("2026-04-01", "2026-07-01")


def test_points_reset_on_1_january_while_the_measure_keeps_running(db, admin, clerk, reviewer, doctor):
    """济医保发〔2025〕6号 四（六）: 下一个自然年度自动清零（相关处理不停止执行）."""
    trigger = finding(db, clerk, doctor.id_number, "2025-12-01", "pq_fraud", "重要")  # 11 points
    measures.choose_measure(db, actor=reviewer, record=trigger.uuid, months=6, reason="金额较大")
    new_year = standing.explain(db, actor=admin, subject=doctor.uuid, as_of=date(2026, 1, 2))
    assert new_year["points"]["total"] == 0
    running = suspension(new_year)
    assert running["end"] == "2026-06-01" and running["status"] == "in_effect"


def test_correction_changes_the_points_and_the_superseded_record_stops_counting(db, admin, clerk, reviewer, doctor):
    first = finding(db, clerk, doctor.id_number, "2026-03-01", "pq_agreement_serious", "主要")  # 6
    records.correct_record(db, actor=reviewer, record=first.uuid, data={"responsibility": "一般"}, reason="复核")  # 4
    result = standing.explain(db, actor=admin, subject=doctor.uuid, as_of=date(2026, 3, 31))
    assert result["points"]["total"] == 4


def test_a_shandong_decision_after_the_pack_expired_has_no_rule_in_force(db, admin, clerk):
    """鲁医保发〔2024〕25号 第十五条: valid to 2026-08-09; no silent fallback after it."""
    subjects.add_subject(db, actor=clerk, data={"type": "insured", "name": "王五", "id_number": person_id(5),
                                                "insurance_type": "居民"})
    records.add_record(db, actor=clerk, data={"subject": person_id(5), "kind": "insured_illegal_use",
                                              "decision_date": "2026-09-01", "amount": "150000.00",
                                              "case_no": "宁医保罚〔2026〕9号"})
    result = standing.explain(db, actor=admin, subject=person_id(5), as_of=date(2026, 9, 30))
    assert result["rule_status"]["status"] == "no_rule_in_force"
    assert result["rule_status"]["covered"]
    assert not [m for m in result["measures"] if m["kind"] == "suspend_network_settlement"]


def count(db, model, **where):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_only_the_changed_subject_and_his_institutions_are_re_evaluated_and_history_is_kept(db, admin, clerk, doctor):
    """The institutions where he is registered follow his standing (淮医保发〔2020〕104号 三（四））; nobody else."""
    standing.evaluate_all(db, actor=admin, as_of=date.today())
    total = count(db, EvaluationSnapshot)
    assert count(db, SubjectStanding) == 3
    assert standing.evaluate_all(db, actor=admin, as_of=date.today()).value.changed == 0
    with db.session() as s:
        doc_id = s.scalar(select(Subject.id).where(Subject.uuid == doctor.uuid))
    assert count(db, EvaluationSnapshot, subject_id=doc_id) == 0  # a registration alone: the shared default result
    finding(db, clerk, doctor.id_number, date.today().isoformat())
    # Him (the default he had becomes the first row of his own history, then his new result), and both
    # institutions where he is registered.
    assert count(db, EvaluationSnapshot) == total + 4
    assert count(db, EvaluationSnapshot, subject_id=doc_id) == 2  # the old result stays as history
    history = credit_file(db, actor=admin, subject=doctor.uuid)["evaluations"]
    assert len(history) == 2 and history[0]["points_total"] != history[1]["points_total"]


def test_every_subject_has_a_current_standing_from_the_moment_it_is_entered(db, doctor):
    assert count(db, SubjectStanding) == 3 and count(db, SubjectStanding, dirty=True) == 0


def test_a_cancelled_county_run_keeps_the_batches_done_and_leaves_the_rest_marked(db, admin, doctor):
    from models.services.base import UnitOfWork
    from models.services.standing import Cancelled

    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    with pytest.raises(Cancelled):
        standing.evaluate_all(db, actor=admin, chunk=1, progress=lambda *a: False)
    assert count(db, SubjectStanding, dirty=True) == 2


def test_a_clerk_cannot_run_the_county_evaluation(db, clerk):
    with pytest.raises(PermissionDenied):
        standing.evaluate_all(db, actor=clerk)


def test_a_record_entered_directly_suspends_the_registrations_at_once(db, admin, clerk, reviewer, doctor):
    """状态联动 (济医保发〔2025〕6号 四(三)): no waiting for the daily tick once a period is chosen."""
    from datetime import timedelta

    from models.queries.credit_file import credit_file

    trigger = finding(db, clerk, doctor.id_number, (date.today() - timedelta(days=5)).isoformat(), "pq_fraud", "重要")
    measures.choose_measure(db, actor=reviewer, record=trigger.uuid, months=3, reason="首次")
    regs = credit_file(db, actor=admin, subject=doctor.uuid)["registrations"]
    assert [r["status"] for r in regs] == ["暂停", "暂停"]
    records.correct_record(db, actor=reviewer, record=trigger.uuid, data={"kind": "pq_agreement_minor"},
                           reason="复核改为情节较轻")
    regs = credit_file(db, actor=admin, subject=doctor.uuid)["registrations"]
    assert [r["status"] for r in regs] == ["正常", "正常"]
