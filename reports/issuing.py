"""Issuing and verifying documents: the renderer and the signer joined for the notices service, the
draft preview, and the check that a PDF is an unaltered document this bureau issued."""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field

from models.services import notice_register, signing
from models.services.notices import FORMS
from models.validation import one_of
from reports.documents import Rendered, Stamp, render
from reports.fonts import font_set
from reports.signing import CRL_MAX_AGE, BatchSigner, SignatureCheck, SignatureSpec, check_signature
from reports.story import cn_date


MAX_PDF = 100 * 2**20  # the largest file ``notice verify`` reads: an issued list of a thousand entries is a few MB


def produce(doc_type: str, facts: dict, stamp, key) -> tuple[bytes, int]:
    """``notices.issue``'s ``produce``: render with number, date, verification code, the seal and the
    signature's reserved place, then sign the byte ranges (one signer per batch)."""
    fonts = font_set()
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    spec = SignatureSpec(field=f"签章{stamp.verify_code}", name=facts["organ"], when=when, location=facts["county"],
                         reason=f"{facts['organ']}印发 {stamp.number}")
    out: Rendered = render(doc_type, facts, Stamp(stamp.number, stamp.issued_on, stamp.verify_code, stamp.county_code,
                                                  getattr(stamp, "qr", "")), fonts=fonts, signature=spec)
    if out.geometry.seal is None:
        raise RuntimeError(f"{doc_type}: the layout reserved no place for the seal")
    return batch_signer(key.p12, key.password, getattr(stamp, "timestamp_url", "")).sign(out.pdf, when), out.geometry.pages


_signers: dict[tuple, tuple[float, BatchSigner]] = {}


def batch_signer(p12: bytes, password: str, timestamp_url: str = "") -> BatchSigner:
    """One signer (key, chain, revocation data, timestamp service) for a batch; renewed when its CRLs age."""
    key = (hashlib.sha256(p12).hexdigest(), password, timestamp_url)
    made, signer = _signers.get(key, (0.0, None))
    if signer is None or time.monotonic() - made > CRL_MAX_AGE:
        _signers.clear()
        signer = BatchSigner(p12, password, timestamp_url=timestamp_url)
        _signers[key] = (time.monotonic(), signer)
    return signer


def preview(db, *, notice: str) -> bytes:
    """The PDF as it would be printed: a draft with its watermark, or the issued signed file."""
    doc = notice_register.detail(db, notice=notice)
    if doc["issue"]:
        return notice_register.pdf(db, notice=notice)[1]
    doc_type, facts = notice_register.facts(db, notice=notice)
    return render(doc_type, facts, None).pdf


def blank_form(db, *, form: str, subject: str | None = None) -> bytes:
    """附件1 / 附件3 for the subject to fill in, with what the bureau already knows."""
    one_of(form, tuple(FORMS), "表格")
    facts = notice_register.form_facts(db, subject=subject)
    return render(form, facts, None).pdf


@dataclass
class Verdict:
    """What ``notice verify`` says about a file."""

    genuine: bool
    signature: SignatureCheck
    entry: dict | None
    sha256: str
    reasons: list[str] = field(default_factory=list)

    def text(self) -> str:
        if self.genuine:
            e = self.entry
            at = e["registered_at"]
            return (f"真实有效：{e['doc_number']}《{e['title']}》，{e.get('subject') or '公告'}，成文日期"
                    f"{cn_date(e['issued_on'])}，验证码{e['verify_code']}；数字签名有效且签名后未被改动（按登记的印发时间"
                    f"{cn_date(at.date())} {at:%H:%M}核验证书），文件与发文登记簿一致")
        return "不是本局印发的有效文书：" + "；".join(self.reasons)


def _signature_reasons(check: SignatureCheck, fingerprints: set[str]) -> list[str]:
    if not check.present:
        return [check.problem]
    reasons = []
    if not check.intact:
        reasons.append("签名后文件内容被改动（签名所覆盖的字节与签名不符）")
    elif not check.valid:
        reasons.append("签名无效")
    if check.intact and not check.trusted:
        reasons.append("签名证书不是本局信任的证书链签发的，或在核验时点不在有效期内")
    if check.intact and not check.covers_whole_file:
        reasons.append("签名后文件末尾被追加了内容")
    if check.signer_fingerprint and check.signer_fingerprint not in fingerprints:
        reasons.append("签名证书不是本局的签章证书")
    return reasons


def verify_pdf(db, data: bytes, *, now: dt.datetime | None = None) -> Verdict:
    """Genuine = the signature is intact, valid, trusted, covers the whole file, was made with one of this
    bureau's certificates, the file's SHA-256 is in the register, and the notice was not voided.

    A registered file is judged at its registered issue time (so it still verifies after the certificate
    expired); any other file at ``now``."""
    roots, fingerprints = signing.trust(db)
    digest = hashlib.sha256(data).hexdigest()
    entry = notice_register.lookup(db, sha256=digest)
    check = check_signature(data, roots, moment=entry["registered_at"] if entry else now)
    reasons = _signature_reasons(check, fingerprints)
    if entry is None:
        signed_part = notice_register.lookup(db, sha256=check.signed_revision_sha256) if check.present else None
        reasons.append("发文登记簿中没有该文件" + (f"（签名部分对应 {signed_part['doc_number']}，其后被追加修改）"
                                              if signed_part else ""))
    elif entry.get("voided"):
        reasons.append(f"{entry['doc_number']}已作废（{entry['voided']}），不再有效")
    return Verdict(not reasons, check, entry, digest, reasons)
