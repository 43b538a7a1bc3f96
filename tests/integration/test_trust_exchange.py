"""Attacks on the exchange with the city: each refused with a Chinese message, nothing written.

A county speaks only for itself (鲁医保发〔2024〕25号 第五条: results are recognised across counties,
so a county filing a decision in another county's name would be believed everywhere).
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone

import pytest

from test_city_postgres import postgres  # noqa: F401  (the throw-away PostgreSQL server fixture)
from test_exchange_refusals import pair, refused  # noqa: F401  (pair: a county and the city that know each other)
from test_exchange_support import (bureau, export, id_number, institution, introduce, practitioner, receive, rows_owned_by,
                                   signing_key)


def _package(sender, receiver, parts: list, sequence: int = 1) -> bytes:
    """A package made by ``sender`` with its genuine key, as a dishonest county would make one."""
    from models.services.exchange import keys
    from models.services.exchange.export import schema_version
    from models.services.exchange.format import write_package

    private, fp = signing_key(sender)
    partner = {p.code: p for p in keys.partners(sender.db)}[receiver.code]
    from models.services.base import UnitOfWork

    with UnitOfWork(sender.db) as uow:
        box = keys.partner(uow, receiver.code).box_public
    manifest = {"format": "creditdesk-exchange", "format_version": 1, "kind": "data", "package_id": f"p-{sequence}",
                "schema_version": schema_version(), "created_at": datetime.now(timezone.utc).isoformat(),
                "sequence": sequence, "previous_package_sha256": None, "acknowledges": None, "policy_packs": {},
                "sender": {"code": sender.code, "name": sender.name},
                "receiver": {"code": receiver.code, "name": receiver.name, "fingerprint": partner.fingerprint}}
    return write_package(manifest, parts, sign_private=private, signer_fingerprint=fp, receiver_box_public=box)[0]


def test_a_county_cannot_file_a_record_as_another_countys_decision(pair):
    """The spoof: 宁阳县 signs with its own genuine key a 12-point fraud record owned by 东平县 (370923)."""
    from models.services.exchange.format import make_part

    a, city = pair
    owned = rows_owned_by(a, a.code)
    lines = []
    for table in ("subjects", "credit_records"):
        for uuid, data in owned[table].items():
            now = datetime.now(timezone.utc).isoformat()
            lines.append((table, json.dumps({"uuid": uuid, "origin": "370923", "created_at": now, "updated_at": now,
                                             "data": data}, ensure_ascii=False).encode()))
    parts = [make_part(f"data/{t}.jsonl", t, [line for table, line in lines if table == t])
             for t in ("subjects", "credit_records")]
    refused(city, _package(a, city, parts), "标为由 370923 维护，但数据包由 370921 签发")


def test_a_copy_of_the_database_file_cannot_sign_a_package_or_open_one(pair, tmp_path, monkeypatch):
    """Secrets at rest: the private keys are sealed with the user's key store, which a copied file lacks."""
    from models.db.database import open_database
    from models.db.migrate import backup_sqlite
    from models.services import users
    from models.services.base import ServiceError
    from models.services.exchange import export as ex
    from models.services.exchange import importer

    a, city = pair
    institution(city, 2, "泰安市中心医院")
    from_city = export(city, a, tmp_path / "to-a")
    stolen = tmp_path / "stolen" / "copy.sqlite3"
    backup_sqlite(a.path, stolen)  # what a thief gets from a backup or a copy of the closed file
    monkeypatch.setenv("CREDIT_DESK_KEYSTORE", str(tmp_path / "thief-keystore"))
    copy = open_database(str(stolen))
    try:
        admin = users.authenticate(copy, username="admin", password="abc12345")
        (tmp_path / "out").mkdir()
        with pytest.raises(ServiceError, match="复制的数据库不能签署或解开数据包"):
            ex.export_package(copy, actor=admin, to_dir=str(tmp_path / "out"), receiver=city.code)
        with pytest.raises(ServiceError, match="打不开本局的数据交换私钥"):
            importer.import_package(copy, actor=admin, data=from_city.read_bytes(), filename=from_city.name)
        assert list((tmp_path / "out").iterdir()) == []
    finally:
        copy.dispose()
    monkeypatch.undo()
    # The real county's sequence was not used up: its next package is number 1 and the city takes it.
    assert receive(city, export(a, city, tmp_path / "real")).sequence == 1


