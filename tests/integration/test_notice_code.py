"""A paper notice checked without our database (issue 12 item 5): the QR code carries number, date, verification
code, addressee, content digest and what was decided, signed with the county's exchange key (Ed25519); the city
checks it offline with the partner key it already holds, and the county code in the payload is checked."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

import notice_scenario as ns  # noqa: E402
from models.services import notice_code, notice_register  # noqa: E402
from models.services.exchange import keys  # noqa: E402


@pytest.fixture(scope="module")
def two_bureaus(tmp_path_factory):
    """The county issues a 暂停医保支付资格告知书; the city (泰安市, 370900) holds the county's public key."""
    from models.db.database import open_database
    from models.services import county, users

    folder = tmp_path_factory.mktemp("code")
    sc = ns.build(folder)
    keys.make_keys(sc.db, actor=sc.actors["admin"])
    uuid = sc.drafts["pq_suspend"]
    ns.sign_through(sc, uuid)
    ns.issue(sc, [uuid])
    with sc.db.session() as s:
        after = s.execute(text("SELECT after FROM audit_log WHERE action = 'notice.register' ORDER BY id DESC")).scalar()
    sc.qr = json.loads(after)["qr"]
    city = open_database(str(folder / "city.sqlite3"))
    county.initialise(city, code="370900", name="泰安市", profile="shandong", admin_username="admin",
                      admin_password=ns.PASSWORD)
    admin = users.authenticate(city, username="admin", password=ns.PASSWORD)
    keys.import_partner_key(city, actor=admin, text=keys.public_key_file(sc.db))
    yield sc, city
    city.dispose()
    sc.db.dispose()


def test_the_qr_payload_is_signed_and_says_what_was_decided(two_bureaus):
    sc, _city = two_bureaus
    entry = notice_register.lookup(sc.db, sha256=None, code=sc.qr.split("|")[4])
    assert sc.qr.startswith("CD2|370921|" + entry["doc_number"] + "|")
    assert "暂停医保支付资格" in sc.qr and "3个月" in sc.qr  # what it decided, not only the title
    assert "暂停医保支付资格" in entry["decided"]  # the register lookup says it too


def test_the_city_checks_the_paper_notice_offline_with_the_partner_key(two_bureaus):
    sc, city = two_bureaus
    verdict = notice_code.check(city, text=sc.qr)
    assert verdict.genuine, verdict.problem
    assert verdict.county == "370921" and "宁阳县" in verdict.signer and "暂停医保支付资格" in verdict.decided
    assert "二维码签名有效" in verdict.text()


def test_a_changed_payload_is_refused(two_bureaus):
    sc, city = two_bureaus
    changed = sc.qr.replace("3个月", "1个月")
    assert changed != sc.qr
    verdict = notice_code.check(city, text=changed)
    assert not verdict.genuine and "签名与370921的密钥不符" in verdict.problem


def test_the_county_code_in_the_payload_is_checked(two_bureaus):
    """A payload claiming another county (whose key the city does not hold, or which did not sign it) is refused."""
    sc, city = two_bureaus
    other = sc.qr.replace("CD2|370921|", "CD2|370902|", 1)
    verdict = notice_code.check(city, text=other)
    assert not verdict.genuine and "370902" in verdict.problem


def test_cli_code_checks_a_scanned_payload(two_bureaus, capsys):
    from desktop.cli import main

    sc, city = two_bureaus
    code = main(["--db", str(sc.path.parent / "city.sqlite3"), "notice", "code", sc.qr])
    assert code == 0 and "二维码签名有效" in capsys.readouterr().out
    code = main(["--db", str(sc.path.parent / "city.sqlite3"), "notice", "code", sc.qr[:-3] + "AAA"])
    assert code == 1 and "不可信" in capsys.readouterr().out


def test_at_the_issuing_county_the_register_also_says_whether_it_was_voided(two_bureaus):
    from models.services import notices

    sc, _city = two_bureaus
    assert notice_code.check(sc.db, text=sc.qr).genuine
    notices.void(sc.db, actor=sc.actors["signer"], notice=sc.drafts["pq_suspend"], reason="送达对象有误")
    verdict = notice_code.check(sc.db, text=sc.qr)
    assert not verdict.genuine and "已作废" in verdict.problem
