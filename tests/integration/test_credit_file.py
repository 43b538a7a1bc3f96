"""Credit files (一医一档): subjects, registrations, records and corrections, with roles checked."""
import pytest
from stdnum.cn import ric, uscc

from models.queries.credit_file import credit_file
from models.services import records, subjects, users
from models.services.base import PermissionDenied, ServiceError, run_batch
from models.validation import ValidationError


def person_id(serial: int) -> str:
    first = f"370921198{serial % 10}0101{serial:03d}"[:17]
    return first + ric.calc_check_digit(first + "0")  # stdnum wants the check position present


def inst_code(serial: int) -> str:
    first = f"12370921MB{serial:07d}"
    return first + uscc.calc_check_digit(first)


@pytest.fixture
def hospitals(db, clerk):
    for n, name in ((1, "宁阳县第一人民医院"), (2, "宁阳县中医院")):
        subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": name, "credit_code": inst_code(n)})
    return inst_code(1), inst_code(2)


@pytest.fixture
def doctor(db, clerk, hospitals):
    return subjects.add_subject(db, actor=clerk, data={
        "type": "practitioner", "name": "张三丰", "id_number": person_id(7), "institutions": list(hospitals),
        "commitment": "个人", "registered_on": "2025-03-01",
    }).value


FINDING = {"kind": "refuse_penalty", "decision_date": "2026-03-15", "responsibility": "重要",
           "case_no": "宁医保协〔2026〕3号", "source": "日常稽核", "decision_type": "协议处理"}


def test_practitioner_is_registered_at_each_institution_with_status_history(db, admin, doctor, hospitals):
    file = credit_file(db, actor=admin, subject=doctor.id_number)
    regs = {r["institution"]["credit_code"]: r for r in file["registrations"]}
    assert set(regs) == set(hospitals)
    for reg in regs.values():
        assert reg["status"] == "正常"
        assert reg["history"][0]["status"] == "正常"
        assert reg["service_commitment"]["kind"] == "个人"


def test_pinyin_initials_are_stored_for_search(db, doctor):
    from models.db.tables import Subject

    with db.session() as s:
        assert s.query(Subject).filter_by(uuid=doctor.uuid).one().initials == "zsf"


def test_same_person_cannot_be_registered_twice_as_practitioner(db, clerk, doctor, hospitals):
    with pytest.raises(ValidationError, match="身份证号.*已登记"):
        subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": "张三", "id_number": doctor.id_number,
                                                    "institutions": [hospitals[0]]})


def test_practitioner_needs_an_existing_institution(db, clerk):
    with pytest.raises(ServiceError, match="执业机构.*找不到"):
        subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": "李四", "id_number": person_id(8),
                                                    "institutions": [inst_code(9)]})


def test_record_is_entered_with_its_source_and_case_number(db, clerk, admin, doctor):
    rec = records.add_record(db, actor=clerk, data={**FINDING, "subject": doctor.id_number}).value
    file = credit_file(db, actor=admin, subject=doctor.uuid)
    [row] = file["records"]
    assert row["uuid"] == rec.uuid
    assert (row["source"], row["case_no"], row["responsibility"]) == ("audit", "宁医保协〔2026〕3号", "重要")
    assert row["basis"] and "第十一条" in row["basis"]


def test_a_points_kind_is_refused_as_a_plain_record_and_sent_to_the_finding_path(db, clerk, doctor):
    """济医保发〔2025〕6号 四（五）（六): points follow a confirmed responsibility finding, notified to every institution."""
    data = {**FINDING, "kind": "pq_agreement_serious", "subject": doctor.id_number}
    with pytest.raises(ValidationError, match="信息类别.*违规认定.*另一名审核员"):
        records.add_record(db, actor=clerk, data=data)


def test_insured_loss_needs_an_amount(db, clerk):
    subjects.add_subject(db, actor=clerk, data={"type": "insured", "name": "王五", "id_number": person_id(9),
                                                "insurance_type": "居民"})
    with pytest.raises(ValidationError, match="金额"):
        records.add_record(db, actor=clerk, data={"subject": person_id(9), "kind": "insured_illegal_use",
                                                  "decision_date": "2026-01-05", "case_no": "宁医保罚〔2026〕1号"})


