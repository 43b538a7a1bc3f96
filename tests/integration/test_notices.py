"""Notice sign-off, numbering, voiding, delivery and printing on a demo county (DOMAIN.md §1 four-eyes, §6)."""
from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

import notice_scenario as ns  # noqa: E402
from models.services import notice_register, notices  # noqa: E402
from models.services.base import PermissionDenied, ServiceError  # noqa: E402
from models.validation import ValidationError  # noqa: E402
from reports.issuing import produce  # noqa: E402


@pytest.fixture(scope="module")
def sc(tmp_path_factory):
    scenario = ns.build(tmp_path_factory.mktemp("workflow"))
    yield scenario
    scenario.db.dispose()


def state(sc, uuid):
    return notice_register.detail(sc.db, notice=uuid)["state"]


def test_each_step_needs_its_role_and_another_person(sc):
    """Drafted by the clerk; the clerk may not review; the reviewer may not sign off; the signer may not review."""
    uuid = sc.drafts["credit_result"]
    with pytest.raises(PermissionDenied):
        notices.review(sc.db, actor=sc.actors["clerk"], notice=uuid)
    with pytest.raises(ServiceError, match="请先|须为"):
        notices.sign_off(sc.db, actor=sc.actors["signer"], notice=uuid)
    notices.review(sc.db, actor=sc.actors["reviewer"], notice=uuid)
    with pytest.raises(PermissionDenied):
        notices.sign_off(sc.db, actor=sc.actors["reviewer"], notice=uuid)
    notices.sign_off(sc.db, actor=sc.actors["signer"], notice=uuid)
    assert state(sc, uuid) == "signed_off"
    steps = [(s["step"], s["actor"]) for s in notice_register.detail(sc.db, notice=uuid)["steps"]]
    assert steps == [("review", "reviewer"), ("sign_off", "signer")]


def test_the_drafter_of_a_casework_answer_cannot_review_it(sc):
    """附件2 was drafted by the reviewer who decided the objection: a second reviewer must check it."""
    uuid = sc.drafts["objection_answer"]
    with pytest.raises(ServiceError, match="双人复核"):
        notices.review(sc.db, actor=sc.actors["reviewer"], notice=uuid)
    notices.review(sc.db, actor=sc.actors["reviewer2"], notice=uuid)
    assert state(sc, uuid) == "reviewed"


def test_a_wrong_certificate_password_issues_nothing(sc):
    uuid = sc.drafts["credit_result"]
    with pytest.raises(ValidationError) as err:
        notices.issue(sc.db, actor=sc.actors["office"], notices=[uuid], password="wrong", produce=produce)
    assert err.value.field == "证书密码"
    assert state(sc, uuid) == "signed_off" and notice_register.detail(sc.db, notice=uuid)["issue"] is None


def test_numbers_are_yearly_gapless_and_a_cancelled_batch_uses_none(sc):
    """宁医保X〔year〕N号: the next number after the highest; cancelling a batch rolls every number back."""
    for t in ("points_notice", "credit_report", "settlement_suspend"):
        ns.sign_through(sc, sc.drafts[t])
    batch = [sc.drafts[t] for t in ("points_notice", "credit_report")]
    with pytest.raises(ServiceError, match="已取消"):
        notices.issue(sc.db, actor=sc.actors["office"], notices=batch, password=ns.CERT_PASSWORD, produce=produce,
                      progress=lambda done, total, message: done < 2)
    assert all(notice_register.detail(sc.db, notice=u)["issue"] is None for u in batch)
    issued = ns.issue(sc, batch + [sc.drafts["credit_result"]])
    year = date.today().year
    assert [i.doc_number for i in issued] == [f"宁医保记〔{year}〕1号", f"宁医保报〔{year}〕1号", f"宁医保信〔{year}〕1号"]
    assert len({i.verify_code for i in issued}) == 3


