"""Signatures of issued documents: rendered with the signature's place reserved (``reserve``), signed
over the byte ranges directly (``BatchSigner.sign``), so nothing rendered is parsed again; validated
against the bureau's trust roots at the moment the register says the document was issued.

The CMS signature (adbe.pkcs7.detached, SHA-256) carries the signer's certificate chain, the
revocation data fetched once per batch (Adobe's revocation-information archival attribute: the CRLs
that were current when it was signed) and, when a time-stamping service is configured, an RFC 3161
timestamp. A document so signed is still judged correctly years after its certificate expired.

Test certificates (``make_test_pki``) are a root CA with CA:TRUE, a signer certificate it issued and a
CRL: poppler's pdfsig and other validators only trust a leaf through a CA, never a self-signed leaf.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
import urllib.request
from dataclasses import dataclass

from asn1crypto import pem, x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFObjectReference, PDFString

from models.services.base import ServiceError
from reports.cms import CmsSigner, timestamp_request, timestamp_token

SIG_BYTES = 8192  # reserved for the CMS: chain (2 certificates), CRLs and a timestamp token with its certificate fit
BYTE_RANGE = b"[0 0000000000 0000000000 0000000000]"
CRL_MAX_AGE = 3600  # seconds a fetched CRL is reused across batches


def network_problem(exc: BaseException) -> str:
    """What went wrong in fetching from a CA or a timestamp service, as the user reads it (no class names)."""
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "连接超时"
    if isinstance(exc, OSError):
        return "网络连接失败"
    return "对方返回的内容无法识别或拒绝了请求"


@dataclass(frozen=True)
class SignatureCheck:
    """What a validator says about the one signature of an issued document."""

    present: bool
    intact: bool = False  # the signed bytes are unchanged
    valid: bool = False  # the signature is mathematically valid for the signer's key
    trusted: bool = False  # the signer's certificate chains to a trusted root, at the moment judged
    covers_whole_file: bool = False  # nothing was appended after signing
    signer_fingerprint: str = ""  # SHA-256 of the signer certificate (DER), hex
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    signed_revision_sha256: str = ""  # SHA-256 of the bytes up to the end of the signed revision
    problem: str = ""
    judged_at: dt.datetime | None = None  # the moment the certificate was judged valid at
    revocation_embedded: bool = False  # CRLs were embedded at signing
    timestamped: bool = False  # an RFC 3161 timestamp token is attached

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.valid and self.trusted and self.covers_whole_file


@dataclass(frozen=True)
class TestPki:
    """A throw-away CA for trying signing out: never for real documents."""

    ca_pem: bytes
    p12: bytes
    crl_der: bytes
    tsa_cert_pem: bytes
    tsa_key_pem: bytes


def make_test_certificates(organ: str, password: str, *, years: int = 3) -> tuple[bytes, bytes]:
    """(root CA certificate PEM, signer PKCS#12) for trying the signing out; never for real documents."""
    pki = make_test_pki(organ, password, years=years)
    return pki.ca_pem, pki.p12


def make_test_pki(organ: str, password: str, *, years: int = 3, crl_url: str | None = None,
                  not_before: dt.datetime | None = None) -> TestPki:
    """Root CA, signer (with ``crl_url`` as its CRL distribution point), an empty CRL and a TSA certificate."""
    now = not_before or dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    until = now + dt.timedelta(days=365 * years)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organ),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def usage(**on) -> x509.KeyUsage:
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                               "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
        return x509.KeyUsage(**(flags | on))

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name(f"{organ} 测试根证书（仅供试用）")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))

    def issued(key, cn: str, ku: x509.KeyUsage, eku=None):
        b = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca_name).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(ku, critical=True)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
        if eku:
            b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
        if crl_url:
            b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
        return b.sign(ca_key, hashes.SHA256())

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issued(key, f"{organ}（测试签章证书）", usage(digital_signature=True, content_commitment=True))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = issued(tsa_key, f"{organ} 测试时间戳服务", usage(digital_signature=True, content_commitment=True),
                 [ExtendedKeyUsageOID.TIME_STAMPING])
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_name).last_update(now)
           .next_update(now + dt.timedelta(days=30)).sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        organ.encode("utf-8"), key, cert, [ca], serialization.BestAvailableEncryption(password.encode("utf-8")))
    pem = serialization.Encoding.PEM
    return TestPki(ca.public_bytes(pem), p12, crl.public_bytes(serialization.Encoding.DER), tsa.public_bytes(pem),
                   tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


# -- the signature's place in the rendered PDF ------------------------------------------------------


def _text(value: str) -> bytes:
    """A PDF text string as UTF-16BE hex: Chinese survives every reader."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


class _SignatureValue(PDFObject):
    """The signature dictionary with fixed-width placeholders for the byte range and the CMS."""

    def __init__(self, *, name: str, reason: str, location: str, when: dt.datetime):
        self.name, self.reason, self.location, self.when = name, reason, location, when

    def format(self, document):
        return (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange " + BYTE_RANGE
                + b" /Contents <" + b"0" * (2 * SIG_BYTES) + b"> /M (D:" + self.when.strftime("%Y%m%d%H%M%SZ").encode()
                + b") /Name " + _text(self.name) + b" /Reason " + _text(self.reason) + b" /Location "
                + _text(self.location) + b" >>")


class _SignatureWidget(PDFObject):
    """The signature field, invisible: the seal itself is drawn on the page, so every printer prints it."""

    def __init__(self, field: str, value: PDFObjectReference):
        self.field, self.value = field, value

    def format(self, document):
        return PDFDictionary({"Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "FT": PDFName("Sig"),
                              "Rect": PDFArray([0, 0, 0, 0]), "F": 132, "T": PDFString(self.field),
                              "V": self.value}).format(document)


@dataclass(frozen=True)
class SignatureSpec:
    """What the signature dictionary says: the field name, who signed, why, where and when."""

    field: str
    name: str
    reason: str
    location: str
    when: dt.datetime


def reserve(canvas, spec: SignatureSpec) -> None:
    """Add the signature field and its placeholder dictionary to the PDF being drawn (once per document)."""
    doc = canvas._doc
    value = doc.Reference(_SignatureValue(name=spec.name, reason=spec.reason, location=spec.location, when=spec.when),
                          "CDSignatureValue")
    canvas._addAnnotation(_SignatureWidget(spec.field, value), "CDSignatureField")
    doc.Catalog.AcroForm = PDFDictionary({"Fields": PDFArray([doc.refAnnotation("CDSignatureField")]),
                                          "SigFlags": 3})


# -- signing ----------------------------------------------------------------------------------------


def fetch(url: str, timeout: float = 10) -> bytes:
    """Revocation data from its distribution point: http(s) or a file the CA publishes to."""
    if not url.lower().startswith(("http://", "https://", "file:")):
        raise ValueError(f"unsupported CRL location {url}")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 -- schemes checked above
        return response.read()


def crl_urls(certs) -> list[str]:
    """The CRL distribution points named in asn1crypto certificates."""
    urls = []
    for c in certs:
        for point in c.crl_distribution_points:
            urls += [n.native for n in point["distribution_point"].chosen if n.name == "uniform_resource_identifier"]
    return list(dict.fromkeys(urls))


_crl_cache: dict[str, tuple[float, bytes]] = {}


def current_crls(certs, fetcher=fetch) -> list[bytes]:
    """The CRLs of the chain, fetched at most once an hour."""
    out = []
    for url in crl_urls(certs):
        at, der = _crl_cache.get(url, (0.0, b""))
        if time.monotonic() - at > CRL_MAX_AGE or not der:
            der = fetcher(url)
            _crl_cache[url] = (time.monotonic(), der)
        out.append(der)
    return out


def http_timestamper(url: str, timeout: float = 10):
    """digest → RFC 3161 token from the service at ``url`` (standard library HTTP, no extra package)."""
    def stamp(digest: bytes):
        request = urllib.request.Request(url, data=timestamp_request(digest), method="POST", headers={
            "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 -- http(s) checked in settings
            return timestamp_token(response.read())

    return stamp


class BatchSigner:
    """The key unlocked once, the revocation data fetched once and the timestamp service set up once for a
    batch; ``sign`` then only hashes the byte ranges and makes one CMS per document."""

    def __init__(self, p12: bytes, password: str, *, timestamp_url: str = "", fetcher=fetch):
        probe = CmsSigner(p12, password)
        try:
            crls = current_crls(probe.signer_certificates, fetcher)
        except (OSError, ValueError) as exc:
            raise ServiceError(f"签章证书的吊销列表（CRL）无法取得（{'、'.join(crl_urls(probe.signer_certificates))}："
                               f"{network_problem(exc)}）；请检查网络或证书颁发机构的发布地址。本次未编号、未印发") from None
        self.timestamp_url = timestamp_url
        self.cms = CmsSigner(p12, password, crls=crls, timestamper=http_timestamper(timestamp_url) if timestamp_url
                             else None)

    def sign(self, pdf: bytes, when: dt.datetime) -> bytes:
        at = pdf.rindex(b"/ByteRange " + BYTE_RANGE) + len(b"/ByteRange ")
        start = pdf.index(b"/Contents <", at) + len(b"/Contents ")
        end = start + 2 * SIG_BYTES + 2
        ranges = f"[0 {start} {end} {len(pdf) - end}]".encode().ljust(len(BYTE_RANGE))
        filled = pdf[:at] + ranges + pdf[at + len(BYTE_RANGE):]
        digest = hashlib.sha256(memoryview(filled)[:start])
        digest.update(memoryview(filled)[end:])
        try:
            cms = self.cms.sign(digest.digest(), when)
        except (OSError, ValueError) as exc:  # urllib's errors are OSErrors; a refusal by the TSA a ValueError
            raise ServiceError(f"时间戳服务（{self.timestamp_url}）无法取得时间戳（{network_problem(exc)}）；请检查网络或"
                               "在“告知书设置”中更正或清空时间戳服务地址。本次未编号、未印发") from None
        if len(cms) > SIG_BYTES:
            raise ValueError(f"signature of {len(cms)} bytes exceeds the {SIG_BYTES} reserved")
        return filled[:start + 1] + cms.hex().upper().encode().ljust(2 * SIG_BYTES, b"0") + filled[end - 1:]


def load_certificates(pem_or_der: bytes) -> list:
    """asn1crypto certificates from PEM (one or more) or DER bytes."""
    if pem.detect(pem_or_der):
        return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(pem_or_der, multiple=True)]
    return [asn1_x509.Certificate.load(pem_or_der)]


def _embedded_crls(sig) -> list:
    """CRLs archived in the signature at signing (Adobe's revocation-information attribute)."""
    for attr in sig.signer_info["signed_attrs"]:
        if attr["type"].native == "adobe_revocation_info_archival":
            return [c for v in attr["values"] for c in (v["crl"] or [])]
    return []


def _timestamped(sig) -> bool:
    unsigned = sig.signer_info["unsigned_attrs"]
    return bool(unsigned) and any(a["type"].native == "signature_time_stamp_token" for a in unsigned)


def check_signature(pdf: bytes, trust_roots_pem: list[bytes], *, moment: dt.datetime | None = None) -> SignatureCheck:
    """Validate the document's signature: intact, valid, trusted (at ``moment``, default now, with the
    revocation data embedded at signing), and covering the whole file."""
    # Here, not at the top: pyhanko takes about 0.8 s to load and only checking a signature needs it; every
    # document rendered imports this module for the signature's reserved place.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception:  # noqa: BLE001 -- not a PDF, or damaged beyond reading: that is the whole answer
        return SignatureCheck(False, problem="文件不是PDF文件，或已损坏、不完整，无法读取")
    if not sigs:
        return SignatureCheck(False, problem="文件中没有数字签名")
    sig = sigs[0]
    roots = [c for pem_bytes in trust_roots_pem for c in load_certificates(pem_bytes)]
    try:
        crls = _embedded_crls(sig)
        context = ValidationContext(trust_roots=roots, allow_fetching=False, crls=crls, moment=moment,
                                    revocation_mode="soft-fail")
        status = validate_pdf_signature(sig, context)
    except Exception:  # noqa: BLE001 -- a signature too damaged to evaluate is the answer, not a failure
        return SignatureCheck(True, problem="签名数据已损坏或格式无法识别，无法验证")
    cert = sig.signer_cert
    end = sig.signed_data_range_end if hasattr(sig, "signed_data_range_end") else sig.byte_range[2] + sig.byte_range[3]
    return SignatureCheck(
        True, intact=status.intact, valid=status.valid, trusted=status.trusted,
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signer_fingerprint=hashlib.sha256(cert.dump()).hexdigest(), signer_name=cert.subject.human_friendly,
        signed_at=status.signer_reported_dt, signed_revision_sha256=hashlib.sha256(pdf[:end]).hexdigest(),
        problem="" if status.bottom_line else "签名未通过验证", judged_at=moment,
        revocation_embedded=bool(crls), timestamped=_timestamped(sig))
