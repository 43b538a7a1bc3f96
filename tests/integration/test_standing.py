"""One legal standing per subject: every screen, document, list and date reads the same truth."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.db.tables import EvaluationSnapshot, RegistrationStatus, Subject, SubjectStanding
from models.db.tables_casework import MeasureRow, Notice
from models.policy.dates import add_years
from models.queries.credit_file import credit_file
from models.services import notice_facts, notices, records, standing, subjects, tick
from models.services.base import UnitOfWork
from models.validation import ValidationError
from points_path import confirmed_points
from test_credit_file import inst_code, person_id

TODAY = date.today()
EXEMPLARY = ("优秀", "良好")


@pytest.fixture
def hospitals(db, clerk):
    for n, name in ((1, "甲医院"), (2, "乙卫生院")):
        subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": name, "credit_code": inst_code(n)})


def doctor(db, clerk, n: int = 1, at=(1,), on: str = "2025-01-02"):
    return subjects.add_subject(db, actor=clerk, data={
        "type": "practitioner", "name": f"医师{n}", "id_number": person_id(n), "institutions": [inst_code(i) for i in at],
        "registered_on": on}).value


def row(db, uuid: str) -> SubjectStanding:
    with db.session() as s:
        return s.scalar(select(SubjectStanding).join(Subject, Subject.id == SubjectStanding.subject_id)
                        .where(Subject.uuid == uuid))


def test_huaian_3_5_a_terminated_blacklisted_practitioner_is_nowhere_presented_as_exemplary(
        db, admin, clerk, hospitals):
    """One decision of 12 points (济 四（六）, 3-year ban), fraud on the black list (淮 三（五）): the standing, the
    credit file, the list columns and the published black list all say the same."""
    doc = doctor(db, clerk, at=(1, 2))
    confirmed_points(db, clerk, doc.uuid, "pq_fraud", TODAY - timedelta(days=20), "主要", "宁医保罚〔2026〕80号",
                     decision_type="行政处罚")
    st = standing.explain(db, actor=admin, subject=doc.uuid)
    assert st["grade"] not in EXEMPLARY
    assert not [m for m in st["measures"] if m["kind"] in ("public_commendation", "fewer_inspections",
                                                           "credit_services", "other_incentive")]
    assert {s["kind"] for s in st["sanctions"]} >= {"registration_ban", "list_black"}
    assert [li["list"] for li in st["lists"]] == ["black"]
    assert {r["status"] for r in st["registrations"]} == {"终止"}
    file = credit_file(db, actor=admin, subject=doc.uuid)
    assert {r["status"] for r in file["registrations"]} == {"终止"}
    stored = row(db, doc.uuid)
    assert (stored.black, stored.red, stored.sanction, stored.registration_status) == (True, False, True, "终止")
    assert stored.ban_until == add_years(TODAY - timedelta(days=20), 3)
    drafted = notices.draft(db, actor=clerk, type="public_list", list="black").value
    with UnitOfWork(db) as uow:
        facts = notice_facts.gather(uow, uow.session.scalar(select(Notice).where(Notice.uuid == drafted.uuid)))
    assert {e["name"] for e in facts["entries"]} == {"医师1", "甲医院"}  # 行政处罚 puts the institution there too


def test_a_registration_is_refused_while_a_ban_runs_naming_the_ban_and_its_end(db, clerk, hospitals):
    """医保发〔2024〕23号 (济 四（六）): 12 points by accumulation → 终止 and 1 year without a new registration."""
    doc = doctor(db, clerk)
    first = date(2025, 5, 6)
    confirmed_points(db, clerk, doc.uuid, "pq_admin_penalty", first, "主要", "宁医保罚〔2025〕11号",
                     decision_type="行政处罚")  # 9
    confirmed_points(db, clerk, doc.uuid, "pq_agreement_minor", first + timedelta(days=30), "主要",
                     "宁医保协〔2025〕12号")  # 12: 终止 on this day, ban for 1 year
    last_day = add_years(first + timedelta(days=30), 1)
    with pytest.raises(ValidationError, match=f"登记备案日期.*不得再次登记备案.*至{last_day.isoformat()}"):
        subjects.add_registration(db, actor=clerk, practitioner=doc.uuid, institution=inst_code(2),
                                  registered_on=last_day)
    subjects.add_registration(db, actor=clerk, practitioner=doc.uuid, institution=inst_code(2),
                              registered_on=last_day + timedelta(days=1))


def test_a_roster_row_is_refused_while_a_ban_runs(db, admin, clerk, hospitals):
    from models.services import excel_import
    from test_excel_import import ROSTER_HEAD, xlsx

    doc = doctor(db, clerk)
    confirmed_points(db, clerk, doc.uuid, "pq_fraud", TODAY - timedelta(days=3), "主要", "宁医保罚〔2026〕81号",
                     decision_type="行政处罚")
    data = xlsx([ROSTER_HEAD, [doc.name, doc.id_number, "医师", "", inst_code(2), TODAY.isoformat(), "", "", ""]])
    out = excel_import.import_file(db, actor=admin, kind="roster", data=data, filename="名册.xlsx").value
    assert out.imported == 0 and "不得再次登记备案" in out.errors[0]["problem"]


def test_tick_for_an_earlier_day_never_ends_or_revokes_a_later_termination(db, admin, clerk, hospitals):
    doc = doctor(db, clerk)
    confirmed_points(db, clerk, doc.uuid, "pq_fraud", TODAY - timedelta(days=10), "主要", "宁医保罚〔2026〕82号",
                     decision_type="行政处罚")

    def state():
        with db.session() as s:
            who = s.scalar(select(Subject.id).where(Subject.uuid == doc.uuid))
            rows = s.execute(select(MeasureRow.kind, MeasureRow.state, MeasureRow.ended_on)
                             .where(MeasureRow.subject_id == who).order_by(MeasureRow.id)).all()
            return rows, credit_file(db, actor=admin, subject=doc.uuid)["registrations"][0]["status"]

    before = state()
    assert ("terminate_payment_qualification", "生效", None) in before[0] and before[1] == "终止"
    tick.tick(db, actor=admin, today=TODAY - timedelta(days=40))
    tick.tick(db, actor=admin, today=TODAY - timedelta(days=40))
    assert state() == before


def test_status_history_is_never_dated_before_the_registration(db, admin, clerk, reviewer, hospitals):
    """状态联动 (济 四（三）): a registration made during a suspension starts suspended, on its own date."""
    from models.services import measures

    doc = doctor(db, clerk)
    rec = confirmed_points(db, clerk, doc.uuid, "pq_admin_penalty", TODAY - timedelta(days=20), "主要",
                           "宁医保罚〔2026〕83号", decision_type="行政处罚")
    measures.choose_measure(db, actor=reviewer, record=rec.uuid, months=3, reason="首次违规")
    on = TODAY - timedelta(days=5)
    subjects.add_registration(db, actor=clerk, practitioner=doc.uuid, institution=inst_code(2), registered_on=on)
    regs = {r["institution"]["credit_code"]: r for r in credit_file(db, actor=admin, subject=doc.uuid)["registrations"]}
    new = regs[inst_code(2)]
    assert new["status"] == "暂停"
    assert all(date.fromisoformat(str(h["effective_on"])) >= on for h in new["history"])
    with db.session() as s:
        for h in s.scalars(select(RegistrationStatus)):
            assert h.effective_on >= h.registration.registered_on


@pytest.fixture
def panan_repair(tmp_path):
    """A 磐安 county where a practitioner's 250-day-old kickback record is under a repair application since 3 days."""
    from models.db.database import open_database
    from models.services import county, repairs, users

    db = open_database(str(tmp_path / "panan.sqlite3"))
    county.initialise(db, code="330727", name="磐安县", profile="panan", admin_username="admin",
                      admin_password="abc12345")
    admin = users.authenticate(db, username="admin", password="abc12345")
    for name, roles in (("clerk", "录入员"), ("reviewer", "审核员")):
        users.add_user(db, actor=admin, username=name, display_name=name, password="abc12345", roles=roles)
    clerk = users.authenticate(db, username="clerk", password="abc12345")
    reviewer = users.authenticate(db, username="reviewer", password="abc12345")
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "甲医院", "credit_code": inst_code(1)})
    doc = doctor(db, clerk)
    old = records.add_record(db, actor=clerk, data={"subject": doc.uuid, "kind": "kickback", "case_no": "磐医保罚〔2025〕1号",
                                                    "decision_date": (TODAY - timedelta(days=250)).isoformat()}).value
    applied = repairs.apply(db, actor=clerk, record=old.uuid, applied_on=TODAY - timedelta(days=3), materials="整改报告",
                            commitment="守信承诺").value
    assert applied.eligible

    def decided_meanwhile(kind: str, n: int):
        records.add_record(db, actor=clerk, data={"subject": doc.uuid, "kind": kind, "case_no": f"磐医保罚〔2026〕{n}号",
                                                  "decision_date": (TODAY - timedelta(days=1)).isoformat()})

    def grant():
        return repairs.decide(db, actor=reviewer, repair=applied.uuid, grant=True, reason="已整改").value

    yield decided_meanwhile, grant
    db.dispose()


