"""Issued notices cannot be forged quietly: pyHanko and poppler's pdfsig (trusting the test CA through an NSS
database) accept the issued file and reject it after a one-byte change; `notice verify` ties the file to the
register (DOMAIN.md §6; Panan 第二十五条 punishes 篡改信息)."""
from __future__ import annotations


import pytest

from notice_scenario import nss_trusting, run, tool

DOC_TYPES = ("credit_result", "pq_suspend", "repair_refused", "repair_confirmed", "public_list")


def one_byte_changed(data: bytes) -> bytes:
    """Flip one byte inside the page content the signature covers (not in the signature itself)."""
    at = data.index(b"stream", 2000) + 40
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


@pytest.fixture(scope="module")
def nss(issued):
    return nss_trusting(issued.folder)


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_pyhanko_accepts_the_issued_notice_and_rejects_a_one_byte_change(issued, doc_type):
    from reports.signing import check_signature

    data = issued.files[doc_type].read_bytes()
    ok = check_signature(data, [issued.ca_pem])
    assert ok.ok and ok.intact and ok.valid and ok.trusted and ok.covers_whole_file
    assert "宁阳县医疗保障局" in ok.signer_name
    broken = check_signature(one_byte_changed(data), [issued.ca_pem])
    assert not broken.ok and not broken.intact


def test_an_untrusted_root_is_not_accepted(issued):
    from reports.signing import check_signature, make_test_certificates

    other_root, _ = make_test_certificates("别的机关", "x1234567")
    check = check_signature(issued.files["credit_result"].read_bytes(), [other_root])
    assert check.intact and not check.trusted and not check.ok


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_pdfsig_with_the_test_ca_trusted_accepts_and_rejects_after_a_change(issued, nss, doc_type, tmp_path):
    pdfsig = tool("pdfsig")
    good = run(pdfsig, "-nssdir", nss, str(issued.files[doc_type]))
    assert "Signature is Valid." in good and "Certificate is Trusted." in good, good
    assert "Total document signed" in good
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(one_byte_changed(issued.files[doc_type].read_bytes()))
    bad = run(pdfsig, "-nssdir", nss, str(changed))
    assert "Signature is Valid." not in bad, bad


def test_verify_says_genuine_only_for_the_unaltered_registered_file(issued, tmp_path):
    from reports.issuing import verify_pdf

    data = issued.files["points_notice"].read_bytes()
    ok = verify_pdf(issued.db, data)
    assert ok.genuine and ok.entry["doc_number"].startswith("宁医保记〔") and "真实有效" in ok.text()
    changed = verify_pdf(issued.db, one_byte_changed(data))
    assert not changed.genuine and any("改动" in r for r in changed.reasons)
    appended = verify_pdf(issued.db, data + b"\n% appended\n")
    assert not appended.genuine and any("登记簿" in r for r in appended.reasons)
    unsigned = verify_pdf(issued.db, issued.draft_files["points_notice"].read_bytes())
    assert not unsigned.genuine and "没有数字签名" in unsigned.text()
    for junk in (b"", b"%PDF-1.7\n" + bytes(range(256)) * 20, data[: len(data) // 3]):
        said = verify_pdf(issued.db, junk)
        assert not said.genuine and ("无法读取" in said.text() or "没有数字签名" in said.text())
        assert "Error" not in said.text()  # the user reads what is wrong with the file, not a class name


def test_a_valid_signature_by_another_certificate_is_not_this_bureaus(issued):
    """Re-signing a rendered document with a certificate the bureau never installed fails verification."""
    from models.services import notice_register
    from models.services.notices import IssueStamp
    from reports.issuing import produce, verify_pdf
    from reports.signing import make_test_certificates
    from datetime import date
    from types import SimpleNamespace

    doc_type, facts = notice_register.facts(issued.db, notice=issued.drafts["credit_result"])
    _root, p12 = make_test_certificates("宁阳县医疗保障局", "x1234567")
    forged, _pages = produce(doc_type, facts, IssueStamp("宁医保信〔2026〕99号", date.today(), "ABCD-EFGH", "370921"),
                             SimpleNamespace(p12=p12, password="x1234567"))
    verdict = verify_pdf(issued.db, forged)
    assert not verdict.genuine
    assert "签名证书不是本局的签章证书" in verdict.reasons and any("登记簿" in r for r in verdict.reasons)
