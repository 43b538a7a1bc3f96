"""Demo data generator: fills every table with valid, repeatable data in one transaction."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import validation
from models.db.database import open_database
from models.db.tables import AuditEntry, County, CreditRecord, Registration, RegistrationStatus, ServiceCommitment, Subject
from models.services import county as county_service
from models.services import users
from models.services.base import Actor, PermissionDenied, ServiceError
from models.services.demo import Cancelled, fill_demo
from models.services.records import DECISION_TYPES, SOURCES
from models.services.subjects import initials_of

TODAY = date(2025, 6, 30)
ALL_KINDS = {
    "pq_agreement_minor", "pq_agreement_serious", "pq_admin_penalty", "pq_fraud", "criminal_fraud", "refuse_penalty",
    "kickback", "insured_illegal_use", "insured_criminal_fraud", "inst_agreement_handling", "inst_admin_penalty",
    "commendation", "verified_report", "credit_commitment", "outstanding_practitioner", "inst_credit_commitment",
}
# Default points mapping (DOMAIN.md §3.2): 一般 = low end of the band, 重要 = middle, 主要 = high end.
BANDS = {"pq_agreement_minor": (1, 3), "pq_agreement_serious": (4, 6), "pq_admin_penalty": (7, 9), "pq_fraud": (10, 12)}
LEVEL = {"一般": 0, "重要": 1, "主要": 2}


def new_db(path, profile: str = "shandong"):
    db = open_database(str(path))
    if profile in county_service.available_profiles():
        result = county_service.initialise(db, code="370921", name="宁阳县", profile=profile,
                                           admin_username="admin", admin_password="abc12345")
        return db, result.value[1]
    # No policy profile shipped yet: the county row by hand, as initialise would write it.
    with db.session() as s:
        s.add(County(code="370921", name="宁阳县", profile="demo"))
        s.commit()
    return db, users.create_first_admin(db, username="admin", password="abc12345")


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def rows(db, stmt) -> list:
    with db.session() as s:
        return list(s.execute(stmt))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db, admin = new_db(tmp_path_factory.mktemp("demo") / "t.sqlite3")
    calls = []
    summary = fill_demo(db, actor=admin, scale="small", seed=3, today=TODAY, progress=lambda *a: calls.append(a))
    yield db, admin, summary, calls
    db.dispose()


def test_small_scale_fills_every_table(loaded):
    db, _, summary, _ = loaded
    by_type = dict(rows(db, select(Subject.type, func.count()).group_by(Subject.type)))
    assert by_type == {"institution": summary.institutions, "practitioner": summary.practitioners, "insured": summary.insured}
    assert (summary.institutions, summary.practitioners, summary.insured) == (8, 60, 500)
    assert count(db, Registration) == summary.registrations > summary.practitioners
    # One entry at registration, and one more for each change the payment measures made (状态联动).
    assert count(db, RegistrationStatus) >= summary.registration_status == summary.registrations
    assert 0 < count(db, ServiceCommitment) == summary.service_commitments <= summary.registrations
    assert count(db, CreditRecord) == summary.credit_records > 0
    assert summary.seconds > 0  # reported to the user; its speed is bench/bench_demo.py's business, not a test's
    kinds = {k for k, in rows(db, select(Subject.institution_kind).where(Subject.type == "institution"))}
    assert kinds == {"hospital", "clinic", "pharmacy"}
    assert all(t for t, in rows(db, select(Subject.township).where(Subject.type != "practitioner")))


def test_records_cover_every_kind_with_plausible_fields(loaded):
    db = loaded[0]
    records = [r for r, in rows(db, select(CreditRecord))]
    assert {r.kind for r in records} == ALL_KINDS
    for r in records:
        assert r.source in SOURCES
        assert r.good == (r.decision_type is None)
        assert r.good or (r.decision_type in DECISION_TYPES and r.case_no), r.kind
        assert TODAY >= r.decision_date >= date(2021, 12, 1)
        assert (r.responsibility is not None) == r.kind.startswith("pq_")
    cases = {r.case_no for r in records if r.decision_type == "行政处罚"}
    assert all(c.startswith("宁医保罚〔") and c.endswith("号") for c in cases)
    assert any(r.case_no.startswith("（") and "鲁0921刑初" in r.case_no for r in records)


@pytest.mark.skipif("panan" not in county_service.available_profiles(), reason="磐安 profile not shipped")
def test_only_kinds_of_the_county_profile_are_written(tmp_path):
    from models.services.catalogue import kinds

    db, admin = new_db(tmp_path / "t.sqlite3", profile="panan")
    fill_demo(db, actor=admin, scale="small", today=TODAY)
    written = {k for k, in rows(db, select(CreditRecord.kind).distinct())}
    assert written and written <= set(kinds("panan")) and "insured_illegal_use" not in written


def test_insured_losses_span_every_tier(loaded):
    losses = [a for a, in rows(loaded[0], select(CreditRecord.amount).where(CreditRecord.kind == "insured_illegal_use"))]
    assert {Decimal("99999.99"), Decimal("100000.00"), Decimal("199999.99"), Decimal("200000.00")} <= set(losses)
    assert sum(a < 100_000 for a in losses) > len(losses) / 2


def yearly_points(db) -> dict[tuple[int, int], int]:
    points = defaultdict(int)
    for sid, kind, on, resp in rows(db, select(CreditRecord.subject_id, CreditRecord.kind, CreditRecord.decision_date,
                                               CreditRecord.responsibility).where(CreditRecord.kind.in_(BANDS))):
        low, high = BANDS[kind]
        points[sid, on.year] += low + (high - low) * LEVEL[resp] // 2
    return points


@pytest.mark.parametrize("today", [TODAY, date(2025, 1, 15)])
def test_some_practitioners_reach_suspension_and_termination(tmp_path, today):
    db, admin = new_db(tmp_path / "t.sqlite3")
    fill_demo(db, actor=admin, scale="small", seed=5, today=today)
    totals = yearly_points(db).values()
    assert any(9 <= t < 12 for t in totals) and any(t >= 12 for t in totals)
    note = "%多点执业，一年内累计12分%"
    (sid,), = set(rows(db, select(CreditRecord.subject_id).where(CreditRecord.note.like(note))))
    assert len(rows(db, select(Registration.id).where(Registration.practitioner_id == sid))) >= 2


def test_registrations_multi_site_and_commitments(loaded):
    db = loaded[0]
    per_person = Counter(p for p, in rows(db, select(Registration.practitioner_id)))
    multi = [n for n in per_person.values() if n > 1]
    assert multi and all(n <= 3 for n in multi) and len(multi) <= 0.15 * len(per_person)
    first = rows(db, select(RegistrationStatus.status).where(RegistrationStatus.reason == "登记备案"))
    assert {s for s, in first} == {"正常"} and len(first) == count(db, Registration)
    assert {k for k, in rows(db, select(ServiceCommitment.kind))} == {"个人", "集体"}


def test_numbers_pass_validation_and_initials_match(loaded):
    db = loaded[0]
    subjects = [s for s, in rows(db, select(Subject))]
    for s in subjects:
        if s.type == "institution":
            assert validation.credit_code(s.credit_code) == s.credit_code
            assert s.insurance_code[0] in "HP" and s.insurance_code[1:7] == "370921"
        else:
            assert validation.id_number(s.id_number) == s.id_number
        assert s.initials == initials_of(s.name), s.name
        assert s.origin_county == "370921" and s.sync_pending
    assert sum(s.id_number[:6] != "370921" for s in subjects if s.id_number) > 0  # some from neighbouring counties
    both = {s.id_number for s in subjects if s.type == "practitioner"} & {s.id_number for s in subjects if s.type == "insured"}
    assert both  # practitioners are insured persons too


def snapshot(db) -> list:
    return rows(db, select(Subject.type, Subject.name, Subject.id_number, Subject.credit_code, Subject.uuid).order_by(Subject.id)) + \
        rows(db, select(CreditRecord.kind, CreditRecord.case_no, CreditRecord.decision_date, CreditRecord.amount).order_by(CreditRecord.id))


def test_same_seed_gives_same_data(tmp_path):
    snaps = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        db, admin = new_db(tmp_path / f"{name}.sqlite3")
        fill_demo(db, actor=admin, scale="small", seed=seed, today=TODAY)
        snaps.append(snapshot(db))
        db.dispose()
    assert snaps[0] == snaps[1]
    assert snaps[0] != snaps[2]


def test_audit_entry_and_progress(loaded):
    db, admin, summary, calls = loaded
    (entry,), = rows(db, select(AuditEntry).where(AuditEntry.action == "demo.load"))
    assert entry.actor == admin.username and '"insured": 500' in entry.after
    done = [c[0] for c in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1] == sum(
        getattr(summary, f) for f in ("institutions", "practitioners", "insured", "registrations", "registration_status",
                                      "service_commitments", "credit_records"))


def test_second_load_is_refused(loaded):
    db, admin, _, _ = loaded
    with pytest.raises(ServiceError, match="数据库中已有数据"):
        fill_demo(db, actor=admin, scale="small", today=TODAY)


def test_clerk_is_refused(tmp_path):
    db, _ = new_db(tmp_path / "t.sqlite3")
    with pytest.raises(PermissionDenied):
        fill_demo(db, actor=Actor("clerk1", "录入员甲", frozenset({"clerk"})), scale="small")
    assert count(db, Subject) == 0


def test_cancel_leaves_database_empty(tmp_path):
    db, admin = new_db(tmp_path / "t.sqlite3")
    calls = []

    def progress(done, total, message):
        calls.append(done)
        return len(calls) < 4  # stop after a few chunks were written

    with pytest.raises(Cancelled):
        fill_demo(db, actor=admin, scale="small", progress=progress, today=TODAY)
    assert calls[-1] > 0
    for model in (Subject, Registration, RegistrationStatus, ServiceCommitment, CreditRecord):
        assert count(db, model) == 0
    assert not rows(db, select(AuditEntry).where(AuditEntry.action == "demo.load"))
    assert fill_demo(db, actor=admin, scale="small", today=TODAY).insured == 500  # still usable afterwards


def test_refusals_without_county_bad_scale_or_future_date(tmp_path):
    db = open_database(str(tmp_path / "t.sqlite3"))
    admin = users.create_first_admin(db, username="admin", password="abc12345")
    with pytest.raises(ServiceError, match="尚未初始化"):
        fill_demo(db, actor=admin, scale="small")
    with pytest.raises(ServiceError, match="huge"):
        fill_demo(db, actor=admin, scale="huge")
    for wrong in (date(date.today().year + 1, 1, 1), date(2021, 6, 1)):
        with pytest.raises(ServiceError, match="不晚于今天"):
            fill_demo(db, actor=admin, scale="small", today=wrong)


@pytest.mark.skipif("shandong" not in county_service.available_profiles(), reason="山东 profile not shipped")
def test_policy_engine_suspends_and_terminates_the_scenario_practitioners(tmp_path):
    """Against today's date, so that the points rules of the shipped packs are in force."""
    from models.services import standing

    db, admin = new_db(tmp_path / "t.sqlite3")
    fill_demo(db, actor=admin, scale="small", seed=2)
    people = rows(db, select(Subject.uuid, CreditRecord.note).join(CreditRecord, CreditRecord.subject_id == Subject.id)
                  .where(CreditRecord.note.like("%演示情形：%")))
    expected = {label.split("（演示情形：")[1]: uuid for uuid, label in people}
    assert len(expected) == 5
    for label, uuid in expected.items():
        names = " ".join(m["name"] for m in standing.explain(db, actor=admin, subject=uuid)["measures"])
        assert ("终止医保支付资格" in names) == ("终止" in label), label
        assert ("暂停医保支付资格" in names) == label.endswith("，暂停）"), label


def test_after_demo_the_warnings_follow_the_standings(tmp_path):
    """信用预警 are checked county-wide when the demo's standings are computed, as after every county-wide run:
    practitioners with 6 or more points of the year below the suspension threshold are warned at once."""
    from models.db.tables_warnings import CreditWarning
    from models.db.tables import SubjectStanding

    db, admin = new_db(tmp_path / "t.sqlite3")
    with db.session() as s:
        s.get(County, "370921").profile = "shandong"
        s.commit()
    fill_demo(db, actor=admin, scale="small", seed=2)
    near = {sid for sid, in rows(db, select(SubjectStanding.subject_id).join(Subject, Subject.id == SubjectStanding.subject_id)
                                  .where(Subject.type == "practitioner", SubjectStanding.points_total.between(6, 8)))}
    warned = {sid for sid, in rows(db, select(CreditWarning.subject_id).where(CreditWarning.rule == "points_near_suspension",
                                                                              CreditWarning.cleared_on.is_(None)))}
    assert near and warned == near
