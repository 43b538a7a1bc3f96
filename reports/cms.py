"""The CMS signature of an issued document (RFC 5652 SignedData, detached, SHA-256), assembled from parts
made once per batch: the certificate chain and the archived revocation data are constant, only the
signed attributes (digest, signing time) and the signature value change per document.

Building the structure with a general ASN.1 library re-encodes the certificates for every document;
here they are encoded once and joined as DER bytes, which is what makes signing a matter of
milliseconds. The result is an ordinary adbe.pkcs7.detached signature any validator reads.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from asn1crypto import algos, cms, core, crl as asn1_crl, pdf as asn1_pdf, tsp, x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

SHA256 = algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
ID_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.1").dump()
ID_SIGNED_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
SIG_ALGORITHMS = {"rsa": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}).dump(),
                  "ec": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}).dump()}


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _attribute(kind: str, value) -> bytes:
    return cms.CMSAttribute({"type": kind, "values": [value]}).dump()


class CmsSigner:
    """The unlocked key with its chain and revocation data; ``sign(digest, when)`` gives the CMS DER."""

    def __init__(self, p12: bytes, password: str, *, crls: list[bytes] = (), timestamper=None):
        key, cert, extra = pkcs12.load_key_and_certificates(p12, password.encode("utf-8"))
        self.key = key
        self.kind = "rsa" if isinstance(key, rsa.RSAPrivateKey) else "ec"
        if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
            raise ValueError("only RSA and EC signing keys are supported")
        der = serialization.Encoding.DER
        self.cert = asn1_x509.Certificate.load(cert.public_bytes(der))
        self.chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in extra or ()]
        self.certificates = tlv(0xA0, self.cert.dump() + b"".join(c.dump() for c in self.chain))
        self.sid = cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": self.cert.issuer, "serial_number": self.cert.serial_number})}).dump()
        self.revinfo = b""
        if crls:
            archive = asn1_pdf.RevocationInfoArchival({"crl": [asn1_crl.CertificateList.load(c) for c in crls]})
            self.revinfo = _attribute("adobe_revocation_info_archival", archive)
        self.content_type = _attribute("content_type", "data")
        self.timestamper = timestamper

    @property
    def signer_certificates(self) -> list:
        return [self.cert, *self.chain]

    def _signature(self, data: bytes) -> bytes:
        if self.kind == "rsa":
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def sign(self, digest: bytes, when: dt.datetime) -> bytes:
        attrs = [self.content_type, _attribute("signing_time", cms.Time({"utc_time": when})),
                 _attribute("message_digest", digest)] + ([self.revinfo] if self.revinfo else [])
        attrs_content = b"".join(sorted(attrs))  # DER: a SET OF is sorted by encoding
        signature = self._signature(tlv(0x31, attrs_content))
        unsigned = b""
        if self.timestamper is not None:
            token = self.timestamper(hashlib.sha256(signature).digest())
            unsigned = tlv(0xA1, _attribute("signature_time_stamp_token", token))
        signer_info = tlv(0x30, core.Integer(1).dump() + self.sid + SHA256 + tlv(0xA0, attrs_content)
                          + SIG_ALGORITHMS[self.kind] + tlv(0x04, signature) + unsigned)
        signed_data = tlv(0x30, core.Integer(1).dump() + tlv(0x31, SHA256) + tlv(0x30, ID_DATA) + self.certificates
                          + tlv(0x31, signer_info))
        return tlv(0x30, ID_SIGNED_DATA + tlv(0xA0, signed_data))


def timestamp_request(digest: bytes) -> bytes:
    """An RFC 3161 request for a SHA-256 imprint, asking for the TSA's certificate in the reply."""
    return tsp.TimeStampReq({"version": 1, "message_imprint": tsp.MessageImprint({
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}), "hashed_message": digest}),
        "nonce": secrets.randbits(63), "cert_req": True}).dump()


def timestamp_token(reply: bytes) -> cms.ContentInfo:
    """The token from a TSA's reply; a refusal raises with the TSA's status."""
    response = tsp.TimeStampResp.load(reply)
    status = response["status"]["status"].native
    if status not in ("granted", "granted_with_mods"):
        raise ValueError(f"timestamp refused: {status}")
    return response["time_stamp_token"]
