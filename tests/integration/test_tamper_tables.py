"""Every table with legal weight is in the keyed chain (Panan 第十二条: nothing silently overwritten or deleted;
第二十五条 punishes 篡改信息).

Someone with a copy of the file and an ordinary sqlite3 shell (no recursive triggers there, and free to drop the
program's triggers) rewrites, deletes or replaces a row of each sealed table: `audit verify` names the table
and the row. Without the key store they cannot recompute the chain, and a backup put back with
`credit-desk restore` is reported as restored, not as altered.
"""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import notice_scenario as ns  # noqa: E402
from alembic import command  # noqa: E402
from points_path import confirmed_points  # noqa: E402

from models.db import database, integrity, integrity_check, migrate  # noqa: E402
from models.db.database import open_database  # noqa: E402
from models.db.engine import make_engine  # noqa: E402

# What carries legal weight: findings and their persons, measures and the handler's choices, objections,
# repairs, notices with their register and deliveries, inspections, registrations, points notifications,
# rectifications, the audit log and the credit records themselves.
LEGAL = ("audit_log", "credit_records", "registration_status", "registrations", "findings", "finding_persons",
         "measure_choices", "measures", "objections", "repairs", "notices", "notice_issues", "notice_deliveries",
         "notice_steps", "inspection_draws", "inspection_draw_items", "points_notifications", "rectifications")
# Sealed since migration 0022: yearly ratings with their lines and steps, line changes on objection, the bureau's
# risk and warning rules, inspection outcomes, warnings with their acknowledgements, the holiday schedules that
# deadlines are counted on, the certificates notices are signed and verified with, and the county's own settings
# (the policy profile whose rules apply).
SINCE_0022 = ("indicator_adjustments", "annual_ratings", "annual_rating_lines", "risk_rules", "inspection_outcomes",
              "warning_rules", "credit_warnings", "calendar_years", "signing_certificates", "county", "appeals")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
EDITED = ("reason", "note", "uuid", "content", "name", "materials", "source", "tree")


def _fill_the_rest(sc) -> None:
    """What the notice scenario does not write: a finding with its persons, a withdrawn one, an issued and
    delivered notice, a rectification, attachments, inspections, an indicator tree and a pack from the city."""
    from models.services import county, evaluation, findings, indicators, inspections, notices, objections, records, repairs
    from models.services.base import UnitOfWork
    from models.db.tables import Subject
    from sqlalchemy import select

    db, clerk, reviewer, admin = sc.db, sc.actors["clerk"], sc.actors["reviewer"], sc.actors["admin"]
    with db.session() as s:
        person = s.scalar(select(Subject.uuid).where(Subject.type == "practitioner", Subject.registrations.any())
                          .order_by(Subject.id))
    rec = confirmed_points(db, clerk, person, "pq_agreement_minor", date(2026, 3, 2), "一般", "宁医保协〔2026〕90号")
    repairs.rectify(db, actor=clerk, record=rec.uuid, corrected_on=date(2026, 3, 20), commitment="已整改")
    with db.session() as s:
        inst = s.scalar(select(Subject.credit_code).where(Subject.type == "institution").order_by(Subject.id))
    withdrawn = findings.add_finding(db, actor=clerk, data={"institution": inst, "case_no": "宁医保协〔2026〕91号",
                                                           "decision_type": "协议处理", "decision_date": "2026-03-03",
                                                           "article": "服务协议第二十条"}).value
    findings.withdraw_finding(db, actor=clerk, finding=withdrawn.uuid, reason="录入重复")
    records.add_record(db, actor=clerk, data={"subject": person, "kind": "commendation", "decision_date": "2026-04-01"},
                       files=[("表扬信.pdf", b"%PDF-1.4 praise")])
    objections.file(db, actor=clerk, subject=person, record=rec.uuid, delivered_on=date.today(),
                    received_on=date.today(), reason="记分有误", files=[("说明.pdf", b"%PDF-1.4 note")])
    uuid = sc.drafts["points_notice"]
    ns.sign_through(sc, uuid)
    ns.issue(sc, [uuid])
    notices.deliver(db, actor=clerk, notice=uuid, delivered_on=date.today(), method="直接送达", recipient="本人")
    for n, name in enumerate(("王检查", "李检查", "赵检查")):
        inspections.add_inspector(db, actor=admin, name=name, certificate_no=f"37092100{n}", unit="基金监管科")
    draw = inspections.draw(db, actor=reviewer, subject_type="institution", base_ratio="1", seed="7").value.number
    tree = indicators.export(db, profile=evaluation.profile(county.get_county(db).profile))
    indicators.load(db, actor=admin, text=json.dumps(tree, ensure_ascii=False), reason="局务会议通过")
    _fill_institution_supervision(sc, inst, draw)  # before the pack below, whose content no rule reads
    with UnitOfWork(db) as uow:  # a pack as the city's package installs it (models/services/exchange)
        uow.session.connection().exec_driver_sql(
            "INSERT INTO received_policy_packs (pack_id, version, document_number, effective_from, effective_to, content, "
            "sha256, package_uuid, installed_at, installed_by) VALUES ('shandong-2026', '1', '鲁医保发〔2026〕1号', "
            "'2026-08-10', NULL, '{}', 'x', 'p', '2026-08-01 00:00:00', 'admin')")
        uow.commit()


