"""PAdES signatures with pyHanko: the bureau's certificate signs each issued document, the red seal is
the signature's appearance over the signature and date; validation against the bureau's trust roots.

Test certificates (``make_test_certificates``) are a root CA with CA:TRUE and a signer certificate it
issued: poppler's pdfsig and other validators only trust a leaf through a CA, never a self-signed leaf.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reports.fonts import FontSet

FIELD = "宁医保签章"  # replaced per document by the register number; any unique name would do


@dataclass(frozen=True)
class SignatureCheck:
    """What a validator says about the one signature of an issued document."""

    present: bool
    intact: bool = False  # the signed bytes are unchanged
    valid: bool = False  # the signature is mathematically valid for the signer's key
    trusted: bool = False  # the signer's certificate chains to a trusted root
    covers_whole_file: bool = False  # nothing was appended after signing
    signer_fingerprint: str = ""  # SHA-256 of the signer certificate (DER), hex
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    signed_revision_sha256: str = ""  # SHA-256 of the bytes up to the end of the signed revision
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.valid and self.trusted and self.covers_whole_file


def make_test_certificates(organ: str, password: str, *, years: int = 3) -> tuple[bytes, bytes]:
    """(root CA certificate PEM, signer PKCS#12) for trying the signing out; never for real documents."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    until = now + dt.timedelta(days=365 * years)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organ),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name(f"{organ} 测试根证书（仅供试用）")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(name(f"{organ}（测试签章证书）")).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(until)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        organ.encode("utf-8"), key, cert, [ca], serialization.BestAvailableEncryption(password.encode("utf-8")))
    return ca.public_bytes(serialization.Encoding.PEM), p12


def sign_pdf(pdf: bytes, *, p12: bytes, password: str, seal: tuple[int, float, float, float, float],
             organ: str, fonts: FontSet, field: str, reason: str, location: str) -> bytes:
    """Sign ``pdf`` (PAdES B-B, SHA-256) with a visible signature whose appearance is the seal."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    from reports.seal import seal_pdf

    signer = _signer(p12, password)
    page, x1, y1, x2, y2 = seal
    with tempfile.TemporaryDirectory(prefix="creditdesk-seal-") as tmp:
        seal_file = Path(tmp) / "seal.pdf"
        seal_file.write_bytes(seal_pdf(organ, fonts))
        # The seal alone: no text in the appearance, so no font has to be parsed and subset per signature.
        style = StaticStampStyle.from_pdf_file(
            str(seal_file), border_width=0, background_opacity=1.0,
            background_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID,
                                                  margins=Margins(0, 0, 0, 0)))
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", reason=reason, location=location,
                                            subfilter=fields.SigSeedSubFilter.PADES, name=organ)
        spec = fields.SigFieldSpec(sig_field_name=field, on_page=page - 1,
                                   box=(round(x1), round(y1), round(x2), round(y2)))
        # A fixed reservation spares pyHanko a trial signature to estimate the size (RSA-2048 + chain < 8 KiB).
        out = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=spec).sign_pdf(
            writer, bytes_reserved=16384)
        return out.getvalue()


@lru_cache(maxsize=1)
def _signer(p12: bytes, password: str):
    """The PKCS#12 is unlocked (PBKDF2) once, not once per document; the unlocked signer stays in this
    process's memory until another certificate is used, as it would while the signer works anyway."""
    from pyhanko.sign import signers

    return signers.SimpleSigner.load_pkcs12_data(p12, other_certs=(), passphrase=password.encode("utf-8"))


def load_certificates(pem_or_der: bytes) -> list:
    """asn1crypto certificates from PEM (one or more) or DER bytes."""
    from asn1crypto import pem, x509

    if pem.detect(pem_or_der):
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(pem_or_der, multiple=True)]
    return [x509.Certificate.load(pem_or_der)]


def check_signature(pdf: bytes, trust_roots_pem: list[bytes]) -> SignatureCheck:
    """Validate the document's signature: intact, valid, trusted, and covering the whole file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:  # not a PDF, or damaged beyond reading
        return SignatureCheck(False, problem=f"文件无法作为PDF读取（{type(exc).__name__}）")
    if not sigs:
        return SignatureCheck(False, problem="文件中没有数字签名")
    sig = sigs[0]
    roots = [c for pem_bytes in trust_roots_pem for c in load_certificates(pem_bytes)]
    try:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception as exc:
        return SignatureCheck(True, problem=f"签名无法验证（{type(exc).__name__}：{exc}）")
    cert = sig.signer_cert
    end = sig.signed_data_range_end if hasattr(sig, "signed_data_range_end") else sig.byte_range[2] + sig.byte_range[3]
    return SignatureCheck(
        True, intact=status.intact, valid=status.valid, trusted=status.trusted,
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signer_fingerprint=hashlib.sha256(cert.dump()).hexdigest(), signer_name=cert.subject.human_friendly,
        signed_at=status.signer_reported_dt, signed_revision_sha256=hashlib.sha256(pdf[:end]).hexdigest(),
        problem="" if status.bottom_line else "签名未通过验证")
