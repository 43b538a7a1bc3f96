"""Issuing and verifying documents: the renderer and the signer joined for the notices service, the
draft preview, and the check that a PDF is an unaltered document this bureau issued."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from reports.documents import Rendered, Stamp, render
from reports.fonts import font_set
from reports.signing import SignatureCheck, check_signature, sign_pdf


def produce(doc_type: str, facts: dict, stamp, key) -> tuple[bytes, int]:
    """``notices.issue``'s ``produce``: render with number, date and verification code, then sign."""
    fonts = font_set()
    out: Rendered = render(doc_type, facts, Stamp(stamp.number, stamp.issued_on, stamp.verify_code, stamp.county_code),
                           fonts=fonts)
    if out.geometry.seal is None:
        raise RuntimeError(f"{doc_type}: the layout reserved no place for the seal")
    signed = sign_pdf(out.pdf, p12=key.p12, password=key.password, seal=out.geometry.seal, organ=facts["organ"],
                      fonts=fonts, field=f"签章{stamp.verify_code}", reason=f"{facts['organ']}印发 {stamp.number}",
                      location=facts["county"])
    return signed, out.geometry.pages


def preview(db, *, notice: str) -> bytes:
    """The PDF as it would be printed: a draft with its watermark, or the issued signed file."""
    from models.services import notice_register

    doc = notice_register.detail(db, notice=notice)
    if doc["issue"]:
        return notice_register.pdf(db, notice=notice)[1]
    doc_type, facts = notice_register.facts(db, notice=notice)
    return render(doc_type, facts, None).pdf


def blank_form(db, *, form: str, subject: str | None = None) -> bytes:
    """附件1 / 附件3 for the subject to fill in, with what the bureau already knows."""
    from models.services import notice_register
    from models.services.notices import FORMS
    from models.validation import one_of

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
            state = f"；该文书已作废：{e['voided']}" if e.get("voided") else ""
            return (f"真实有效：{e['doc_number']}《{e['title']}》，{e.get('subject') or '公告'}，成文日期{e['issued_on']}，"
                    f"验证码{e['verify_code']}；数字签名有效且签名后未被改动，文件与发文登记簿一致{state}")
        return "不是本局印发的未经改动的文书：" + "；".join(self.reasons)


def verify_pdf(db, data: bytes) -> Verdict:
    """Genuine = the signature is intact, valid, trusted, covers the whole file, was made with one of this
    bureau's certificates, and the file's SHA-256 is in the register."""
    from models.services import notice_register, signing

    roots, fingerprints = signing.trust(db)
    check = check_signature(data, roots)
    digest = hashlib.sha256(data).hexdigest()
    entry = notice_register.lookup(db, sha256=digest)
    reasons = []
    if not check.present:
        reasons.append(check.problem)
    else:
        if not check.intact:
            reasons.append("签名后文件内容被改动（签名所覆盖的字节与签名不符）")
        elif not check.valid:
            reasons.append("签名无效")
        if check.intact and not check.trusted:
            reasons.append("签名证书不是本局信任的证书链签发的")
        if check.intact and not check.covers_whole_file:
            reasons.append("签名后文件末尾被追加了内容")
        if check.signer_fingerprint and check.signer_fingerprint not in fingerprints:
            reasons.append("签名证书不是本局的签章证书")
    if entry is None:
        signed_part = notice_register.lookup(db, sha256=check.signed_revision_sha256) if check.present else None
        reasons.append("发文登记簿中没有该文件" + (f"（签名部分对应 {signed_part['doc_number']}，其后被追加修改）"
                                              if signed_part else ""))
    return Verdict(not reasons, check, entry, digest, reasons)
