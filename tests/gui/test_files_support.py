"""What the tests of the daily screens share: a small demo county with staff, made once per session.

Each test gets its own copy of the file, so what one test writes never reaches another.
"""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from models.services.base import Actor

PASSWORD = "abc12345"
STAFF = {
    "clerk": ("李录入", "录入员"),
    "clerk2": ("赵录入", "录入员"),
    "reviewer": ("王审核", "审核员"),
    "reviewer2": ("孙审核", "审核员"),
    "both": ("周兼任", "录入员,审核员"),  # may enter and review, but never their own case (双人复核)
    "signer": ("钱签发", "签发人"),
}


def actor(username: str) -> Actor:
    from models.services.base import ROLE_BY_NAME

    name, roles = STAFF[username]
    return Actor(username, name, frozenset(ROLE_BY_NAME[r] for r in roles.split(",")))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A small demo county (宁阳县, Shandong profile), evaluated, with the staff above."""
    from models.db.database import open_database
    from models.services import county, demo, standing, users

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = open_database(str(path))
    admin = county.initialise(db, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                              admin_password=PASSWORD).value[1]
    for username, (name, roles) in STAFF.items():
        users.add_user(db, actor=admin, username=username, display_name=name, password=PASSWORD, roles=roles)
    demo.fill_demo(db, actor=admin, scale="small", seed=7)
    standing.evaluate_all(db, actor=admin)
    db.dispose()
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path):
    from models.db.database import open_database

    path = tmp_path / "county.sqlite3"
    shutil.copy(demo_template, path)
    db = open_database(str(path))
    yield db
    db.dispose()


def sql(db, statement: str, *args):
    """A direct read of the file, independent of the code under test."""
    with sqlite3.connect(db.sqlite_file) as con:
        return con.execute(statement, args).fetchall()


def practitioner_with_registration(db, *, min_score: int = 850) -> dict:
    """A practitioner graded 优秀 (so a serious finding changes the grade) and one institution of theirs."""
    row = sql(db, """SELECT p.uuid, p.name, p.initials, p.id_number, i.uuid, i.name, i.credit_code, st.grade,
                            st.score, st.points_total
                     FROM subjects p JOIN subject_standing st ON st.subject_id = p.id
                     JOIN registrations r ON r.practitioner_id = p.id JOIN subjects i ON i.id = r.institution_id
                     WHERE p.type = 'practitioner' AND st.score >= ? AND st.points_total = 0
                     ORDER BY p.id LIMIT 1""", min_score * 100)[0]
    keys = ("uuid", "name", "initials", "id_number", "institution", "institution_name", "credit_code", "grade",
            "score", "points")
    return dict(zip(keys, row))



def nine_points(db, *, case_no: str = "宁医保罚〔2026〕960号", decided=None) -> dict:
    """A practitioner (practitioner_with_registration) given 9 points by a confirmed finding decided on
    ``decided`` (default today): the clerk enters it, the reviewer confirms it."""
    from datetime import date

    from models.services import findings

    target = practitioner_with_registration(db)
    finding = findings.add_finding(db, actor=actor("clerk"), data={
        "institution": target["credit_code"], "case_no": case_no, "decision_type": "行政处罚",
        "decision_date": (decided or date.today()).isoformat(), "article": "条例第三十八条", "source": "audit"}).value
    findings.add_person(db, actor=actor("clerk"), finding=finding.uuid, person=target["id_number"],
                        responsibility="主要", kind="pq_admin_penalty")  # 7—9 band: 主要 = 9 points
    findings.confirm_finding(db, actor=actor("reviewer"), finding=finding.uuid)
    return target


def wait_loaded(qtbot, model, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: model.total is not None and not model.loading, timeout=timeout)


def type_text(qtbot, widget, text: str) -> None:
    """Typing as a user does: keys for ASCII, committed text for Chinese (an input method's output;
    QTest cannot press keys for CJK characters)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
    elif hasattr(widget, "insertPlainText"):
        widget.insertPlainText(text)
    else:
        widget.insert(text)
