"""A notice stays checkable for years (issue 12 item 4): the signature carries its certificate chain and the CRL
current at signing, an RFC 3161 timestamp from the configured service, and `notice verify` judges a registered
file at its registered issue time, so it still verifies after the certificate expired; a voided notice never
verifies. pyHanko and poppler's pdfsig agree with `notice verify` on the same files."""
from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

import notice_scenario as ns
from notice_scenario import nss_trusting, run, tool

ORGAN = "宁阳县医疗保障局"
TSA_PASSWORD = "时间戳-2026"


class _Tsa(BaseHTTPRequestHandler):
    """An RFC 3161 time-stamping authority on 127.0.0.1, signing with the test PKI's TSA certificate."""

    stamper = None

    def do_POST(self):  # noqa: N802 -- http.server's naming
        from asn1crypto import tsp

        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = self.stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def ltv(tmp_path_factory):
    """A county whose installed certificate names a CRL (published to a file) and which stamps with a local TSA."""
    from asn1crypto import keys
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from models.services import notices, signing
    from reports.signing import load_certificates, make_test_pki

    folder = tmp_path_factory.mktemp("ltv")
    crl = folder / "ca.crl"
    pki = make_test_pki(ORGAN, ns.CERT_PASSWORD, crl_url=crl.as_uri(), years=1)
    crl.write_bytes(pki.crl_der)
    (folder / "ca.pem").write_bytes(pki.ca_pem)
    tsa_cert = load_certificates(pki.tsa_cert_pem)[0]
    handler = type("Tsa", (_Tsa,), {"stamper": DummyTimeStamper(
        tsa_cert, keys.PrivateKeyInfo.load(_der(pki.tsa_key_pem)), certs_to_embed=[tsa_cert])})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    sc = ns.build(folder)
    signing.install(sc.db, actor=sc.actors["admin"], p12=pki.p12, password=ns.CERT_PASSWORD, test_only=True)
    notices.set_settings(sc.db, actor=sc.actors["admin"], reason="启用时间戳服务",
                         changes={"timestamp_url": f"http://127.0.0.1:{server.server_port}/tsa"})
    sc.ca_pem = pki.ca_pem
    sc.folder = folder
    sc.not_after = load_certificates(_signer_pem(pki.p12))[0].not_valid_after
    uuids = [sc.drafts["pq_suspend"], sc.drafts["points_notice"]]
    for uuid in uuids:
        ns.sign_through(sc, uuid)
    ns.issue(sc, uuids)
    from models.services import notice_register

    sc.files = {}
    for doc_type in ("pq_suspend", "points_notice"):
        path = folder / f"{doc_type}.pdf"
        path.write_bytes(notice_register.pdf(sc.db, notice=sc.drafts[doc_type])[1])
        sc.files[doc_type] = path
    yield sc
    server.shutdown()
    sc.db.dispose()


def _der(pem_bytes: bytes) -> bytes:
    from asn1crypto import pem

    return pem.unarmor(pem_bytes)[2]


def _signer_pem(p12: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    _key, cert, _extra = pkcs12.load_key_and_certificates(p12, ns.CERT_PASSWORD.encode())
    return cert.public_bytes(serialization.Encoding.PEM)


def test_the_signature_carries_chain_crl_and_a_timestamp(ltv):
    from reports.signing import check_signature

    check = check_signature(ltv.files["pq_suspend"].read_bytes(), [ltv.ca_pem])
    assert check.ok, check.problem
    assert check.revocation_embedded and check.timestamped


def test_a_notice_judged_after_its_certificate_expired_still_verifies(ltv):
    """The certificate's validity is judged at the registered issue time, not at the day of checking."""
    from reports.issuing import verify_pdf
    from reports.signing import check_signature

    data = ltv.files["points_notice"].read_bytes()
    years_later = ltv.not_after + dt.timedelta(days=365 * 3)
    naive = check_signature(data, [ltv.ca_pem], moment=years_later)
    assert naive.intact and not naive.trusted  # judged on that later day, the certificate has expired
    verdict = verify_pdf(ltv.db, data, now=years_later)
    assert verdict.genuine, verdict.reasons
    assert "按登记的印发时间" in verdict.text()


def test_a_changed_or_unregistered_file_judged_years_later_is_refused(ltv):
    from reports.issuing import verify_pdf

    data = ltv.files["points_notice"].read_bytes()
    years_later = ltv.not_after + dt.timedelta(days=365 * 3)
    appended = verify_pdf(ltv.db, data + b"\n% appended\n", now=years_later)
    assert not appended.genuine
    assert any("有效期" in r or "登记簿" in r for r in appended.reasons)


@pytest.fixture(scope="module")
def nss(ltv):
    return nss_trusting(ltv.folder)


def _cli_verify(ltv, path, monkeypatch, capsys) -> tuple[int, str]:
    from desktop.cli import main

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    code = main(["--db", str(ltv.path), "notice", "verify", str(path)])
    return code, capsys.readouterr().out


def test_pdfsig_pyhanko_and_notice_verify_agree_and_a_voided_notice_exits_non_zero(ltv, nss, monkeypatch, capsys):
    from models.services import notices
    from reports.signing import check_signature

    path = ltv.files["pq_suspend"]
    said = run(tool("pdfsig"), "-nssdir", nss, str(path))
    assert "Signature is Valid." in said and "Certificate is Trusted." in said, said
    assert check_signature(path.read_bytes(), [ltv.ca_pem]).ok
    code, out = _cli_verify(ltv, path, monkeypatch, capsys)
    assert code == 0 and out.startswith("真实有效")

    notices.void(ltv.db, actor=ltv.actors["signer"], notice=ltv.drafts["pq_suspend"], reason="送达对象有误，重新印发")
    code, out = _cli_verify(ltv, path, monkeypatch, capsys)
    assert code != 0 and "已作废" in out and "送达对象有误" in out
    # The signature itself is still intact: pdfsig and pyHanko say so, and verify names the void as the reason.
    assert "Signature is Valid." in run(tool("pdfsig"), "-nssdir", nss, str(path))
    assert check_signature(path.read_bytes(), [ltv.ca_pem]).ok


def test_an_unreachable_timestamp_service_issues_nothing_and_says_why(ltv):
    """Issuing with a configured service that does not answer: a Chinese refusal, no number used up."""
    from models.services import notice_register, notices
    from models.services.base import ServiceError

    uuid = ltv.drafts["settlement_suspend"]
    ns.sign_through(ltv, uuid)
    before = notices.get_settings(ltv.db)["timestamp_url"]
    notices.set_settings(ltv.db, actor=ltv.actors["admin"], changes={"timestamp_url": "http://127.0.0.1:9/tsa"},
                         reason="试验")
    try:
        with pytest.raises(ServiceError, match="时间戳服务"):
            ns.issue(ltv, [uuid])
        assert notice_register.detail(ltv.db, notice=uuid)["issue"] is None
    finally:
        notices.set_settings(ltv.db, actor=ltv.actors["admin"], changes={"timestamp_url": before}, reason="恢复")
