"""County A and county B send their files to the city; the city sends A a receipt and B's records of
the practitioner both counties hold; A's file of that person then counts B's points too.

鲁医保发〔2024〕25号 第五条: results are recognised across counties; DOMAIN.md §7 (一医一档 across regions).
"""
from __future__ import annotations

from datetime import date

import pytest

from test_exchange_support import (aliases, bureau, clerk, export, id_number, institution, introduce, practitioner, receipt, receive,
                                   rows_owned_by, violation)

SHARED = id_number(1, "370921")  # works in both counties (多点执业)


@pytest.fixture
def world(tmp_path):
    a = bureau(tmp_path / "a", "370921", "宁阳县")
    b = bureau(tmp_path / "b", "370923", "东平县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(a, city)
    introduce(b, city)
    inst_a = institution(a, 1, "宁阳县人民医院")
    inst_b = institution(b, 2, "东平县中医医院")
    practitioner(a, SHARED, "张伟", inst_a)
    practitioner(a, id_number(2), "李娜", inst_a)
    practitioner(b, SHARED, "张伟", inst_b)
    practitioner(b, id_number(3, "370923"), "王芳", inst_b)
    violation(a, SHARED, "宁医保协〔2026〕3号", kind="pq_agreement_minor")
    violation(b, SHARED, "东医保协〔2026〕7号", kind="pq_agreement_serious")
    yield a, b, city
    for x in (a, b, city):
        x.db.dispose()


def test_city_holds_each_county_exactly_as_sent_and_merges_the_shared_practitioner(world, tmp_path):
    a, b, city = world
    got_a = receive(city, export(a, city, tmp_path / "out-a"))
    got_b = receive(city, export(b, city, tmp_path / "out-b"))
    assert got_a.status == got_b.status == "applied"
    assert got_a.counts["subjects"] == {"new": 3}  # the hospital and two practitioners
    # B's row for the shared person joins the file the city already has (one person, one file).
    assert got_b.counts["subjects"] == {"new": 2, "merged": 1}
    assert got_b.total("conflicts") == 0
    merged = aliases(city)
    assert list(merged.values()) == [rows_owned_by(city, a.code)["subjects"] and next(
        u for u, d in rows_owned_by(city, a.code)["subjects"].items() if d["id_number"] == SHARED)]
    for county in (a, b):
        sent, held = rows_owned_by(county, county.code), rows_owned_by(city, county.code)
        held["subjects"].update({remote: sent["subjects"][remote] for remote in merged if remote in sent["subjects"]})
        assert {t: len(r) for t, r in held.items()} == {t: len(r) for t, r in sent.items()}
        for table, rows in sent.items():
            for uuid, data in rows.items():
                # References to the merged person resolve to the city's single row for that person.
                assert held[table][uuid] == {k: merged.get(v, v) if isinstance(v, str) else v for k, v in data.items()}


def test_county_receives_receipt_and_the_other_countys_records_of_the_shared_practitioner(world, tmp_path):
    from models.services import standing
    from models.services.base import UnitOfWork
    from models.services.exchange import export as ex

    a, b, city = world
    receive(city, export(a, city, tmp_path / "out-a"))
    receive(city, export(b, city, tmp_path / "out-b"))
    back = export(city, a, tmp_path / "city-to-a")
    report = receive(a, back)
    assert report.acknowledged["acknowledged"] == 1  # the city's package is also A's receipt
    # The city holds A's row of 张伟 (B's was merged into it), so only B's hospital is new here.
    assert report.counts["subjects"] == {"new": 1}
    assert report.counts["credit_records"] == {"new": 2}  # B's record of 张伟 and B's hospital's own record
    assert report.counts["registrations"] == {"new": 1}
    assert report.total("conflicts") == 0
    # The receipt covered every row A sent; only the notification of B's points to A's hospital, made on import,
    # waits for the next package.
    with UnitOfWork(a.db) as uow:
        assert ex.pending_counts(uow, a.code) == {"points_notifications": 1}
    # A's file of 张伟 now has B's record, and B's points count in A's evaluation.
    result = standing.explain(a.db, actor=a.admin, subject=SHARED)
    by_case = {e["note"] or e["record"]: e["points"] for e in result["points"]["entries"]}
    assert result["points"]["total"] == 3 + 6, by_case  # 主要责任: top of 1–3 (A) and of 4–6 (B)
    # 济医保发〔2025〕6号 四（六）: B's points reach A's hospital where the person is registered, once.
    from sqlalchemy import select

    from models.db.tables_casework import PointsNotification

    with UnitOfWork(a.db) as uow:
        told = uow.session.execute(select(PointsNotification.points, PointsNotification.year_total)).all()
    # A's own finding to its hospital, B's to B's hospital (sent with B's file), B's decision to A's hospital
    assert sorted(told) == [(3, 3), (6, 6), (6, 9)]
    # B's rows arrived exactly as B holds them, B's row of 张伟 read as the one file A keeps.
    merged = aliases(city)
    at_b = rows_owned_by(b, "370923")
    for table, rows in rows_owned_by(a, "370923").items():
        for uuid, data in rows.items():
            assert data == {k: merged.get(v, v) if isinstance(v, str) else v for k, v in at_b[table][uuid].items()}


def test_reimporting_the_same_package_changes_nothing(world, tmp_path):
    a, b, city = world
    receive(city, export(a, city, tmp_path / "out-a"))
    receive(city, export(b, city, tmp_path / "out-b"))
    back = export(city, a, tmp_path / "city-to-a")
    receive(a, back)
    before = a.dump()
    again = receive(a, back)
    assert again.status == "resend" and "重复发送" in again.message
    assert a.dump() == before


def test_rows_stay_pending_until_the_receipt_for_their_package_arrives(world, tmp_path):
    from models.services.base import ServiceError, UnitOfWork
    from models.services.exchange import export as ex

    a, _b, city = world
    first = export(a, city, tmp_path / "out")
    with UnitOfWork(a.db) as uow:
        pending = ex.pending_counts(uow, a.code)
    assert pending["subjects"] == 3 and pending["credit_records"] == 2  # the person's and the hospital's record
    # Without a receipt, the next package carries everything again plus what is new.
    violation(a, id_number(2), "宁医保协〔2026〕4号", kind="pq_agreement_minor")
    second = export(a, city, tmp_path / "out")
    assert receive(city, first).counts["credit_records"] == {"new": 2}
    assert receive(city, second).counts["credit_records"] == {"new": 2, "unchanged": 2}
    receive(a, receipt(city, a, tmp_path / "receipts"))
    with UnitOfWork(a.db) as uow:
        assert ex.pending_counts(uow, a.code) == {}
    with pytest.raises(ServiceError, match="没有需要发送"):
        export(a, city, tmp_path / "out")
    # A change after the receipt is pending again and is sent alone.
    violation(a, id_number(2), "宁医保协〔2026〕5号", kind="pq_agreement_minor")
    third = receive(city, export(a, city, tmp_path / "out"))
    assert third.sequence == 3 and third.counts["credit_records"] == {"new": 2}


def test_correction_travels_with_a_supersession_marker(world, tmp_path):
    from models.services import records

    a, _b, city = world
    original = rows_owned_by(a, a.code)["credit_records"]
    old_uuid = next(iter(original))
    new = records.correct_record(a.db, actor=clerk(a), record=old_uuid, data={"note": "金额核减"}, reason="复核更正")
    got = receive(city, export(a, city, tmp_path / "out"))
    assert got.counts["credit_records"] == {"new": 3}  # the finding's two records and the correction
    assert got.counts["markers"] == {"unchanged": 1}
    held = rows_owned_by(city, a.code)["credit_records"]
    assert held[new.value.uuid]["supersedes_id"] == old_uuid


def test_another_countys_record_in_a_local_file_cannot_be_corrected_here(world, tmp_path):
    from models.services import records
    from models.services.base import ServiceError

    a, b, city = world
    receive(city, export(a, city, tmp_path / "out-a"))
    receive(city, export(b, city, tmp_path / "out-b"))
    receive(a, export(city, a, tmp_path / "city-to-a"))
    b_record = next(iter(rows_owned_by(a, "370923")["credit_records"]))
    with pytest.raises(ServiceError, match="370923"):
        records.correct_record(a.db, actor=clerk(a), record=b_record, data={"note": "改"}, reason="试图修改外县决定")


def test_a_row_changed_after_its_receipt_is_sent_again_and_updates_the_citys_copy(world, tmp_path):
    """A registration whose date is corrected after the city acknowledged it is not pending any more by its
    flag, yet the next package carries the new version."""
    from sqlalchemy import select

    from models.db.tables import Registration
    from models.services.base import UnitOfWork

    a, _b, city = world
    receive(city, export(a, city, tmp_path / "out"))
    receive(a, receipt(city, a, tmp_path / "receipts"))
    with UnitOfWork(a.db) as uow:
        reg = uow.session.scalars(select(Registration)).first()
        reg.registered_on = date(2023, 1, 2)
        uow.commit()
        changed = reg.uuid
    got = receive(city, export(a, city, tmp_path / "out"))
    # The status history now starts on the corrected date of registration, too.
    assert got.sequence == 2 and got.counts == {"registrations": {"updated": 1}, "registration_status": {"new": 1}}
    assert rows_owned_by(city, a.code)["registrations"][changed]["registered_on"] == "2023-01-02"
    # Acknowledged again, nothing is left to send.
    receive(a, receipt(city, a, tmp_path / "receipts2"))
    from models.services.base import ServiceError

    with pytest.raises(ServiceError, match="没有需要发送"):
        export(a, city, tmp_path / "out")


def test_order_of_arrival_at_the_city_does_not_matter(world, tmp_path):
    """B's package first: the city keeps B's row of 张伟, merges A's into it, and A merges B's row back
    into its own file; either way A ends with one file holding both counties' records."""
    from models.services import standing

    a, b, city = world
    receive(city, export(b, city, tmp_path / "out-b"))
    got_a = receive(city, export(a, city, tmp_path / "out-a"))
    assert got_a.counts["subjects"] == {"new": 2, "merged": 1}
    report = receive(a, export(city, a, tmp_path / "city-to-a"))
    assert report.counts["subjects"] == {"merged": 1, "new": 1}
    assert report.total("conflicts") == 0
    assert standing.explain(a.db, actor=a.admin, subject=SHARED)["points"]["total"] == 3 + 6
    # B in turn receives A's record of the person it shares.
    to_b = receive(b, export(city, b, tmp_path / "city-to-b"))
    assert to_b.counts["credit_records"] == {"new": 2} and to_b.total("conflicts") == 0
    assert standing.explain(b.db, actor=b.admin, subject=SHARED)["points"]["total"] == 3 + 6


def test_a_deleted_registration_travels_as_a_deletion_marker(world, tmp_path):
    """Rows without legal weight may be deleted; the owner's deletion reaches the city as a marker and
    only the owner's marker deletes. Rows with legal weight cannot be deleted at all."""
    import sqlite3

    from sqlalchemy import delete, select

    from models.db.tables import ServiceCommitment
    from models.services.base import UnitOfWork
    from models.services.exchange import export as ex

    a, _b, city = world
    receive(city, export(a, city, tmp_path / "out"))
    receive(a, receipt(city, a, tmp_path / "r"))
    with UnitOfWork(a.db) as uow:
        gone = uow.session.scalars(select(ServiceCommitment.uuid)).first()
        uow.session.execute(delete(ServiceCommitment).where(ServiceCommitment.uuid == gone))
        uow.commit()
        assert ex.pending_counts(uow, a.code) == {"markers": 1}
    package = export(a, city, tmp_path / "out")
    from models.services.exchange import importer

    before = city.dump()  # the dry run deletes inside a savepoint and must still leave nothing behind
    assert importer.preview(city.db, actor=city.admin, data=package.read_bytes()).counts == {
        "service_commitments": {"deleted": 1}}
    assert city.dump() == before
    got = receive(city, package)
    assert got.counts == {"service_commitments": {"deleted": 1}}
    assert gone not in rows_owned_by(city, a.code)["service_commitments"]
    receive(a, receipt(city, a, tmp_path / "r2"))
    with UnitOfWork(a.db) as uow:
        assert ex.pending_counts(uow, a.code) == {}
    with sqlite3.connect(a.path) as con, pytest.raises(sqlite3.IntegrityError, match="信用记录不可删除"):
        con.execute("DELETE FROM credit_records")


def test_a_registration_made_elsewhere_inside_a_ban_is_reported_not_stored(world, tmp_path):
    """医保发〔2024〕23号: a practitioner terminated here may not be registered again during the ban, anywhere; B did
    not know yet, so A refuses B's registration when it arrives and says why."""
    from models.services import subjects

    a, b, city = world
    violation(a, SHARED, "宁医保罚〔2026〕9号", kind="pq_fraud")  # 主要: 12 points in one decision, a 3-year ban
    second = institution(b, 5, "东平县第二人民医院")
    subjects.add_registration(b.db, actor=b.admin, practitioner=SHARED, institution=second, registered_on=date.today())
    receive(city, export(a, city, tmp_path / "out-a"))
    receive(city, export(b, city, tmp_path / "out-b"))
    report = receive(a, export(city, a, tmp_path / "city-to-a"))
    refused = [c for c in report.conflicts if c["type"] == "registrations"]
    assert len(refused) == 1 and "不得再次登记备案" in refused[0]["reason"]
    assert report.counts["registrations"] == {"new": 1, "conflicts": 1}  # B's first registration is fine