def test_panan_24_a_repair_is_refused_at_decision_when_the_same_kind_was_decided_meanwhile(panan_repair):
    from models.services.base import ServiceError

    decided_meanwhile, grant = panan_repair
    decided_meanwhile("refuse_penalty", 2)
    decided_meanwhile("kickback", 3)
    with pytest.raises(ServiceError, match="同类失信行为.*第二十四条"):
        grant()


def test_panan_24_a_different_kind_decided_meanwhile_does_not_stop_the_repair(panan_repair):
    decided_meanwhile, grant = panan_repair
    decided_meanwhile("refuse_penalty", 2)
    assert grant().state in ("公示中", "已修复")


def test_every_standing_is_current_after_a_demo_and_the_lists_match_it(tmp_path):
    from models.db.database import open_database
    from models.services import county, demo, users

    db = open_database(str(tmp_path / "demo.sqlite3"))
    county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                      admin_password="abc12345")
    admin = users.authenticate(db, username="admin", password="abc12345")
    demo.fill_demo(db, actor=admin, scale="small", seed=5)
    with UnitOfWork(db) as uow:
        assert standing.due(uow, TODAY) == []
        # The projection has no foreign keys (migration 0023): its writers keep its references.
        assert uow.session.scalar(select(func.count()).select_from(SubjectStanding).where(
            ~SubjectStanding.subject_id.in_(select(Subject.id)))) == 0
        assert uow.session.scalar(select(func.count()).select_from(SubjectStanding).where(
            ~SubjectStanding.evaluation_id.in_(select(EvaluationSnapshot.id)))) == 0
        assert uow.session.scalar(select(func.count()).select_from(SubjectStanding)) == uow.session.scalar(
            select(func.count()).select_from(Subject))
        black = {s.id for s, _ in standing.listed(uow, "black")}
        rows = uow.session.scalars(select(SubjectStanding)).all()
        assert black == {r.subject_id for r in rows if r.black} and black
        assert not [r for r in rows if r.sanction and (r.red or r.grade in EXEMPLARY)]
        terminated = [r for r in rows if r.registration_status == "终止"]
        assert terminated
        for r in terminated:
            body = standing.of(uow, uow.session.get(Subject, r.subject_id))
            assert "terminate_payment_qualification" in {m["kind"] for m in body["measures"]}
            assert {g["status"] for g in body["registrations"]} == {"终止"}
    db.dispose()