def _fill_institution_supervision(sc, inst: str, draw: str) -> None:
    """The tables sealed since migration 0022, written through their services: a line of an institution's
    evaluation changed on objection, a yearly rating through its four-eyes steps, the bureau's risk and warning
    rules, an inspection outcome, an acknowledged warning, a holiday schedule and an appeal."""
    from models.db.tables_warnings import CreditWarning
    from models.db.tables import CreditRecord, Subject
    from models.services import appeals, deadlines, inspection_outcomes, objections, ratings, risk, standing, warnings
    from sqlalchemy import select

    db, clerk, reviewer, signer, admin = (sc.db, sc.actors["clerk"], sc.actors["reviewer"], sc.actors["signer"],
                                          sc.actors["admin"])
    lines = standing.explain(db, actor=admin, subject=inst)["indicators"]["lines"]
    code = next(x["code"] for x in lines if x["objectionable"] and float(x["score"]) >= 1)
    o = objections.file(db, actor=clerk, subject=inst, record=None, delivered_on=date.today(), received_on=date.today(),
                        reason="该项扣分依据有误", indicator=code).value
    objections.decide(db, actor=reviewer, objection=o.uuid, outcome="变更", answer="经复核，该项少扣一分",
                      line_points="-1")
    rating = ratings.draft(db, actor=clerk, year=date.today().year, as_of=date.today()).value
    ratings.review(db, actor=reviewer, rating=rating.uuid)
    ratings.sign_off(db, actor=signer, rating=rating.uuid)
    ratings.publish(db, actor=signer, rating=rating.uuid)
    rules = risk.export_rules(db)
    rules.update(id="宁阳县", sample=False)
    risk.set_rules(db, actor=admin, text=json.dumps(rules, ensure_ascii=False), reason="局务会议通过")
    warnings.set_rules(db, actor=admin, text=json.dumps(warnings.export_rules(db), ensure_ascii=False),
                       reason="局务会议通过")
    with db.session() as s:  # the first warning: the row the tests below edit has a note
        first = s.scalar(select(CreditWarning.uuid).order_by(CreditWarning.id).limit(1))
    warnings.acknowledge(db, actor=reviewer, warning=first, note="已约谈提醒")
    inspection_outcomes.record_outcome(db, actor=clerk, draw=draw, position=1, outcome="合格",
                                       inspected_on=date.today(), note="现场检查未见问题")
    deadlines.load_schedule(db, actor=admin, text="类型,开始日期,结束日期,说明\n放假,2027-01-01,,元旦\n",
                            source="国务院办公厅通知（2027年）")
    with db.session() as s:  # an appeal (济医保发〔2025〕6号 四（八）) against the points the scenario confirmed
        record = s.scalar(select(CreditRecord.uuid).join(Subject, Subject.id == CreditRecord.subject_id).where(
            Subject.type == "practitioner", CreditRecord.kind.like("pq_%")).order_by(CreditRecord.id))
    appeals.file(db, actor=clerk, record=record, received_on=date.today(), reason="责任程度认定过重",
                 materials="申诉书")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    sc = ns.build(tmp_path_factory.mktemp("tamper"))
    _fill_the_rest(sc)
    sc.db.dispose()
    con = sqlite3.connect(sc.path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return sc.path


def copy_of(county: Path, folder: Path) -> Path:
    dest = folder / "copy.sqlite3"
    shutil.copyfile(county, dest)
    return dest


def findings_in(path: Path) -> list[integrity_check.Finding]:
    db = open_database(str(path))
    try:
        with db.engine.connect() as conn:
            return integrity_check.verify(conn)
    finally:
        db.dispose()


def attack(path: Path, *sql: str, params=()) -> None:
    """An sqlite3 shell on the copy: without the program's triggers (dropped) and without recursive triggers."""
    con = sqlite3.connect(path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    for statement in sql:
        con.execute(statement, params)
    con.commit()
    con.close()


def test_an_intact_county_verifies_and_every_sealed_table_has_rows(county):
    con = sqlite3.connect(county)
    empty = [t for t in integrity.SEALED if not con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]]
    con.close()
    assert empty == []
    assert set(LEGAL) | set(SINCE_0022) <= set(integrity.SEALED)
    assert findings_in(county) == []


def _column(table: str) -> str:
    return next(c for c in EDITED if c in integrity.SEALED[table])


@pytest.mark.parametrize("table", list(integrity.SEALED))
def test_a_direct_update_of_each_sealed_table_is_named(county, tmp_path, table):
    path = copy_of(county, tmp_path)
    column = _column(table)
    key = integrity.key_of(table)
    attack(path, f"UPDATE {table} SET {column} = {column} || '改' WHERE {key} = (SELECT MIN({key}) FROM {table})")
    found = findings_in(path)
    assert [f.table for f in found] == [table] and "已在本程序之外被改动" in found[0].problem
    assert found[0].label and not UUID.search(str(found[0]))  # named by case number or date, never a UUID


@pytest.mark.parametrize("table", list(integrity.SEALED))
def test_a_row_deleted_from_each_sealed_table_is_named(county, tmp_path, table):
    path = copy_of(county, tmp_path)
    key = integrity.key_of(table)
    attack(path, "PRAGMA foreign_keys = OFF", f"DELETE FROM {table} WHERE {key} = (SELECT MIN({key}) FROM {table})")
    found = findings_in(path)
    assert [f.table for f in found] == [table] and "已从数据库中被删除" in found[0].problem


@pytest.mark.parametrize("table", list(integrity.SEALED))
def test_insert_or_replace_of_a_row_of_each_sealed_table_is_named(county, tmp_path, table):
    path = copy_of(county, tmp_path)
    column = _column(table)
    con = sqlite3.connect(path)
    cur = con.execute(f"SELECT * FROM {table} ORDER BY {integrity.key_of(table)} LIMIT 1")
    names = [d[0] for d in cur.description]
    row = list(cur.fetchone())
    con.close()
    row[names.index(column)] = f"{row[names.index(column)]}改"
    attack(path, f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
           params=row)
    found = findings_in(path)
    assert [f.table for f in found] == [table] and "已在本程序之外被改动" in found[0].problem


def test_a_chain_recomputed_without_the_key_is_detected(county, tmp_path):
    """The attacker edits a record and recomputes every digest and link with a key of his own."""
    path = copy_of(county, tmp_path)
    attack(path, "UPDATE credit_records SET note = '已撤销' WHERE id = 1")
    con = sqlite3.connect(path)
    forged, prev = b"attacker's guess", integrity.GENESIS
    for sid, table, entries in con.execute("SELECT id, table_name, entries FROM integrity_seals ORDER BY id").fetchall():
        ids = [i for i, _d in integrity._ENTRY.iter_unpack(entries)]
        rows = {r[0]: r for r in con.execute(f"{integrity.select_rows('sqlite', table)} "
                                             f"WHERE {integrity.key_of(table)} IN ({','.join(map(str, ids))})")}
        new = b"".join(integrity._ENTRY.pack(i, integrity.row_digest(forged, rows[i]) if i in rows else integrity.DELETED)
                       for i in ids)
        prev_hash, prev = prev, integrity.link(forged, prev, table, ids[0], ids[-1], new)
        con.execute("UPDATE integrity_seals SET entries = ?, prev_hash = ?, hash = ? WHERE id = ?", (new, prev_hash, prev, sid))
    con.commit()
    con.close()
    found = findings_in(path)
    assert [str(f) for f in found] == ["封存链（内部序号 1）：封存链在此断开（封存记录被改动、删除或伪造）"]


def test_text_hidden_after_a_nul_character_is_detected(county, tmp_path):
    """SQLite's quote() stops at U+0000: the chain writes values out as bytes, so nothing hides behind one."""
    path = copy_of(county, tmp_path)
    attack(path, "UPDATE credit_records SET note = note || char(0) || '已撤销' WHERE id = 1")
    assert [f.table for f in findings_in(path)] == ["credit_records"]


def test_a_holiday_schedule_loaded_for_a_year_before_the_newest_is_sealed_too(db, admin, tmp_path):
    """A year's schedule is keyed by the year, not by a rising id: one loaded below the newest is sealed as well,
    a reloaded year is sealed again, and an edit of either from outside is named by its year (DOMAIN §5)."""
    from models.services import deadlines

    for text in ("类型,开始日期,结束日期,说明\n放假,2003-01-01,,元旦\n", "类型,开始日期,结束日期,说明\n放假,2026-01-01,,元旦\n"):
        deadlines.load_schedule(db, actor=admin, text=text, source="国务院办公厅通知")
    db.dispose()
    assert findings_in(db.sqlite_file) == []
    attack(db.sqlite_file, "UPDATE calendar_years SET holidays = '[]' WHERE year = 2003")
    assert [str(f) for f in findings_in(db.sqlite_file)] == [
        "节假日安排（年份 2003）：内容与写入时封存的摘要不符，已在本程序之外被改动（例如用 sqlite3 的 UPDATE 或 INSERT OR REPLACE）"]


@contextmanager
def sealing_only(tables):
    """The program as it was at an earlier revision, sealing only ``tables``."""
    saved = dict(integrity.SEALED)
    for table in saved:
        if table not in tables:
            del integrity.SEALED[table]
    try:
        yield
    finally:
        integrity.SEALED.clear()
        integrity.SEALED.update(saved)


def test_a_county_file_of_revision_0021_is_sealed_on_upgrade_and_an_edit_is_then_named(tmp_path, monkeypatch):
    """Rows the program of the revision before 0022 (0021) wrote to these tables were never sealed: the upgrade seals them as they
    are, the file verifies, and from then on an edit of any of them is named. A downgrade keeps the chain whole."""
    folder = tmp_path / "rev0021"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'notices.sqlite3'}")
    migrate.upgrade(engine, revision="0021")
    engine.dispose()
    before_0022 = set(integrity.SEALED) - set(SINCE_0022)
    opened = database.open_database
    with sealing_only(before_0022), monkeypatch.context() as m:
        m.setattr(database, "open_database", lambda db=None, **_kw: opened(db, upgrade=False))
        sc = ns.build(folder)
        _fill_the_rest(sc)
        sc.db.dispose()
    con = sqlite3.connect(sc.path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0021",)]
    assert all(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in SINCE_0022)
    assert not con.execute(f"SELECT COUNT(*) FROM integrity_seals WHERE table_name IN {SINCE_0022}").fetchone()[0]
    con.close()

    upgraded = open_database(str(sc.path))
    assert migrate.current_revisions(upgraded.engine) == migrate.head_revisions()
    upgraded.dispose()
    assert findings_in(sc.path) == []
    for table in SINCE_0022:
        (tmp_path / table).mkdir()
        path = copy_of(sc.path, tmp_path / table)
        column, key = _column(table), integrity.key_of(table)
        attack(path, f"UPDATE {table} SET {column} = {column} || '改' WHERE {key} = (SELECT MIN({key}) FROM {table})")
        assert [f.table for f in findings_in(path)] == [table], table

    down = make_engine(f"sqlite:///{sc.path}")
    command.downgrade(migrate.alembic_config(down), "0021")
    down.dispose()
    with sealing_only(before_0022):
        assert findings_in(sc.path) == []  # the program of 0021 checks every link and ignores the newer tables
    assert findings_in(sc.path) == []  # upgraded again: sealed again as they are