def test_a_voided_notice_keeps_its_number_and_the_next_one_follows(sc):
    uuid = sc.drafts["credit_result"]
    with pytest.raises(PermissionDenied):
        notices.void(sc.db, actor=sc.actors["office"], notice=uuid, reason="x")
    with pytest.raises(ValidationError):
        notices.void(sc.db, actor=sc.actors["signer"], notice=uuid, reason=" ")
    notices.void(sc.db, actor=sc.actors["signer"], notice=uuid, reason="送达地址有误，另行制发")
    entry = notice_register.lookup(sc.db, code=notice_register.detail(sc.db, notice=uuid)["issue"]["verify_code"])
    assert entry["voided"] == "送达地址有误，另行制发" and entry["doc_number"].endswith("〕1号")
    again = notices.draft(sc.db, actor=sc.actors["clerk"], type="credit_result", subject=sc.subjects["practitioner"]).value
    ns.sign_through(sc, again.uuid)
    [second] = ns.issue(sc, [again.uuid])
    assert second.doc_number == f"宁医保信〔{date.today().year}〕2号"


def test_delivery_starts_the_objection_period_and_corrections_are_new_rows(sc):
    """鲁医保发〔2024〕25号 第十条: 15 working days from receiving the 信用结果告知书 (in force to 2026-08-09)."""
    uuid = sc.drafts["settlement_suspend"]
    if state(sc, uuid) == "draft":  # when run alone, before the numbering test signed it
        ns.sign_through(sc, uuid)
    with pytest.raises(ValidationError, match="倒签理由"):  # 成文日期 months back: only with a recorded reason
        ns.issue(sc, [uuid], issued_on=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="早于告知书所载事实的日期2026-05-06"):
        ns.issue(sc, [uuid], issued_on=date(2026, 5, 5), backdate_reason="补办")
    [row] = ns.issue(sc, [uuid], issued_on=date(2026, 6, 30), backdate_reason="原件2026年6月30日已送达，补办电子登记")
    steps = notice_register.detail(sc.db, notice=uuid)["steps"]
    assert "倒签理由：原件2026年6月30日已送达" in steps[-1]["note"]
    assert row.doc_number.startswith("宁医保结〔2026〕")
    with pytest.raises(ValidationError) as err:
        notices.deliver(sc.db, actor=sc.actors["clerk"], notice=uuid, delivered_on="2026-06-29", method="邮寄送达")
    assert err.value.field == "送达日期"
    with pytest.raises(ValidationError) as err:
        notices.deliver(sc.db, actor=sc.actors["clerk"], notice=uuid, delivered_on="2026-07-01", method="飞鸽传书")
    assert err.value.field == "送达方式"
    first = notices.deliver(sc.db, actor=sc.actors["clerk"], notice=uuid, delivered_on="2026-07-01",
                            method="邮寄送达", recipient="本人").value
    assert first["deadline"] == date(2026, 7, 22) and "第十条" in first["basis"]
    with pytest.raises(ServiceError, match="已于2026-07-01登记送达"):
        notices.deliver(sc.db, actor=sc.actors["clerk"], notice=uuid, delivered_on="2026-07-02", method="直接送达")
    notices.deliver(sc.db, actor=sc.actors["clerk"], notice=uuid, delivered_on="2026-07-02", method="直接送达",
                    correcting=True, note="邮件退回，改为直接送达")
    detail = notice_register.detail(sc.db, notice=uuid)
    assert [d["delivered_on"] for d in detail["deliveries"]] == [date(2026, 7, 1), date(2026, 7, 2)]
    assert detail["delivery"]["deadline"] == date(2026, 7, 23)
    assert notices.delivered_on(sc.db, subject=sc.subjects["insured"], type="settlement_suspend") == date(2026, 7, 2)


def test_the_first_print_is_the_original_and_every_later_one_a_copy(sc):
    uuid = sc.drafts["points_notice"]
    assert notices.record_print(sc.db, actor=sc.actors["clerk"], notices=[uuid]).value == {uuid: False}
    assert notices.record_print(sc.db, actor=sc.actors["clerk"], notices=[uuid]).value == {uuid: True}
    notes = [s["note"] for s in notice_register.detail(sc.db, notice=uuid)["steps"] if s["step"] == "print"]
    assert notes == ["正本", "副本"]


def test_the_register_cannot_be_rewritten(sc):
    con = sqlite3.connect(sc.path)
    for sql in ("UPDATE notice_issues SET number = 7", "DELETE FROM notice_issues", "DELETE FROM notice_steps",
                "UPDATE notice_deliveries SET delivered_on = '2026-01-01'", "DELETE FROM notices"):
        with pytest.raises(sqlite3.DatabaseError):
            con.execute(sql)
    con.close()


