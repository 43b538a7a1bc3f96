"""Tamper evidence on PostgreSQL (a city's database) for the tables sealed since migration 0022 (Panan 第十二条,
第二十五条): the program's own inserts and changes are sealed through the triggers the migration installs, also
after a downgrade and an upgrade; a row changed in another session (psql) is named by `audit verify`.
"""
from __future__ import annotations

import json

import pytest
from alembic import command

import test_city_postgres
from test_exchange_support import bureau

from models.db import integrity_check, migrate

postgres = test_city_postgres.postgres  # the throw-away PostgreSQL server, one per test session

SCHEDULE = "类型,开始日期,结束日期,说明\n放假,{year}-01-01,,元旦\n"


def verify(db) -> list[str]:
    with db.engine.connect() as conn:
        return [str(f) for f in integrity_check.verify(conn)]


def outside(url: str, sql: str) -> None:
    """Another session, as psql would be: none of the program's temporary tables, so nothing notes the change."""
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql)


def test_on_postgresql_the_programs_changes_are_sealed_and_an_edit_from_another_session_is_named(postgres, tmp_path):
    from models.services import county, deadlines, risk, warnings

    url = postgres()
    city = bureau(tmp_path, "370900", "泰安市", url=url)
    try:
        engine = city.db.engine
        command.downgrade(migrate.alembic_config(engine), "0021")
        command.upgrade(migrate.alembic_config(engine), "head")  # the triggers are back, once each
        for year in (2003, 2026):  # a year below the newest (an insert) and a seeded year loaded again (an update)
            deadlines.load_schedule(city.db, actor=city.admin, text=SCHEDULE.format(year=year), source="国务院办公厅通知")
        rules = risk.export_rules(city.db)
        rules.update(id="泰安市", sample=False)
        risk.set_rules(city.db, actor=city.admin, text=json.dumps(rules, ensure_ascii=False), reason="局务会议通过")
        shipped = json.dumps(warnings.export_rules(city.db), ensure_ascii=False)
        warnings.set_rules(city.db, actor=city.admin, text=shipped, reason="局务会议通过")
        county.change_profile(city.db, actor=city.admin, profile="panan", reason="适用磐医保〔2021〕43号")
        assert verify(city.db) == []

        outside(url, "UPDATE calendar_years SET holidays = '[]' WHERE year = 2003")
        outside(url, "UPDATE warning_rules SET reason = '未经会议'")
        outside(url, "UPDATE county SET profile = 'shandong'")
        assert verify(city.db) == [f"{where}：内容与写入时封存的摘要不符，已在本程序之外被改动（例如用 sqlite3 的 UPDATE 或 "
                                   "INSERT OR REPLACE）" for where in (f"信用预警规则（修改于 {_changed_at(url)}）",
                                                                     "节假日安排（年份 2003）",
                                                                     "本局名称与政策配置（行政区划代码 370900）")]
    finally:
        city.db.dispose()


def _changed_at(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as con:
        return str(con.execute("SELECT changed_at FROM warning_rules").fetchone()[0])[:16]