def test_correction_supersedes_and_the_original_stays_readable(db, clerk, reviewer, admin, doctor):
    """Panan 第十二条: corrections are new records; 第二十五条 punishes tampering."""
    original = records.add_record(db, actor=clerk, data={**FINDING, "subject": doctor.id_number}).value
    fixed = records.correct_record(db, actor=reviewer, record=original.uuid, data={"responsibility": "一般"},
                                   reason="复核认定为一般责任").value
    assert fixed.supersedes == original.uuid
    rows = {r["uuid"]: r for r in credit_file(db, actor=admin, subject=doctor.id_number)["records"]}
    assert rows[original.uuid]["responsibility"] == "重要"
    assert rows[original.uuid]["status"] == "已被更正"
    assert rows[original.uuid]["superseded_by"] == fixed.uuid
    assert rows[fixed.uuid]["responsibility"] == "一般"
    assert rows[fixed.uuid]["correction_reason"] == "复核认定为一般责任"
    with pytest.raises(ServiceError, match="已被更正"):
        records.correct_record(db, actor=reviewer, record=original.uuid, data={"note": "x"}, reason="再改")


def test_correction_needs_a_reason(db, clerk, doctor):
    original = records.add_record(db, actor=clerk, data={**FINDING, "subject": doctor.id_number}).value
    with pytest.raises(ValidationError, match="更正原因"):
        records.correct_record(db, actor=clerk, record=original.uuid, data={"note": "x"}, reason=" ")


def test_clerk_is_refused_an_admin_action(db, clerk):
    with pytest.raises(PermissionDenied, match="无权管理用户"):
        users.add_user(db, actor=clerk, username="x", display_name="x", password="abc12345", roles="管理员")


def test_admin_cannot_enter_records_that_is_clerk_work(db, admin, doctor):
    with pytest.raises(PermissionDenied, match="录入信用信息"):
        records.add_record(db, actor=admin, data={**FINDING, "subject": doctor.id_number})


def test_batch_writes_all_or_nothing_and_names_the_bad_item(db, clerk, admin):
    good = {"type": "insured", "name": "赵六", "id_number": person_id(11), "insurance_type": "职工"}
    bad = {"type": "insured", "name": "钱七", "id_number": person_id(12)[:17], "insurance_type": "职工"}
    with pytest.raises(ValidationError, match="第2条 身份证号"):
        run_batch(db, fn=subjects.add_subject, items=[good, bad], actor=clerk)
    with pytest.raises(ServiceError):
        credit_file(db, actor=admin, subject=person_id(11))


def test_every_change_is_in_the_audit_log_with_actor(db, clerk, reviewer, admin, doctor):
    original = records.add_record(db, actor=clerk, data={**FINDING, "subject": doctor.id_number}).value
    records.correct_record(db, actor=reviewer, record=original.uuid, data={"note": "补充"}, reason="补充说明")
    trail = credit_file(db, actor=admin, subject=doctor.id_number)["audit"]
    assert [(a["actor"], a["action"]) for a in trail] == [
        ("clerk", "subject.add"), ("clerk", "record.add"), ("reviewer", "record.correct")]
    assert trail[-1]["reason"] == "补充说明"


def test_id_numbers_are_masked_for_a_clerk(db, clerk, admin, doctor):
    assert credit_file(db, actor=clerk, subject=doctor.uuid)["subject"]["id_number"] == doctor.id_number[:4] + "*" * 10 + doctor.id_number[-4:]
    assert credit_file(db, actor=admin, subject=doctor.uuid)["subject"]["id_number"] == doctor.id_number


def test_chinese_punctuation_in_names_is_kept_but_full_width_codes_are_folded(db, clerk, admin):
    full_width_code = "".join(chr(ord(c) + 0xFEE0) for c in inst_code(5))
    info = subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "宁阳县人民医院（东院区）",
                                                       "credit_code": full_width_code}).value
    assert info.name == "宁阳县人民医院（东院区）"
    assert info.credit_code == inst_code(5)
