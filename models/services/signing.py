"""The bureau's signing certificate (PKCS#12): installed by the admin, unlocked by the signer's password.

Stored re-encrypted with AES-256-CBC and PBKDF2 (``BestAvailableEncryption``) under the certificate's
own password, which is never stored anywhere: a stolen database file holds no usable key. The CA
certificates that came with it are the trust roots for verifying documents this bureau issued.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import select

from models.db.tables_notices import SigningCertificate
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.validation import ValidationError, required


@dataclass(frozen=True)
class CertificateInfo:
    uuid: str
    subject: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    test_only: bool
    installed_by: str
    installed_at: datetime


@dataclass(frozen=True)
class SigningKey:
    """The unlocked certificate for one issuing run; lives only in memory."""

    p12: bytes
    password: str
    fingerprint: str


MAX_P12 = 1 * 2**20  # a PKCS#12 file with a key and its chain is a few KB


def _info(c: SigningCertificate) -> CertificateInfo:
    return CertificateInfo(c.uuid, c.subject, c.fingerprint, c.not_before, c.not_after, c.test_only, c.installed_by,
                           c.installed_at)


def _open(p12: bytes, password: str):
    try:
        return pkcs12.load_key_and_certificates(p12, password.encode("utf-8"))
    except ValueError:
        raise ValidationError("证书密码", "不正确，或文件不是PKCS#12证书（.p12/.pfx）") from None


@service
def install(uow: UnitOfWork, *, actor: Actor, p12: bytes, password: str, test_only: bool = False) -> Result:
    """Install the bureau's certificate; the newest one signs from now on, older ones still verify."""
    require(actor, "cert.manage")
    password = required(password, "证书密码")
    key, cert, extra = _open(p12, password)
    if key is None or cert is None:
        raise ValidationError("证书文件", "不含私钥和签名证书")
    now = datetime.now(timezone.utc)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise ValidationError("证书文件", f"证书不在有效期内（{cert.not_valid_before_utc:%Y-%m-%d}至"
                                        f"{cert.not_valid_after_utc:%Y-%m-%d}）")
    if not extra:
        raise ValidationError("证书文件", "未包含签发该证书的CA证书，无法用于验证；请导出含完整证书链的PKCS#12文件")
    der = cert.public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(der).hexdigest()
    if uow.session.scalar(select(SigningCertificate.id).where(SigningCertificate.fingerprint == fingerprint)):
        raise ServiceError("该证书已经安装过")
    stored = pkcs12.serialize_key_and_certificates(
        b"creditdesk", key, cert, extra, serialization.BestAvailableEncryption(password.encode("utf-8")))
    row = SigningCertificate(
        p12=stored, subject=cert.subject.rfc4514_string(), fingerprint=fingerprint,
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in extra),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, test_only=test_only,
        installed_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "cert.install", "signing_certificate", row.uuid, after={
        "subject": row.subject, "fingerprint": fingerprint, "not_after": row.not_after, "test_only": test_only})
    return Result(_info(row), Changes())


def current(uow: UnitOfWork) -> SigningCertificate:
    row = uow.session.scalar(select(SigningCertificate).order_by(SigningCertificate.id.desc()).limit(1))
    if row is None:
        raise ServiceError("尚未安装本局签章证书：请管理员用 credit-desk cert install 安装（试用可先运行 cert make-test）")
    now = datetime.now(timezone.utc)
    if not row.not_before <= now <= row.not_after:
        raise ServiceError(f"本局签章证书已于{row.not_after:%Y-%m-%d}过期，请管理员安装新证书")
    return row


def unlock(uow: UnitOfWork, password: str) -> SigningKey:
    row = current(uow)
    _open(row.p12, required(password, "证书密码"))
    return SigningKey(row.p12, password, row.fingerprint)


@query
def certificates(uow: UnitOfWork) -> list[CertificateInfo]:
    return [_info(c) for c in uow.session.scalars(select(SigningCertificate).order_by(SigningCertificate.id))]


@query
def trust(uow: UnitOfWork) -> tuple[list[bytes], set[str]]:
    """(trust roots as PEM, fingerprints of every certificate this bureau has signed with)."""
    rows = list(uow.session.scalars(select(SigningCertificate)))
    return [r.chain_pem.encode() for r in rows if r.chain_pem], {r.fingerprint for r in rows}
