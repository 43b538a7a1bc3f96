"""Bureaus for exchange tests: a database each, keys made and exchanged as the admins would."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from stdnum.cn import ric, uscc

PASSWORD = "abc12345"


@dataclass
class Bureau:
    db: object
    admin: object
    code: str
    name: str
    path: Path | None

    def dump(self) -> str:
        """Every row of every table, as SQL text: equal dumps mean an unchanged database."""
        with sqlite3.connect(self.path) as con:
            return "\n".join(con.iterdump())


def bureau(folder: Path, code: str, name: str, url: str | None = None) -> Bureau:
    from models.db.database import open_database
    from models.services import county, users
    from models.services.exchange import keys

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}.sqlite3"
    db = open_database(url or str(path))
    county.initialise(db, code=code, name=name, profile="shandong", admin_username="admin", admin_password=PASSWORD)
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    users.add_user(db, actor=admin, username="clerk", display_name="录入员", password=PASSWORD, roles="录入员")
    keys.make_keys(db, actor=admin)
    return Bureau(db, admin, code, name, None if url else path)


def signing_key(b: Bureau) -> tuple[bytes, str]:
    """The bureau's own signing key, opened with the key store as the program opens it: (private, fingerprint)."""
    from models.services.base import UnitOfWork
    from models.services.exchange import keys

    with UnitOfWork(b.db) as uow:
        key = keys.current_key(uow)
        return keys.signing_private(key), key.fingerprint


def clerk(b: Bureau):
    from models.services import users

    return users.authenticate(b.db, username="clerk", password=PASSWORD)


def introduce(a: Bureau, b: Bureau) -> None:
    """Each admin imports the other's public key file, checking the fingerprint read out by phone."""
    from models.services.exchange import keys

    for one, other in ((a, b), (b, a)):
        fp = keys.own_key(other.db).fingerprint
        keys.import_partner_key(one.db, actor=one.admin, text=keys.public_key_file(other.db), expect_fingerprint=fp)


def id_number(serial: int, county: str = "370921") -> str:
    body = f"{county}19800101{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 of 18 characters


def credit_code(serial: int) -> str:
    body = f"12370921MB{serial:07d}"
    return body + uscc.calc_check_digit(body)


def institution(b: Bureau, serial: int, name: str) -> str:
    from models.services import subjects

    code = credit_code(serial)
    subjects.add_subject(b.db, actor=b.admin, data={"type": "institution", "name": name, "credit_code": code})
    return code


def practitioner(b: Bureau, number: str, name: str, inst: str) -> str:
    from models.services import subjects

    return subjects.add_subject(b.db, actor=b.admin, data={
        "type": "practitioner", "name": name, "id_number": number, "institutions": [inst],
        "registered_on": "2024-01-02", "commitment": "个人"}).value.uuid


def violation(b: Bureau, number: str, case_no: str, kind: str = "pq_agreement_serious", on: date | None = None):
    from points_path import confirmed_points, reviewer_of

    return confirmed_points(b.db, clerk(b), number, kind, (on or date.today()).isoformat(), "主要", case_no,
                            reviewer=reviewer_of(b.db))


def export(b: Bureau, to: Bureau, folder: Path) -> Path:
    from models.services.exchange import export as ex

    folder.mkdir(parents=True, exist_ok=True)
    return Path(ex.export_package(b.db, actor=b.admin, to_dir=str(folder), receiver=to.code).value.path)


def receive(b: Bureau, package: Path):
    from models.services.exchange import importer

    return importer.import_package(b.db, actor=b.admin, data=package.read_bytes(), filename=package.name).value


def receipt(b: Bureau, partner: Bureau, folder: Path) -> Path:
    from models.services.exchange import receipts

    folder.mkdir(parents=True, exist_ok=True)
    return Path(receipts.make_receipt(b.db, actor=b.admin, partner=partner.code, to_dir=str(folder)).value.path)


def rows_owned_by(b: Bureau, county: str) -> dict[str, dict[str, dict]]:
    """Table → uuid → the row as it travels (references as UUIDs), for rows owned by ``county``."""
    from sqlalchemy import or_, select

    from models.services.base import UnitOfWork
    from models.services.exchange.export import _lines
    from models.services.exchange.rows import synced_tables
    import json

    out = {}
    with UnitOfWork(b.db) as uow:
        for spec in synced_tables():
            t = spec.table
            cond = t.c.origin_county == county if county != b.code else or_(t.c.origin_county.is_(None), t.c.origin_county == county)
            rows = list(uow.session.execute(select(t).where(cond)).mappings())
            if rows:
                out[spec.name] = {}
                for raw in _lines(uow, spec, rows, b.code):
                    d = json.loads(raw)
                    out[spec.name][d["uuid"]] = d["data"]
    return out


def aliases(b: Bureau) -> dict[str, str]:
    """Remote subject UUID → the local subject it was merged into."""
    from sqlalchemy import select

    from models.db.tables_exchange import ExchangeAlias
    from models.services.base import UnitOfWork

    with UnitOfWork(b.db) as uow:
        return dict(uow.session.execute(select(ExchangeAlias.remote_uuid, ExchangeAlias.local_uuid)).all())
