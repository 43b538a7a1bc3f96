"""Shared fixtures: a real SQLite file per test, initialised as a county with staff."""
from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Exchange private keys are sealed with the user's key store: the tests' own, never the real one.
os.environ.setdefault("CREDIT_DESK_KEYSTORE", tempfile.mkdtemp(prefix="creditdesk-keystore-"))

PASSWORD = "abc12345"


@pytest.fixture
def db(tmp_path):
    from models.db.database import open_database
    from models.services import county

    database = open_database(str(tmp_path / "county.sqlite3"))
    county.initialise(database, code="370921", name="宁阳县", profile="shandong", admin_username="admin",
                      admin_password=PASSWORD)
    yield database
    database.dispose()


@pytest.fixture
def admin(db):
    from models.services import users

    return users.authenticate(db, username="admin", password=PASSWORD)


def _staff(db, admin, username: str, roles: str):
    from models.services import users

    users.add_user(db, actor=admin, username=username, display_name=username, password=PASSWORD, roles=roles)
    return users.authenticate(db, username=username, password=PASSWORD)


@pytest.fixture
def clerk(db, admin):
    return _staff(db, admin, "clerk", "录入员")


@pytest.fixture
def reviewer(db, admin):
    return _staff(db, admin, "reviewer", "审核员")
