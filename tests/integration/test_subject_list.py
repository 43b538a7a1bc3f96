"""Subject lists (models/queries/subject_list.py) and the casework keys of ``show --json``."""
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from models.pinyin import sort_key_of
from models.queries.subject_list import (
    UNGRADED, SubjectQuery, column_basis, search_condition, stream_subjects, subject_count, subject_page,
)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A small evaluated demo county, shared read-only by the tests of this module."""
    from models.db.database import open_database
    from models.services import county as county_service, demo, standing

    db = open_database(str(tmp_path_factory.mktemp("list") / "county.sqlite3"))
    admin = county_service.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                                      admin_password="abc12345").value[1]
    demo.fill_demo(db, actor=admin, scale="small", seed=3)
    standing.evaluate_all(db, actor=admin)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def staff():
    from models.services.base import Actor

    return {"clerk": Actor("clerk", "李录入", frozenset({"clerk"})),
            "reviewer": Actor("reviewer", "王审核", frozenset({"reviewer"}))}


def sql(db, statement: str, *args):
    with sqlite3.connect(db.sqlite_file) as con:
        return con.execute(statement, args).fetchall()


def every_row(db, actor, q: SubjectQuery, limit: int = 37):
    rows, offset = [], 0
    while True:
        page = subject_page(db, actor=actor, q=q, offset=offset, limit=limit)
        rows += page
        offset += limit
        if len(page) < limit:
            return rows


def test_pinyin_initials_match_from_the_start(county, staff):
    name, initials = sql(county, "SELECT name, initials FROM subjects WHERE type = 'practitioner' LIMIT 1")[0]
    q = SubjectQuery(text=initials.upper())  # typed in capitals
    rows = every_row(county, staff["clerk"], q)
    assert name in {r.name for r in rows}
    assert len(rows) == subject_count(county, actor=staff["clerk"], q=q) == \
        sql(county, "SELECT count(*) FROM subjects WHERE initials LIKE ?", initials + "%")[0][0]


def test_name_matches_anywhere_and_wildcards_are_literal(county, staff):
    name = sql(county, "SELECT name FROM subjects WHERE length(name) = 3 LIMIT 1")[0][0]
    rows = every_row(county, staff["clerk"], SubjectQuery(text=name[1:]))
    assert name in {r.name for r in rows} and all(name[1:] in r.name for r in rows)
    assert subject_count(county, actor=staff["clerk"], q=SubjectQuery(text="%")) == 0
    assert subject_count(county, actor=staff["clerk"], q=SubjectQuery(text="王_")) == 0


def test_id_number_exact_and_prefix_with_a_lower_case_x(county, staff):
    number, name = sql(county, "SELECT id_number, name FROM subjects WHERE id_number LIKE '%X' LIMIT 1")[0]
    exact = subject_page(county, actor=staff["reviewer"], q=SubjectQuery(text=number.lower()))
    assert {r.number for r in exact} == {number} and {r.name for r in exact} == {name}
    prefix = every_row(county, staff["reviewer"], SubjectQuery(text=number[:12]))
    assert number in {r.number for r in prefix}
    assert all(r.number.startswith(number[:12]) for r in prefix)


def test_credit_code_prefix_finds_the_institution(county, staff):
    code, name = sql(county, "SELECT credit_code, name FROM subjects WHERE type = 'institution' LIMIT 1")[0]
    rows = subject_page(county, actor=staff["clerk"], q=SubjectQuery(text=code[:10]))
    assert (name, code) in {(r.name, r.number) for r in rows}


def test_a_wide_number_prefix_gives_the_same_rows_by_either_plan(county, staff):
    """Whether the number index or the display order drives the query, the answer is the same."""
    from sqlalchemy import select

    from models.db.tables import Subject

    with county.session() as s:
        for text in ("3709", "37092119", "9137"):
            narrow = set(s.scalars(select(Subject.uuid).where(search_condition(text))))
            wide = set(s.scalars(select(Subject.uuid).where(search_condition(text, wide=True))))
            assert narrow == wide and narrow


def test_type_and_grade_filters(county, staff):
    q = SubjectQuery(type="practitioner", grade="优秀")
    rows = every_row(county, staff["clerk"], q)
    assert rows and {(r.type, r.grade) for r in rows} == {("practitioner", "优秀")}
    assert len(rows) == sql(county, """SELECT count(*) FROM subjects s JOIN subject_standing st ON st.subject_id = s.id
                                       WHERE s.type = 'practitioner' AND st.grade = '优秀'""")[0][0]
    ungraded = SubjectQuery(type="insured", grade=UNGRADED)
    assert subject_count(county, actor=staff["clerk"], q=ungraded) == \
        sql(county, "SELECT count(*) FROM subjects WHERE type = 'insured'")[0][0]


@pytest.mark.parametrize("sort,descending", [("name", False), ("name", True), ("score", True), ("points", False)])
def test_pages_cover_the_list_once_in_order(county, staff, sort, descending):
    """Names in pinyin order (陈 before 李 before 张), not by code point."""
    q = SubjectQuery(sort=sort, descending=descending)
    rows = every_row(county, staff["clerk"], q)
    assert len(rows) == len({r.uuid for r in rows}) == sql(county, "SELECT count(*) FROM subjects")[0][0]
    key = {"name": lambda r: sort_key_of(r.name), "score": lambda r: r.score, "points": lambda r: r.points}[sort]
    values = [key(r) for r in rows if key(r) is not None]
    assert values == sorted(values, reverse=descending)
    assert all(key(r) is None for r in rows[len(values):])  # not yet evaluated: last


def test_id_numbers_are_masked_unless_the_role_may_see_them(county, staff):
    q = SubjectQuery(type="insured")
    masked = subject_page(county, actor=staff["clerk"], q=q, limit=5)
    full = subject_page(county, actor=staff["reviewer"], q=q, limit=5)
    for m, f in zip(masked, full):
        assert m.uuid == f.uuid and m.number == f.number[:4] + "*" * 10 + f.number[-4:]


def test_streaming_for_export_gives_every_row_of_the_list(county, staff):
    q = SubjectQuery(type="insured", sort="name", descending=True)
    streamed = list(stream_subjects(county, actor=staff["clerk"], q=q, batch=50))
    assert streamed == every_row(county, staff["clerk"], q)


def test_practitioners_registered_at_an_institution(county, staff):
    inst, expected = sql(county, """SELECT i.uuid, count(*) FROM registrations r JOIN subjects i
                                    ON i.id = r.institution_id GROUP BY i.uuid ORDER BY count(*) DESC LIMIT 1""")[0]
    rows = every_row(county, staff["clerk"], SubjectQuery(type="practitioner", registered_at=inst))
    assert len(rows) == expected


def test_the_basis_of_grades_and_points_comes_from_the_packs(county):
    basis = column_basis(county)
    assert basis["grade"] == "参照磐医保〔2021〕43号 第十五条"
    assert "医保发〔2024〕23号" in basis["points"] and basis["sample"] is True


def test_show_json_adds_the_casework_of_the_file_and_keeps_the_older_keys(tmp_path, monkeypatch, capsys):
    """README contract: measure_history, findings, objections, repairs, points_notifications, notices, evaluations."""
    from test_casework_cli import enter_finding, inst, make_county, out, pid
    from test_cli import PASSWORD
    from desktop.cli import main
    import io

    path = tmp_path / "cli.sqlite3"
    for name in ("CREDIT_DESK_ADMIN_PASSWORD", "CREDIT_DESK_PASSWORD", "CREDIT_DESK_NEW_PASSWORD"):
        monkeypatch.setenv(name, PASSWORD)

    def cli(*args, stdin=None, user="admin"):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        code = main(["--db", str(path)] + (["--user", user] if user else []) + list(args))
        o, e = capsys.readouterr()
        return code, o, e

    cli.path = path
    make_county(cli)
    decided = date.today() - timedelta(days=20)
    finding = enter_finding(cli, decided)
    out(cli("finding", "confirm", finding, user="reviewer"))
    record = next(p["record"] for p in out(cli("finding", "show", finding))["persons"] if p["name"] == "张医生")
    out(cli("measure", "choose", record, "--months", "2", "--reason", "初次违规", user="reviewer"))
    out(cli("objection", "file", "--subject", pid(1), "--record", record, "--delivered", decided.isoformat(),
            "--received", (decided + timedelta(days=2)).isoformat(), "--reason", "责任程度认定过重", user="clerk"))
    out(cli("repair", "apply", record, "--materials", "整改报告", "--commitment", "今后严格执行协议",
            "--applied", date.today().isoformat(), user="clerk"))
    data = out(cli("show", pid(1), "--json"))
    for key in ("subject", "as_of", "points", "score", "grade", "measures", "lists", "explanations", "rule_status",
                "registrations", "records", "audit"):
        assert key in data
    assert [(m["kind"], m["state"], m["months"]) for m in data["measure_history"]] == \
        [("suspend_payment_qualification", "生效", 2)]
    [f] = data["findings"]
    assert (f["case_no"], f["role"], f["responsibility"], f["state"], f["record"]) == \
        ("宁医保罚〔2026〕21号", "responsible", "主要", "已确认", record)
    assert f["band"] == [7, 9] and f["basis"]
    assert [(o["state"], o["record"]) for o in data["objections"]] == [("待复核", record)]
    objection = data["objections"][0]
    # A review period where a pack in force fixes one; otherwise the file says that none does (鲁 第十五条).
    assert objection["review_deadline"] or "没有有效" in objection["basis"]
    assert [(r["kind"], r["state"], r["record"]) for r in data["repairs"]] == [("credit", "已受理", record)]
    assert sorted(n["institution"] for n in data["points_notifications"]) == ["宁阳县中医院", "宁阳县第一人民医院"]
    assert {n["points"] for n in data["points_notifications"]} == {9}
    assert data["evaluations"][-1]["points_total"] == 9
    entities = {a["entity"] for a in data["audit"]}
    assert {f["uuid"], data["objections"][0]["uuid"], data["repairs"][0]["uuid"]} <= entities
    json.dumps(data)  # JSON all the way down
    institution = out(cli("show", inst(1), "--json"))
    assert [x["role"] for x in institution["findings"]] == ["institution"]
    assert len(institution["points_notifications"]) == 3  # one for each person registered there