def test_register_filters_and_lookup_by_scanned_qr_text(sc):
    rows = notice_register.page(sc.db, filter=notice_register.RegisterFilter(state="issued"))
    assert rows and all(r.state_name == "已印发" for r in rows)
    code = rows[0].verify_code
    scanned = f"CDVERIFY:370921:{code}"
    assert notice_register.lookup(sc.db, code=scanned)["verify_code"] == code
    assert notice_register.lookup(sc.db, code=code.lower().replace("-", " "))["verify_code"] == code
    assert notice_register.page(sc.db, filter=notice_register.RegisterFilter(text=code))[0].verify_code == code
    with pytest.raises(ValidationError):
        notice_register.lookup(sc.db, code="12")
    assert notice_register.count(sc.db, filter=notice_register.RegisterFilter(type="credit_result")) >= 2


def test_prefix_and_series_are_county_settings_with_history(sc):
    with pytest.raises(PermissionDenied):
        notices.set_settings(sc.db, actor=sc.actors["clerk"], changes={"prefix": "宁阳医保"}, reason="x")
    with pytest.raises(ValidationError):
        notices.set_settings(sc.db, actor=sc.actors["admin"], changes={"series": {"nope": "x"}}, reason="x")
    conf = notices.set_settings(sc.db, actor=sc.actors["admin"], changes={"series": {"points_notice": "分"},
                                                                          "appeal_days": "15"}, reason="局务会决定").value
    assert notices.prefix_for(conf, "points_notice") == "宁医保分" and conf["appeal_days"] == 15
    assert notices.default_prefix("磐安县") == "磐医保"


def test_a_content_change_after_review_blocks_sign_off(sc):
    """The suspension's months are chosen again after review: what was reviewed is not what would be issued.
    (Last in this module: it changes the practitioner's file.)"""
    from models.services import measures

    uuid = sc.drafts["pq_suspend"]
    notices.review(sc.db, actor=sc.actors["reviewer"], notice=uuid)
    record = ns.payload(sc, uuid)["record"]
    measures.choose_measure(sc.db, actor=sc.actors["reviewer"], record=record, months=4, reason="复核后改为4个月")
    with pytest.raises(ServiceError, match="审核后发生了变化"):
        notices.sign_off(sc.db, actor=sc.actors["signer"], notice=uuid)
    notices.sign_off(sc.db, actor=sc.actors["signer"], notice=uuid, approve=False, note="期限已变更，重新起草")
    assert state(sc, uuid) == "returned"
    again = notices.draft(sc.db, actor=sc.actors["clerk"], type="pq_suspend", record=record).value
    _type, facts = notice_register.facts(sc.db, notice=again.uuid)
    assert facts["measure"]["months"] == 4


def test_an_objection_counts_from_the_recorded_delivery_of_the_credit_result_notice(sc):
    """鲁医保发〔2024〕25号 第十条: the filing period runs from receipt of the 信用结果告知书."""
    from models.services import objections

    with pytest.raises(ValidationError) as err:
        objections.file(sc.db, actor=sc.actors["clerk"], subject=sc.subjects["insured"], record=None,
                        delivered_on=None, received_on="2026-07-10", reason="金额有误")
    assert err.value.field == "告知书送达日期"
    uuid = notices.draft(sc.db, actor=sc.actors["clerk"], type="credit_result", subject=sc.subjects["practitioner"],
                         as_of="2026-06-29").value.uuid  # a result as of then, issued then (registered now)
    ns.sign_through(sc, uuid)
    ns.issue(sc, [uuid], issued_on=date(2026, 6, 30), backdate_reason="纸质文书当日已印发，补录")
    notices.deliver(sc.db, actor=sc.actors["clerk"], notice=uuid, delivered_on="2026-07-01", method="直接送达")
    filed = objections.file(sc.db, actor=sc.actors["clerk"], subject=sc.subjects["practitioner"], record=None,
                            delivered_on=None, received_on="2026-07-10", reason="评价有误").value
    assert filed.delivered_on == date(2026, 7, 1)