def test_storage_grows_with_what_changed_about_2_kb_per_record_at_most(db, clerk):
    """Importing violation records adds the records and one standing version per subject, not a snapshot per row."""
    from models.services.base import run_batch

    people = [{"type": "insured", "name": f"参保人{n}", "id_number": person_id(100 + n), "insurance_type": "居民"}
              for n in range(300)]
    run_batch(db, fn=subjects.add_subject, items=people, actor=clerk)

    def size() -> int:
        with db.session() as s:
            return s.connection().exec_driver_sql("PRAGMA page_count").scalar() * \
                s.connection().exec_driver_sql("PRAGMA page_size").scalar()

    before = size()
    items = [{"subject": person_id(100 + n % 300), "kind": "insured_illegal_use", "amount": "1200.00",
              "decision_date": (TODAY - timedelta(days=n % 200)).isoformat(), "case_no": f"宁医保罚〔2026〕{n}号"}
             for n in range(900)]
    run_batch(db, fn=records.add_record, items=items, actor=clerk)
    assert (size() - before) / len(items) < 2048


def test_a_clerk_saves_while_a_county_wide_run_goes_on_without_a_locked_database(tmp_path):
    """The county-wide run holds the write lock for one short batch at a time: saves in between just wait."""
    import threading

    from models.db.database import open_database
    from models.services import county, demo, users

    path = str(tmp_path / "busy.sqlite3")
    db = open_database(path)
    county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                      admin_password="abc12345")
    admin = users.authenticate(db, username="admin", password="abc12345")
    users.add_user(db, actor=admin, username="clerk", display_name="录入员", password="abc12345", roles="录入员")
    clerk = users.authenticate(db, username="clerk", password="abc12345")
    demo.fill_demo(db, actor=admin, scale="small", seed=2)
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        insured = uow.session.scalars(select(Subject.id_number).where(Subject.type == "insured").limit(15)).all()
        uow.commit()
    other = open_database(path)  # the clerk's own connection, as a second program would have
    saved, failed = [], []

    def clerk_saves():
        for n, number in enumerate(insured):
            try:
                records.add_record(other, actor=clerk, data={
                    "subject": number, "kind": "insured_illegal_use", "amount": "800.00",
                    "decision_date": TODAY.isoformat(), "case_no": f"宁医保罚〔{TODAY.year}〕{900 + n}号"})
                saved.append(number)
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                failed.append(repr(exc))

    worker = threading.Thread(target=clerk_saves)
    worker.start()
    run = standing.refresh_due(db, actor=admin, batch=40)
    worker.join()
    assert not failed and len(saved) == len(insured)
    assert run.subjects >= 500
    with UnitOfWork(db) as uow:
        assert standing.due(uow, TODAY) == []
        # A record saved meanwhile is never overwritten by the default result of subjects without facts.
        own = uow.session.execute(select(Subject.id_number, EvaluationSnapshot.subject_id).join(
            SubjectStanding, SubjectStanding.subject_id == Subject.id).join(
            EvaluationSnapshot, EvaluationSnapshot.id == SubjectStanding.evaluation_id).where(
            Subject.id_number.in_(saved))).all()
        assert len(own) == len(saved) and all(history_of is not None for _n, history_of in own)
    other.dispose()
    db.dispose()


