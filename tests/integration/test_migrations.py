"""Schemas move forward only, and data made by the first revision survives every upgrade."""
import sqlite3

from models.db import migrate
from models.db.database import open_database
from models.db.engine import make_engine

FIRST = "0001"
NOW = "2025-01-02 03:04:05.000000"


def seed_first_revision(path):
    """Rows written with the first schema's own columns, as an installation of that version would."""
    con = sqlite3.connect(path)
    con.executescript(f"""
        INSERT INTO county (code, name, profile, created_at) VALUES ('370921', '宁阳县', 'shandong', '{NOW}');
        INSERT INTO subjects (id, uuid, type, name, initials, id_number, created_at, updated_at, sync_pending)
            VALUES (1, '00000000-0000-4000-8000-000000000001', 'insured', '王五', 'ww', '11010519491231002X',
                    '{NOW}', '{NOW}', 1);
        INSERT INTO credit_records (id, uuid, subject_id, kind, good, source, case_no, decision_date, amount,
                                    note, entered_by, created_at, updated_at, sync_pending)
            VALUES (1, '00000000-0000-4000-8000-000000000002', 1, 'insured_illegal_use', 0, 'supervision',
                    '宁医保罚〔2025〕1号', '2025-01-02', 12345678, '', 'clerk', '{NOW}', '{NOW}', 1);
        INSERT INTO audit_log (uuid, at, actor, action, entity_type, entity_uuid, reason)
            VALUES ('00000000-0000-4000-8000-000000000003', '{NOW}', 'clerk', 'record.add', 'credit_record',
                    '00000000-0000-4000-8000-000000000002', '');
    """)
    con.commit()
    con.close()


def test_database_of_first_revision_upgrades_with_data_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, revision=FIRST)
    engine.dispose()
    seed_first_revision(path)

    db = open_database(str(path))  # what the program does at start
    assert migrate.current_revisions(db.engine) == migrate.head_revisions()
    assert db.backup_made is not None
    from models.db.tables import CreditRecord, Subject

    with db.session() as s:
        person = s.query(Subject).one()
        record = s.query(CreditRecord).one()
        assert (person.name, person.id_number) == ("王五", "11010519491231002X")
        assert str(record.amount) == "123456.78"
        assert record.case_no == "宁医保罚〔2025〕1号"
    db.dispose()


def test_backup_is_taken_before_an_upgrade(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, revision=FIRST)
    engine.dispose()
    seed_first_revision(path)
    db = open_database(str(path))
    backup = sqlite3.connect(db.backup_made)
    assert backup.execute("SELECT name FROM subjects").fetchone() == ("王五",)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == (FIRST,)
    db.dispose()


def test_a_current_database_is_not_backed_up_again(tmp_path):
    db = open_database(str(tmp_path / "new.sqlite3"))
    db.dispose()
    again = open_database(str(tmp_path / "new.sqlite3"))
    assert again.backup_made is None
    again.dispose()


def test_records_with_legal_weight_cannot_be_deleted_or_rewritten(tmp_path):
    path = tmp_path / "t.sqlite3"
    open_database(str(path)).dispose()
    seed_first_revision(path)
    con = sqlite3.connect(path)
    for sql in ("DELETE FROM credit_records", "UPDATE credit_records SET amount = 1", "DELETE FROM audit_log"):
        try:
            con.execute(sql)
        except sqlite3.IntegrityError as exc:
            assert "不可" in str(exc)
        else:
            raise AssertionError(f"{sql} was allowed")


def test_the_migrations_build_exactly_the_schema_the_code_declares(tmp_path):
    """A table or column added to models/db without a migration would break every existing county's file."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from models.db.base import Base

    db = open_database(str(tmp_path / "fresh.sqlite3"))
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    db.dispose()
    assert diff == []


def test_stored_keys_of_a_surname_with_its_own_reading_are_recomputed_on_upgrade(tmp_path):
    """曾红 stored as "ceng2 hong2" (before 0019) sorts among the z names after the upgrade."""
    path = tmp_path / "keys.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, revision="0013")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO subjects (id, uuid, type, name, initials, sort_key, id_number, created_at, updated_at,"
                " sync_pending) VALUES (1, '00000000-0000-4000-8000-000000000001', 'insured', '曾红', 'ch',"
                f" 'ceng2 hong2|曾红', '11010519491231002X', '{NOW}', '{NOW}', 1)")
    con.commit()
    con.close()
    db = open_database(str(path))
    from models.db.tables import Subject

    with db.session() as s:
        person = s.query(Subject).one()
        assert (person.sort_key, person.initials) == ("zeng1 hong2|曾红", "zh")
    db.dispose()
