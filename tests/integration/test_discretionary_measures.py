"""磐医保〔2021〕43号 第二十条: for 较差/差 the bureau *may* order 警示约谈 with a deadline or 重点监控.
Such a measure exists once a reviewer decides it, ends by date, or is lifted early by another person."""
from datetime import date, timedelta

import pytest

from models.services import discretionary, lifecycle, records, subjects, tick
from models.services.base import PermissionDenied, ServiceError
from models.validation import ValidationError
from points_path import confirmed_points
from test_credit_file import inst_code, person_id


@pytest.fixture
def poor_doctor(db, clerk):
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "甲医院", "credit_code": inst_code(1)})
    doc = subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": "张三", "id_number": person_id(1),
                                                      "institutions": [inst_code(1)]}).value
    for n, kind in enumerate(("refuse_penalty", "kickback")):
        records.add_record(db, actor=clerk, data={"subject": doc.uuid, "kind": kind,
                                                  "decision_date": (date.today() - timedelta(days=30 + n)).isoformat(),
                                                  "case_no": f"宁医保罚〔2026〕{n + 40}号"})
    confirmed_points(db, clerk, doc.uuid, "pq_admin_penalty", date.today() - timedelta(days=32), "主要", "宁医保罚〔2026〕42号",
                     decision_type="行政处罚")
    return doc


def measures(db, who):
    with_kind = {}
    for m in lifecycle.measures_of(db, subject=who):
        with_kind.setdefault(m["kind"], []).append(m)
    return with_kind


def test_a_warning_talk_is_decided_with_a_deadline_and_ends_by_date(db, admin, clerk, reviewer, poor_doctor):
    start, until = date.today() - timedelta(days=10), date.today()
    with pytest.raises(PermissionDenied):
        discretionary.impose(db, actor=clerk, subject=poor_doctor.uuid, kind="warning_talk", start=start, end=until,
                             reason="等级较差")
    with pytest.raises(ValidationError, match="不提供"):
        discretionary.impose(db, actor=reviewer, subject=poor_doctor.uuid, kind="red_list", start=start, end=until,
                             reason="x")
    discretionary.impose(db, actor=reviewer, subject=poor_doctor.uuid, kind="warning_talk", start=start, end=until,
                         reason="信用等级为差，约谈并限期整改")
    [talk] = measures(db, poor_doctor.uuid)["warning_talk"]
    assert talk["state"] == "生效" and "第二十条" in talk["basis"]
    tick.tick(db, actor=admin)
    assert measures(db, poor_doctor.uuid)["warning_talk"][0]["state"] == "生效"  # its last day is today
    tick.tick(db, actor=admin, today=until + timedelta(days=1))
    [talk] = measures(db, poor_doctor.uuid)["warning_talk"]
    assert talk["state"] == "期满"


def test_lifting_early_needs_another_person(db, admin, clerk, reviewer, poor_doctor):
    from models.services import users

    users.add_user(db, actor=admin, username="signer", display_name="签发人", password="abc12345", roles="签发人")
    signer = users.authenticate(db, username="signer", password="abc12345")
    uuid = discretionary.impose(db, actor=reviewer, subject=poor_doctor.uuid, kind="key_supervision",
                                start=date.today(), end=date.today() + timedelta(days=180), reason="重点监控半年").value
    tick.tick(db, actor=admin)
    assert measures(db, poor_doctor.uuid)["key_supervision"][0]["state"] == "生效"  # a rule-less row survives sync
    with pytest.raises(ServiceError, match="双人复核"):
        discretionary.lift(db, actor=reviewer, measure=uuid, reason="已整改")
    discretionary.lift(db, actor=signer, measure=uuid, reason="已整改到位，提前解除")
    [row] = measures(db, poor_doctor.uuid)["key_supervision"]
    assert row["state"] == "撤销"