def test_a_program_that_imports_only_the_records_service_still_brings_the_standing_up_to_date(db, clerk, hospitals):
    """The hook is installed by the services package itself: no write path depends on someone importing it."""
    import subprocess
    import sys

    doc = doctor(db, clerk)
    before = row(db, doc.uuid).result_hash
    script = (
        "from models.db.database import open_database\n"
        "from models.services import records, users\n"
        f"db = open_database({db.url.removeprefix('sqlite:///')!r})\n"
        "clerk = users.authenticate(db, username='clerk', password='abc12345')\n"
        f"records.add_record(db, actor=clerk, data={{'subject': {doc.uuid!r}, 'kind': 'kickback', "
        "'case_no': '宁医保罚〔2026〕99号', 'decision_date': '2026-11-02'})\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert row(db, doc.uuid).result_hash != before


def _insured(db, clerk, n: int) -> list[str]:
    return [subjects.add_subject(db, actor=clerk, data={"type": "insured", "name": f"参保人{i}",
                                                          "id_number": person_id(100 + i), "insurance_type": "职工"}).value.uuid
            for i in range(n)]


def test_subjects_without_facts_share_one_history_row_and_a_county_wide_run_writes_none_per_subject(
        db, admin, clerk, monkeypatch):
    """Storage grows with changes: the default result of subjects without records, measures or registrations is
    one history row however many subjects have it; a subject gets rows of its own once it has facts."""
    people = _insured(db, clerk, 30)
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    monkeypatch.setattr(standing, "PLAIN_BATCH", 7)  # several set-based batches
    run = standing.refresh_due(db, actor=admin)
    assert run.subjects == 30
    with db.session() as s:
        rows = s.execute(select(SubjectStanding.evaluation_id, EvaluationSnapshot.subject_id).join(
            EvaluationSnapshot, EvaluationSnapshot.id == SubjectStanding.evaluation_id)).all()
        assert len(rows) == 30 and {sid for _e, sid in rows} == {None} and len({e for e, _s in rows}) == 1
        before = s.scalar(select(func.count(EvaluationSnapshot.id)))
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    standing.refresh_due(db, actor=admin)  # the rules were touched, the result is the same: no new history
    with db.session() as s:
        assert s.scalar(select(func.count(EvaluationSnapshot.id))) == before
    file = credit_file(db, actor=admin, subject=people[0])
    assert len(file["evaluations"]) == 1  # the shared row is shown in each subject's history


def test_a_record_saved_during_a_county_wide_run_is_not_overwritten_by_the_default_result(db, admin, clerk, monkeypatch):
    """The run chose its subjects without facts before it wrote them; a record saved in between (another
    program, between two batches) keeps its subject out of the default result."""
    people = _insured(db, clerk, 20)
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    monkeypatch.setattr(standing, "PLAIN_BATCH", 5)
    late = people[-1]  # in the last batch
    saved = []

    def clerk_saves_after_the_first_batch(done, total, message):
        if not saved:
            saved.append(records.add_record(db, actor=clerk, data={
                "subject": late, "kind": "insured_illegal_use", "amount": "800.00",
                "decision_date": TODAY.isoformat(), "case_no": f"宁医保罚〔{TODAY.year}〕991号"}))
        return True

    standing.refresh_due(db, actor=admin, progress=clerk_saves_after_the_first_batch)
    assert saved
    with db.session() as s:
        owner = s.scalar(select(EvaluationSnapshot.subject_id).join(
            SubjectStanding, SubjectStanding.evaluation_id == EvaluationSnapshot.id).join(
            Subject, Subject.id == SubjectStanding.subject_id).where(Subject.uuid == late))
        own = s.scalar(select(Subject.id).where(Subject.uuid == late))
    assert owner == own


def test_practitioners_whose_only_fact_is_a_registration_in_good_standing_share_the_default_result(
        db, admin, clerk, hospitals):
    """A registration in good standing changes no result: the practitioner shares the default history row, and his
    standing still shows the registration and its status; a suspension gives him a result of his own, and the
    status at every institution (状态联动, 济医保发〔2025〕6号 四（六）)."""
    plain, other = doctor(db, clerk, 1, at=(1, 2)), doctor(db, clerk, 2, at=(1,))
    with UnitOfWork(db) as uow:
        standing.mark_all_dirty(uow)
        uow.commit()
    standing.refresh_due(db, actor=admin)
    with db.session() as s:
        owners = dict(s.execute(select(Subject.uuid, EvaluationSnapshot.subject_id).join(
            SubjectStanding, SubjectStanding.subject_id == Subject.id).join(
            EvaluationSnapshot, EvaluationSnapshot.id == SubjectStanding.evaluation_id).where(
            Subject.type == "practitioner")).all())
    assert owners == {plain.uuid: None, other.uuid: None}
    assert row(db, plain.uuid).registration_status == "正常"
    st = standing.explain(db, actor=admin, subject=plain.uuid)
    assert sorted(r["institution"] for r in st["registrations"]) == ["乙卫生院", "甲医院"]
    assert {r["status"] for r in st["registrations"]} == {"正常"}
    confirmed_points(db, clerk, plain.uuid, "pq_fraud", TODAY - timedelta(days=20), "主要", "宁医保罚〔2026〕81号",
                     decision_type="行政处罚")
    stored = row(db, plain.uuid)
    assert stored.registration_status == "终止"
    with db.session() as s:
        own = s.scalars(select(EvaluationSnapshot).where(EvaluationSnapshot.subject_id == stored.subject_id)
                        .order_by(EvaluationSnapshot.id)).all()
        default = s.scalar(select(EvaluationSnapshot.result_hash).where(EvaluationSnapshot.subject_id.is_(None)))
    # His history: the default he had, then his own result.
    assert [e.result_hash == default for e in own] == [True, False] and own[-1].id == stored.evaluation_id
    assert {r["status"] for r in standing.explain(db, actor=admin, subject=plain.uuid)["registrations"]} == {"终止"}
    assert row(db, other.uuid).registration_status == "正常"


def test_a_new_registration_shows_in_the_standing_of_a_practitioner_without_facts(db, admin, clerk, hospitals):
    """The shared default result carries no registrations: the standing reads them, so a registration added later
    shows at once, with the status the standing row takes from the registrations."""
    person = doctor(db, clerk, 9, at=(1,))
    subjects.add_registration(db, actor=clerk, practitioner=person.uuid, institution=inst_code(2),
                              registered_on=date(2025, 3, 1))
    assert row(db, person.uuid).registration_status == "正常"
    st = standing.explain(db, actor=admin, subject=person.uuid)
    assert sorted((r["institution"], r["status"]) for r in st["registrations"]) == [("乙卫生院", "正常"), ("甲医院", "正常")]
