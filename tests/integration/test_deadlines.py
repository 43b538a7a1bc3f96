"""Deadlines with legal weight: where the objection period starts, and 暂定 deadlines settled by a loaded year."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models.db.tables import AuditEntry
from models.db.tables_casework import Objection
from models.policy import add_workdays, procedure_deadline
from models.policy.workdays import WorkCalendar
from models.services import deadlines, objections, records, subjects
from models.services.base import ServiceError, UnitOfWork
from models.policy import load_profile as profile
from test_credit_file import inst_code, person_id

DELIVERED = date(2026, 6, 8)  # 鲁医保发〔2024〕25号 is in force until 2026-08-09


def test_shandong_10_counts_from_receipt_of_the_notice_and_panan_16_from_publication_of_the_result():
    assert procedure_deadline(profile("shandong"), "objection_filing", "practitioner", DELIVERED).starts_from == \
        "delivery"
    assert procedure_deadline(profile("panan"), "objection_filing", "practitioner", DELIVERED).starts_from == \
        "publication"


@pytest.fixture
def doctor(db, clerk):
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "甲医院", "credit_code": inst_code(1)})
    doc = subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": "张三", "id_number": person_id(1),
                                                      "institutions": [inst_code(1)]}).value
    rec = records.add_record(db, actor=clerk, data={"subject": doc.uuid, "kind": "kickback", "case_no": "宁医保罚〔2026〕9号",
                                                    "decision_date": "2026-05-29"}).value
    return doc, rec


def test_shandong_10_a_late_objection_names_the_delivery_of_the_notice(db, clerk, doctor):
    doc, rec = doctor
    last = add_workdays(DELIVERED, 15).date
    with pytest.raises(ServiceError, match=f"信用结果告知书于{DELIVERED.isoformat()}送达.*第十条"):
        objections.file(db, actor=clerk, subject=doc.uuid, record=rec.uuid, delivered_on=DELIVERED,
                        received_on=add_workdays(last, 1).date, reason="不服")
    filed = objections.file(db, actor=clerk, subject=doc.uuid, record=rec.uuid, delivered_on=DELIVERED,
                            received_on=last, reason="不服").value
    assert filed.filing_deadline == last


def test_a_provisional_deadline_is_recomputed_and_audited_when_a_schedule_is_loaded(db, admin, clerk, doctor):
    """DOMAIN §5: a deadline that reached a year without a schedule was counted on weekends alone (暂定);
    loading a year's schedule recomputes it from its event and says so on the audit trail."""
    doc, rec = doctor
    received = date(2026, 6, 10)
    filed = objections.file(db, actor=clerk, subject=doc.uuid, record=rec.uuid, delivered_on=DELIVERED,
                            received_on=received, reason="不服").value
    weekends_only = WorkCalendar(use_package=False).add_workdays(received, 15).date
    assert weekends_only != filed.review_deadline  # 端午 (2026-06-19) falls inside: the official count is later
    with UnitOfWork(db) as uow:  # as stored by a version that lacked the year's schedule
        o = uow.session.scalar(select(Objection).where(Objection.uuid == filed.uuid))
        o.review_deadline, o.provisional = weekends_only, True
        uow.commit()
    deadlines.load_schedule(db, actor=admin, text="类型,开始日期,结束日期,说明\n放假,2027-01-01,,元旦\n",
                            source="国务院办公厅通知（2027年）")
    with UnitOfWork(db) as uow:
        o = uow.session.scalar(select(Objection).where(Objection.uuid == filed.uuid))
        assert (o.review_deadline, o.provisional) == (filed.review_deadline, False)
        audit = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "deadline.recompute"))
        assert audit.entity_uuid == filed.uuid and "重新计算" in audit.reason
