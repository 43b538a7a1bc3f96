"""Packages that must be refused, each with its own Chinese message, leaving the database exactly as it was
(DOMAIN.md §7: a gap or a tampered part is refused with a clear message; a resend is recognised)."""
from __future__ import annotations

import json

import pytest

from test_exchange_support import (bureau, export, id_number, institution, introduce, practitioner, receive, signing_key,
                                   violation)


@pytest.fixture
def pair(tmp_path):
    a = bureau(tmp_path / "a", "370921", "宁阳县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(a, city)
    inst = institution(a, 1, "宁阳县人民医院")
    practitioner(a, id_number(1), "张伟", inst)
    violation(a, id_number(1), "宁医保协〔2026〕3号")
    yield a, city
    a.db.dispose()
    city.db.dispose()


def refused(b, data: bytes, match: str) -> None:
    from models.services.exchange import importer
    from models.services.exchange.format import PackageRefused

    before = b.dump()
    for fn in (importer.preview, importer.import_package):
        with pytest.raises(PackageRefused, match=match):
            fn(b.db, actor=b.admin, data=data, filename="x.zip")
    assert b.dump() == before


def resigned(data: bytes, signer, change) -> bytes:
    """The package with its manifest changed and signed again with ``signer``'s key, as a real sender would."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from models.services.exchange.format import MANIFEST, SIGNATURE, b64, canonical_zip, manifest_bytes, open_package

    pkg = open_package(data)
    manifest = json.loads(pkg.manifest_raw)
    change(manifest)
    body = manifest_bytes(manifest)
    private, _fp = signing_key(signer)
    sig = json.dumps({"algorithm": "Ed25519", "key_fingerprint": manifest["signer_fingerprint"],
                      "signature": b64(Ed25519PrivateKey.from_private_bytes(private).sign(body))},
                     sort_keys=True).encode()
    rest = [(n, pkg.members[n]) for n in pkg.members if n not in (MANIFEST, SIGNATURE)]
    return canonical_zip([(MANIFEST, body), (SIGNATURE, sig), *rest])


def test_a_flipped_byte_anywhere_is_refused(pair, tmp_path):
    a, city = pair
    data = export(a, city, tmp_path / "out").read_bytes()
    positions = sorted({*range(0, len(data), max(1, len(data) // 97)), len(data) - 1, len(data) - 22, 30, 31})
    for pos in positions:
        flipped = bytearray(data)
        flipped[pos] ^= 0x01
        refused(city, bytes(flipped), "数据包|签名|SHA-256|清单|解密|zip")
    assert receive(city, tmp_path / "out" / "creditdesk-data-370921-to-370900-000001.zip").status == "applied"


def test_a_package_signed_with_another_key_is_refused(pair, tmp_path):
    a, city = pair
    impostor = bureau(tmp_path / "impostor", "370921", "宁阳县")
    introduce(impostor, city)  # the city now trusts the impostor's key, not A's …
    genuine = export(a, city, tmp_path / "out").read_bytes()
    refused(city, genuine, "签名密钥.*不是本局保存的")  # … so A's genuine package names the mismatch
    # A package that claims the trusted key's fingerprint but is signed with another key.
    from models.services.exchange import keys

    trusted = keys.partners(city.db)[0].fingerprint
    forged = resigned(genuine, a, lambda m: m.update(signer_fingerprint=trusted))
    refused(city, forged, "签名验证失败")


def test_a_package_for_another_receiver_is_refused(pair, tmp_path):
    a, city = pair
    other = bureau(tmp_path / "other", "370923", "东平县")
    introduce(a, other)
    introduce(other, city)
    data = export(a, other, tmp_path / "out").read_bytes()
    refused(city, data, "是发给 东平县（370923）的，不是发给本局（泰安市 370900）的")


def test_a_skipped_sequence_number_is_refused_and_a_replay_too(pair, tmp_path):
    a, city = pair
    first = export(a, city, tmp_path / "out")
    violation(a, id_number(1), "宁医保协〔2026〕4号")
    second = export(a, city, tmp_path / "out")
    violation(a, id_number(1), "宁医保协〔2026〕5号")
    third = export(a, city, tmp_path / "out")
    refused(city, second.read_bytes(), "序号不连续：本局已导入到第0号，缺少第1号")
    refused(city, third.read_bytes(), "缺少第1至第2号")
    receive(city, first)
    receive(city, second)
    refused(city, first.read_bytes(), "第1号数据包已经用过")
    before = city.dump()
    assert receive(city, second).status == "resend"  # the newest one again: recognised, ignored
    assert city.dump() == before
    # A package claiming the next number but not chained to the one applied before it.
    broken = resigned(third.read_bytes(), a, lambda m: m.update(previous_package_sha256="0" * 64))
    refused(city, broken, "数据包链断开")


def test_an_older_or_newer_schema_version_is_refused(pair, tmp_path):
    a, city = pair
    data = export(a, city, tmp_path / "out").read_bytes()
    refused(city, resigned(data, a, lambda m: m.update(schema_version=["0004"])), "结构版本（0004）旧于本程序")
    refused(city, resigned(data, a, lambda m: m.update(schema_version=["0999"])), "结构版本（0999）新于本程序.*请先升级本程序")
    refused(city, resigned(data, a, lambda m: m.update(format_version=2)), "格式版本 2 不受支持")


def test_an_unknown_sender_and_a_file_that_is_no_package_are_refused(pair, tmp_path):
    a, city = pair
    stranger = bureau(tmp_path / "s", "370923", "东平县")
    introduce(stranger, a)  # the city never imported its key
    from models.services.exchange import keys

    keys.import_partner_key(stranger.db, actor=stranger.admin, text=keys.public_key_file(city.db))
    institution(stranger, 9, "东平县人民医院")
    data = export(stranger, city, tmp_path / "out").read_bytes()
    refused(city, data, "未导入发送方 370923 的数据交换公钥")
    refused(city, b"PK\x03\x04 not really a zip", "不是完整的 zip 文件")
    refused(city, "一封信".encode(), "zip")


def test_a_row_maintained_here_is_never_changed_by_a_package(pair, tmp_path):
    """Records owned by this county are changed only here: the city's version claiming them is a conflict."""
    from datetime import datetime, timezone

    from sqlalchemy import select

    from models.db.tables_exchange import ExchangeKey
    from models.services.base import UnitOfWork
    from models.services.exchange import importer, keys
    from models.services.exchange.export import schema_version
    from models.services.exchange.format import make_part, write_package
    from test_exchange_support import rows_owned_by

    a, city = pair
    uuid, data = next((u, d) for u, d in rows_owned_by(a, a.code)["subjects"].items() if d["type"] == "practitioner")
    now = datetime.now(timezone.utc).isoformat()
    line = {"uuid": uuid, "origin": "370923", "created_at": now, "updated_at": now, "data": {**data, "name": "张冒名"}}
    sign_private, city_fp = signing_key(city)
    a_key = keys.own_key(a.db)
    manifest = {"format": "creditdesk-exchange", "format_version": 1, "kind": "data", "package_id": "p-1",
                "schema_version": schema_version(), "created_at": now, "sequence": 1, "previous_package_sha256": None,
                "sender": {"code": city.code, "name": city.name}, "acknowledges": None, "policy_packs": {},
                "receiver": {"code": a.code, "name": a.name, "fingerprint": a_key.fingerprint}}
    with UnitOfWork(a.db) as uow:
        a_box = uow.session.scalar(select(ExchangeKey.box_public).where(ExchangeKey.retired_at.is_(None)))
    package, _ = write_package(manifest, [make_part("data/subjects.jsonl", "subjects", [json.dumps(line).encode()])],
                               sign_private=sign_private, signer_fingerprint=city_fp, receiver_box_public=a_box)
    before = rows_owned_by(a, a.code)
    report = importer.import_package(a.db, actor=a.admin, data=package).value
    assert report.counts["subjects"] == {"conflicts": 1}
    assert report.conflicts[0]["reason"] == "这是本局维护的记录，不接受其他单位的修改"
    assert rows_owned_by(a, a.code) == before


def test_a_receipt_for_a_package_never_sent_or_with_another_digest_is_refused(pair, tmp_path):
    from test_exchange_support import receipt

    a, city = pair
    receive(city, export(a, city, tmp_path / "out"))
    genuine = receipt(city, a, tmp_path / "r").read_bytes()
    refused(a, resigned(genuine, city, lambda m: m["acknowledges"].update(manifest_sha256="f" * 64)),
            "回执中第1号数据包的摘要与本局发出的不符")
    refused(a, resigned(genuine, city, lambda m: m["acknowledges"].update(sequence=5)),
            "本局没有发出过该数据包")
    before = a.dump()
    from models.services.exchange import importer

    assert importer.import_package(a.db, actor=a.admin, data=genuine).value.status == "receipt"
    assert a.dump() != before  # the genuine receipt is applied: rows stop being pending


def test_a_deletion_marker_from_a_bureau_that_does_not_own_the_row_deletes_nothing(pair, tmp_path):
    from datetime import datetime, timezone

    from sqlalchemy import select

    from models.db.tables_exchange import ExchangeKey
    from models.services.base import UnitOfWork
    from models.services.exchange import importer, keys
    from models.services.exchange.export import schema_version
    from models.services.exchange.format import make_part, write_package
    from test_exchange_support import rows_owned_by

    a, city = pair
    uuid = next(iter(rows_owned_by(a, a.code)["service_commitments"]))
    marker = {"marker": "deleted", "table": "service_commitments", "uuid": uuid, "origin": city.code,
              "at": datetime.now(timezone.utc).isoformat()}
    sign_private, city_fp = signing_key(city)
    with UnitOfWork(a.db) as uow:
        a_box = uow.session.scalar(select(ExchangeKey.box_public))
    manifest = {"format": "creditdesk-exchange", "format_version": 1, "kind": "data", "package_id": "p-2",
                "schema_version": schema_version(), "created_at": marker["at"], "sequence": 1,
                "previous_package_sha256": None, "sender": {"code": city.code, "name": city.name},
                "acknowledges": None, "policy_packs": {},
                "receiver": {"code": a.code, "name": a.name, "fingerprint": keys.own_key(a.db).fingerprint}}
    package, _ = write_package(manifest, [make_part("data/markers.jsonl", "markers", [json.dumps(marker).encode()])],
                               sign_private=sign_private, signer_fingerprint=city_fp, receiver_box_public=a_box)
    before = rows_owned_by(a, a.code)
    report = importer.import_package(a.db, actor=a.admin, data=package).value
    assert report.counts == {"service_commitments": {"conflicts": 1}}
    assert "由 370921 维护，不予删除" in report.conflicts[0]["reason"]
    assert rows_owned_by(a, a.code) == before
