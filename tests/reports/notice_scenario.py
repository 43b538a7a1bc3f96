"""A demo county with one notice of every type drafted through the real services, and a test certificate.

Used by the document checks here and by tests/integration/test_notices*.py; building it takes a few
seconds, so those tests share one per session.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

PASSWORD = "abc12345"
CERT_PASSWORD = "证书口令-2026"
SETTINGS = {"appeal_days": 15, "phone": "0538-5621234", "address": "宁阳县医疗保障局信用管理科，宁阳县中心路88号"}
NAMES = {"clerk": "王丽", "reviewer": "李明", "reviewer2": "赵强", "signer": "孙建国", "office": "周敏", "admin2": "吴刚"}
STAFF = {"clerk": "录入员", "reviewer": "审核员", "reviewer2": "审核员", "signer": "签发人", "office": "录入员", "admin2": "管理员"}


@dataclass
class Scenario:
    db: object
    path: Path
    actors: dict
    ca_pem: bytes
    p12: bytes
    drafts: dict = field(default_factory=dict)  # doc type → notice uuid
    subjects: dict = field(default_factory=dict)  # role → subject uuid


def _pending(db, kind: str, since: date = date(2000, 1, 1), until: date = date(2100, 1, 1)):
    with db.session() as s:
        rows = s.execute(text("SELECT r.uuid, r.subject_id FROM credit_records r JOIN subjects j ON j.id = r.subject_id "
                              "WHERE r.kind = :k AND r.decision_date BETWEEN :a AND :b ORDER BY r.decision_date DESC"),
                         {"k": kind, "a": since, "b": until}).all()
    return rows


def build(folder: Path) -> Scenario:
    from models.db.database import open_database
    from models.services import appeals, county, demo, evaluation, measures, notices, objections, repairs, signing
    from models.services import users
    from models.services import standing
    from models.db.tables import CreditRecord
    from reports.signing import make_test_certificates

    path = folder / "notices.sqlite3"
    db = open_database(str(path))
    county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                      admin_password=PASSWORD)
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    actors = {"admin": admin}
    for name, roles in STAFF.items():
        users.add_user(db, actor=admin, username=name, display_name=NAMES[name], password=PASSWORD, roles=roles)
        actors[name] = users.authenticate(db, username=name, password=PASSWORD)
    demo.fill_demo(db, actor=admin, scale="small", seed=1)
    standing.evaluate_all(db, actor=actors["reviewer"])
    ca_pem, p12 = make_test_certificates("宁阳县医疗保障局", CERT_PASSWORD)
    signing.install(db, actor=admin, p12=p12, password=CERT_PASSWORD, test_only=True)
    sc = Scenario(db, path, actors, ca_pem, p12)
    # 济医保发〔2025〕6号 四（八） fixes no appeal period: the bureau sets one, and the 经办人's phone.
    notices.set_settings(db, actor=admin, changes=SETTINGS, reason="局务会议决定")
    clerk, reviewer = actors["clerk"], actors["reviewer"]

    def draft(type_, **kw):
        sc.drafts[type_] = notices.draft(db, actor=clerk, type=type_, **kw).value.uuid

    # A practitioner whose 9 points call for a suspension the reviewer chooses (1–6 months).
    with db.session() as s:
        for uuid, _sid in _pending(db, "pq_admin_penalty") + _pending(db, "pq_fraud"):
            rec = s.scalar(select(CreditRecord).where(CreditRecord.uuid == uuid))
            ev = standing.of(_Uow(s), rec.subject, date.today())
            wanted = [m for m in ev["measures"] if m["record"] == uuid and m["kind"] == "suspend_payment_qualification"]
            if wanted and wanted[0]["status"] == "pending_choice":
                sc.subjects["practitioner"], pq_record = rec.subject.uuid, uuid
                break
    measures.choose_measure(db, actor=reviewer, record=pq_record, months=3, reason="首次违规，积极配合调查")
    draft("points_notice", record=pq_record)
    draft("pq_suspend", record=pq_record)
    # 12 points: 终止 with its ban on registration (医保发〔2024〕23号; 济医保发〔2025〕6号 四（六）).
    with db.session() as s:
        for uuid, _sid in _pending(db, "pq_admin_penalty") + _pending(db, "pq_fraud"):
            rec = s.scalar(select(CreditRecord).where(CreditRecord.uuid == uuid))
            ev = standing.of(_Uow(s), rec.subject, date.today())
            if any(m["record"] == uuid and m["kind"] == "terminate_payment_qualification" and m["start"]
                   for m in ev["measures"]):
                terminated = uuid
                break
    draft("pq_terminate", record=terminated)
    draft("credit_result", subject=sc.subjects["practitioner"])
    draft("credit_report", subject=sc.subjects["practitioner"])
    draft("public_list", list="black")

    for uuid, _sid in _pending(db, "insured_illegal_use"):
        with db.session() as s:
            rec = s.scalar(select(CreditRecord).where(CreditRecord.uuid == uuid))
            ev = standing.of(_Uow(s), rec.subject, date.today())
            wanted = [m for m in ev["measures"] if m["record"] == uuid and m["kind"] == "suspend_network_settlement"]
            low = wanted and wanted[0]["status"] == "pending_choice" and wanted[0]["allowed_range"]["lower"]
            if low:
                months = int(low[0])
                sc.subjects["insured"] = rec.subject.uuid
                break
    measures.choose_measure(db, actor=reviewer, record=uuid, months=months, reason="首次违法使用，基金损失已退回")
    draft("settlement_suspend", record=uuid)

    # 附件2: an objection to the points, upheld by the reviewer.
    today = date.today()
    o = objections.file(db, actor=clerk, subject=sc.subjects["practitioner"], record=pq_record,
                        delivered_on=today - timedelta(days=3), received_on=today, reason="本人仅为次要责任，记分过高").value
    objections.decide(db, actor=reviewer, objection=o.uuid, outcome="维持", answer="经复核，责任认定事实清楚、证据确实，维持原记分。")
    # 申诉 (济医保发〔2025〕6号 四（八）): an appeal against the same points, upheld; its answer is a notice draft.
    a = appeals.file(db, actor=clerk, record=pq_record, received_on=today, reason="本人仅协助结算，不应记分").value
    appeals.decide(db, actor=reviewer, appeal=a.uuid, outcome="维持", answer="经复核，责任认定事实清楚，维持原记分。",
                   basis="《医疗保障基金使用监督管理条例》第三十八条")
    # 附件4 and 附件5: repair refused (within 6 months) and granted (an older record).
    recent = repairs.apply(db, actor=clerk, record=pq_record, applied_on=today, materials="整改报告",
                           commitment="承诺不再发生同类行为").value
    repairs.decide(db, actor=reviewer, repair=recent.uuid, grant=False, reason="认定之日起未满6个月")
    # An older record, decided while 鲁医保发〔2024〕25号 was in force (its 第十一条 is the repair's basis).
    for uuid, _sid in _pending(db, "pq_agreement_minor", since=date(2024, 8, 10), until=date(2026, 5, 31)):
        r = repairs.apply(db, actor=clerk, record=uuid, applied_on=today, materials="整改报告和培训证明",
                          commitment="承诺不再发生同类行为").value
        if r.eligible:
            repairs.decide(db, actor=reviewer, repair=r.uuid, grant=True, reason="已纠正并消除影响")
            break
    with db.session() as s:
        answers = "('objection_answer','repair_refused','repair_confirmed','appeal_answer')"
        for type_, uuid in s.execute(text(f"SELECT type, uuid FROM notices WHERE type IN {answers} ORDER BY id")):
            sc.drafts.setdefault(type_, uuid)
    return sc


class _Uow:
    """Just enough of a unit of work for read-only helpers in tests."""

    def __init__(self, session):
        self.session = session
        self.actor = None


def sign_through(sc: Scenario, uuid: str) -> None:
    """Review and sign off a draft by two people other than its drafter."""
    from models.services import notices, notice_register

    drafter = notice_register.detail(sc.db, notice=uuid)["created_by"]
    notices.review(sc.db, actor=sc.actors["reviewer2" if drafter == "reviewer" else "reviewer"], notice=uuid)
    notices.sign_off(sc.db, actor=sc.actors["signer"], notice=uuid)


def issue(sc: Scenario, uuids: list[str], **kw):
    from models.services import notices
    from reports.issuing import produce

    return notices.issue(sc.db, actor=sc.actors["office"], notices=uuids, password=CERT_PASSWORD, produce=produce,
                         **kw).value


def payload(sc: Scenario, uuid: str) -> dict:
    with sc.db.session() as s:
        return json.loads(s.execute(text("SELECT payload FROM notices WHERE uuid = :u"), {"u": uuid}).scalar())


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        import pytest

        pytest.skip(f"{name} is not installed (tools/setup.sh test installs it)")
    return path


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def nss_trusting(folder: Path) -> str:
    """An NSS database in ``folder``/nssdb trusting ``folder``/ca.pem, as pdfsig needs (it trusts nothing else)."""
    certutil = tool("certutil")
    db = folder / "nssdb"
    db.mkdir(exist_ok=True)
    subprocess.run([certutil, "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run([certutil, "-A", "-n", "test-root", "-t", "CT,C,C", "-i", str(folder / "ca.pem"), "-d", f"sql:{db}"],
                   check=True, capture_output=True)
    return f"sql:{db}"
