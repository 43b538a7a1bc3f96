"""City mode: the same program on PostgreSQL imports several counties' packages and answers across them.

The server is started for the test session from Debian's postgresql package (initdb and pg_ctl in a
temporary folder, as the ``postgres`` user when run as root, since PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from test_exchange_support import (PASSWORD, bureau, export, id_number, institution, introduce, practitioner, receive,
                                   violation)

SHARED = id_number(1)


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres():
    """A throw-away PostgreSQL server on 127.0.0.1; yields a function making a fresh database URL."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server programs not found: apt-get install postgresql (tools/setup.sh test does)")
    # Not under pytest's folder: that one is private to the user running the tests.
    folder = Path(tempfile.mkdtemp(prefix="creditdesk-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' user to run the server as (PostgreSQL refuses root)")
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    for step in ([str(bin_dir / "initdb"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "-D", str(data)],
                 [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                  "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]):
        done = subprocess.run([*run_as, *step], capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(f"PostgreSQL could not be started ({Path(step[0]).name}): {done.stderr.strip()[:300]}")
    import psycopg

    names = iter(range(1, 10 ** 6))

    def new_database() -> str:
        name = f"city{next(names)}"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{port}/{name}"

    yield new_database
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_every_migration_runs_on_postgresql(postgres):
    from sqlalchemy import inspect

    from models.db.database import open_database
    from models.db.migrate import current_revisions, head_revisions

    db = open_database(postgres())
    try:
        assert current_revisions(db.engine) == head_revisions()
        tables = set(inspect(db.engine).get_table_names())
        assert {"subjects", "credit_records", "exchange_packages", "calendar_years"} <= tables
    finally:
        db.dispose()


@pytest.fixture
def counties(tmp_path):
    a = bureau(tmp_path / "a", "370921", "宁阳县")
    b = bureau(tmp_path / "b", "370923", "东平县")
    hospitals = {}
    for county, serial, hospital in ((a, 1, "宁阳县人民医院"), (b, 2, "东平县中医医院")):
        hospitals[county.code] = institution(county, serial, hospital)
        practitioner(county, SHARED, "张伟", hospitals[county.code])
    practitioner(b, id_number(5, "370923"), "王芳", hospitals[b.code])
    violation(a, SHARED, "宁医保协〔2026〕3号", kind="pq_agreement_minor")  # 主要: 3 points
    violation(b, SHARED, "东医保协〔2026〕7号", kind="pq_admin_penalty")  # 主要: 9 points
    yield a, b
    a.db.dispose()
    b.db.dispose()


def test_the_city_on_postgresql_adds_up_a_practitioners_points_from_every_county(postgres, counties, tmp_path):
    """鲁医保发〔2024〕25号 第五条: results are recognised across counties; 12 points in a year from two
    counties reach the termination threshold even though neither county alone does."""
    a, b = counties
    city = bureau(tmp_path / "city", "370900", "泰安市", url=postgres())
    try:
        introduce(a, city)
        introduce(b, city)
        assert receive(city, export(a, city, tmp_path / "a-out")).status == "applied"
        got = receive(city, export(b, city, tmp_path / "b-out"))
        assert got.counts["subjects"] == {"new": 2, "merged": 1}
        from models.services.exchange import city as city_queries

        result = city_queries.points_across(city.db, actor=city.admin, id_number=SHARED)
        assert result["total"] == 12
        assert {c["county"]: c["points"] for c in result["by_county"]} == {"370921": 3, "370923": 9}
        assert {c["county"] for c in result["counties"]} == {"370921", "370923"}
        assert any(m["kind"] for m in result["measures"])  # the accumulated total triggers a measure
        rows = {r["county"]: r for r in city_queries.counties(city.db)}
        assert rows["370921"]["received_up_to"] == rows["370923"]["received_up_to"] == 1
        # The city's reply to A: a receipt for A's package and B's record of the shared practitioner.
        report = receive(a, export(city, a, tmp_path / "city-out"))
        assert report.acknowledged["acknowledged"] == 1
        assert report.counts["credit_records"] == {"new": 2}  # B's record of the person and of its hospital
    finally:
        city.db.dispose()


def test_city_points_on_the_command_line(postgres, counties, tmp_path):
    a, b = counties
    url = postgres()
    city = bureau(tmp_path / "city", "370900", "泰安市", url=url)
    try:
        for county in (a, b):
            introduce(county, city)
            receive(city, export(county, city, tmp_path / county.code))
    finally:
        city.db.dispose()
    env = {**os.environ, "CREDIT_DESK_PASSWORD": PASSWORD}
    out = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", url, "--user", "admin", "city", "points", SHARED],
                         capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert "记分合计 12" in out.stdout and "宁阳县（370921）：3 分" in out.stdout and "东平县（370923）：9 分" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", url, "--user", "admin", "city", "points",
                          "370921198001010059"], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[2])
    assert bad.returncode == 2 and "校验位不正确" in bad.stderr


def test_the_city_on_postgresql_takes_updates_and_acknowledges_them(postgres, counties, tmp_path):
    from sqlalchemy import select

    from models.db.tables import Registration
    from models.services.base import UnitOfWork
    from test_exchange_support import receipt, rows_owned_by

    a, _b = counties
    city = bureau(tmp_path / "city", "370900", "泰安市", url=postgres())
    try:
        introduce(a, city)
        receive(city, export(a, city, tmp_path / "1"))
        receive(a, receipt(city, a, tmp_path / "r1"))
        with UnitOfWork(a.db) as uow:
            reg = uow.session.scalars(select(Registration)).first()
            reg.registered_on = date(2023, 1, 2)  # a corrected date of registration
            uow.commit()
            changed = reg.uuid
        got = receive(city, export(a, city, tmp_path / "2"))
        assert got.counts == {"registrations": {"updated": 1}, "registration_status": {"new": 1}}
        assert rows_owned_by(city, a.code)["registrations"][changed]["registered_on"] == "2023-01-02"
        assert receive(city, next((tmp_path / "2").glob("*.zip"))).status == "resend"
    finally:
        city.db.dispose()


def test_the_city_database_refuses_to_delete_or_rewrite_what_has_legal_weight(postgres, counties, tmp_path):
    """As on SQLite (DOMAIN.md §2, 磐医保〔2021〕43号 第二十五条: 篡改信息): the database itself refuses."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    a, _b = counties
    city = bureau(tmp_path / "city", "370900", "泰安市", url=postgres())
    try:
        introduce(a, city)
        receive(city, export(a, city, tmp_path / "1"))
        for sql, message in (("DELETE FROM credit_records", "信用记录不可删除"),
                             ("UPDATE credit_records SET note = '改'", "信用记录不可改写"),
                             ("DELETE FROM audit_log", "审计日志不可删除"),
                             ("UPDATE audit_log SET reason = ''", "审计日志不可修改")):
            with city.db.engine.connect() as con, pytest.raises(DBAPIError, match=message):
                con.execute(text(sql))
        with city.db.engine.begin() as con:  # sync bookkeeping is not legal content
            con.execute(text("UPDATE credit_records SET sync_pending = false"))
    finally:
        city.db.dispose()


def test_on_postgresql_the_programs_changes_are_sealed_and_an_edit_from_another_session_is_named(postgres, tmp_path):
    """The city's chain (Panan 第二十五条): rows the program updates are sealed again; psql's are not."""
    import psycopg

    from models.db import integrity_check
    from models.services import users

    url = postgres()
    city = bureau(tmp_path / "city", "370900", "泰安市", url=url)
    institution(city, 1, "泰安市中心医院")
    users.change_password(city.db, actor=city.admin, username="clerk", new_password="another-123")  # an UPDATE
    with city.db.engine.connect() as conn:
        assert integrity_check.verify(conn) == []
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("UPDATE users SET roles = '管理员' WHERE username = 'clerk'")
    with city.db.engine.connect() as conn:
        found = integrity_check.verify(conn)
    city.db.dispose()
    assert [f.table for f in found] == ["users"] and found[0].problem.startswith("内容与写入时封存的摘要不符")