def test_private_keys_are_not_stored_in_the_database_in_the_clear(pair):
    import sqlite3

    a, _city = pair
    from models.services.base import UnitOfWork
    from models.services.exchange import keys

    with UnitOfWork(a.db) as uow:
        raw = keys.signing_private(keys.current_key(uow))
    with sqlite3.connect(a.path) as con:
        stored = [bytes(r[0]) + bytes(r[1]) for r in con.execute("SELECT sign_private, box_private FROM exchange_keys")]
    assert all(raw not in s for s in stored)
    assert raw not in a.path.read_bytes()


def test_a_partner_key_is_replaced_only_with_the_fingerprint_read_out(pair, tmp_path):
    from models.services.exchange import keys
    from models.validation import ValidationError

    a, city = pair
    keys.make_keys(city.db, actor=city.admin)  # the city made a new pair (or someone pretends it did)
    new_file = keys.public_key_file(city.db)
    with pytest.raises(ValidationError, match="更换公钥必须填写对方电话告知的新指纹"):
        keys.import_partner_key(a.db, actor=a.admin, text=new_file)
    keys.import_partner_key(a.db, actor=a.admin, text=new_file, expect_fingerprint=keys.own_key(city.db).fingerprint)
    assert {p.code: p.fingerprint for p in keys.partners(a.db)}[city.code] == keys.own_key(city.db).fingerprint


def _zip(members: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data, method in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_decompressed(pair, monkeypatch):
    """200 MB of zeros in a 200 KB file: refused from the zip directory alone (zipfile.read is never reached)."""
    a, city = pair
    bomb = _zip([("manifest.json", b"{}", zipfile.ZIP_STORED), ("manifest.sig", b"{}", zipfile.ZIP_STORED),
                 ("data/subjects.jsonl.enc", b"\0" * (200 * 1024 * 1024), zipfile.ZIP_DEFLATED)])
    assert len(bomb) < 1024 * 1024

    def never(*_a, **_k):
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    refused(city, bomb, "压缩炸弹，未解压即拒绝")


def test_a_part_that_inflates_far_beyond_any_real_part_is_refused(pair):
    """A signed package whose encrypted part is a zlib bomb: decompression stops at the ratio limit."""
    import zlib

    from models.services.exchange.format import Part

    a, city = pair
    packed = zlib.compress(b"0" * (300 * 1024 * 1024), 9)
    part = Part("data/subjects.jsonl", "subjects", packed, 1, "0" * 64)
    refused(city, _package(a, city, [part]), "压缩炸弹")


def test_a_nul_stored_by_an_earlier_version_does_not_block_a_postgresql_city(postgres, tmp_path, monkeypatch):
    """PostgreSQL refuses U+0000: the row carrying it is reported as a conflict, everything else applies."""
    from models import validation
    from models.services import records

    a = bureau(tmp_path / "a", "370921", "宁阳县")
    city = bureau(tmp_path / "city", "370900", "泰安市", url=postgres())
    try:
        introduce(a, city)
        inst = institution(a, 1, "宁阳县人民医院")
        practitioner(a, id_number(1), "张伟", inst)
        with monkeypatch.context() as m:  # what versions before this check let through
            m.setattr(validation, "_CONTROL", __import__("re").compile(r"(?!)"))
            from test_exchange_support import clerk

            records.add_record(a.db, actor=clerk(a), data={
                "subject": id_number(1), "kind": "refuse_penalty", "decision_date": "2026-03-02",
                "responsibility": "一般", "case_no": "宁医保协〔2026〕1号", "decision_type": "协议处理", "note": "超量\x00开药"})
        report = receive(city, export(a, city, tmp_path / "out"))
        assert report.status == "applied" and report.counts["credit_records"] == {"conflicts": 1}
        assert "控制字符（U+0000）" in report.conflicts[0]["reason"]
        assert report.counts["subjects"] == {"new": 2}
    finally:
        a.db.dispose()
        city.db.dispose()
