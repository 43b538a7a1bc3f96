"""The package file (docs/exchange-format.md): a zip of a signed manifest and encrypted JSON Lines parts.

Writing is deterministic (stored members, fixed times and attributes, fixed order), so a reader
can rebuild the zip from its members and compare: a flipped byte in a zip header that zipfile
itself would not notice is refused like any other change.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from models.services.base import ServiceError

FORMAT = "creditdesk-exchange"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ENCRYPTION = "X25519-HKDF-SHA256-AES-256-GCM"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_PACKAGE = 2 * 1024 ** 3  # refuse absurd files before reading them into memory
MAX_MEMBERS = 200  # a manifest, a signature and one part per record type
# JSON Lines of real rows compress about 5–15 to 1 and attachments hardly at all; a part that grows past
# this ratio is a bomb. One line holds at most one attachment (50 MB) as Base64.
MAX_RATIO = 100
MAX_LINE = 80 * 1024 * 1024
_STEP = 1 << 20


class PackageRefused(ServiceError):
    """A package that cannot be applied; the message says why, in Chinese, and nothing was written."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, AttributeError):
        raise PackageRefused(f"{what}不是有效的 Base64 编码") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(sign_public: bytes, box_public: bytes) -> str:
    """What two admins read to each other over the phone before trusting a key file."""
    return hashlib.sha256(b"creditdesk-key\0" + sign_public + box_public).hexdigest().upper()


def show_fingerprint(fp: str) -> str:
    return " ".join(fp[i:i + 4] for i in range(0, len(fp), 4))


def raw_public(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def canonical_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.create_system = 3  # zipfile would write 0 on Windows and 3 elsewhere
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, data)
    return buffer.getvalue()


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n"


# -- writing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    name: str  # data/<record type>.jsonl
    record_type: str
    packed: bytes  # zlib of the JSON Lines
    records: int
    plain_sha256: str


class PartBuilder:
    """JSON lines compressed as they come, so a county's 200,000 rows are never held as text."""

    def __init__(self, name: str, record_type: str):
        self.name, self.record_type, self.records = name, record_type, 0
        self._zip, self._hash, self._chunks = zlib.compressobj(6), hashlib.sha256(), []

    def add(self, line: bytes) -> None:
        data = line + b"\n"
        self._hash.update(data)
        self._chunks.append(self._zip.compress(data))
        self.records += 1

    def part(self) -> Part:
        return Part(self.name, self.record_type, b"".join(self._chunks) + self._zip.flush(), self.records,
                    self._hash.hexdigest())


def make_part(name: str, record_type: str, lines: list[bytes]) -> Part:
    builder = PartBuilder(name, record_type)
    for line in lines:
        builder.add(line)
    return builder.part()


def _package_key(shared: bytes, package_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"{FORMAT}/{FORMAT_VERSION} {package_id}".encode()).derive(shared)


def write_package(manifest: dict, parts: list[Part], *, sign_private: bytes, signer_fingerprint: str,
                  receiver_box_public: bytes) -> tuple[bytes, bytes]:
    """Encrypt the parts for the receiver, complete and sign the manifest; returns (zip, manifest bytes)."""
    ephemeral = X25519PrivateKey.generate()
    key = _package_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(receiver_box_public)),
                       manifest["package_id"])
    aead = AESGCM(key)
    members, files = [], []
    for part in parts:
        name = f"{part.name}.enc"
        nonce = os.urandom(12)
        stored = nonce + aead.encrypt(nonce, part.packed, name.encode())
        files.append({"name": name, "record_type": part.record_type, "records": part.records,
                      "sha256": sha256(stored), "bytes": len(stored), "plain_sha256": part.plain_sha256})
        members.append((name, stored))
    manifest = {**manifest, "files": files, "signer_fingerprint": signer_fingerprint,
                "encryption": {"scheme": ENCRYPTION, "ephemeral_public_key": b64(raw_public(ephemeral.public_key())),
                               "recipient_fingerprint": manifest["receiver"].get("fingerprint")}}
    body = manifest_bytes(manifest)
    signature = json.dumps({"algorithm": "Ed25519", "key_fingerprint": signer_fingerprint,
                            "signature": b64(Ed25519PrivateKey.from_private_bytes(sign_private).sign(body))},
                           sort_keys=True).encode()
    return canonical_zip([(MANIFEST, body), (SIGNATURE, signature), *members]), body


# -- reading -------------------------------------------------------------------------------------

@dataclass
class Package:
    manifest: dict
    manifest_raw: bytes
    members: dict[str, bytes]

    @property
    def manifest_sha256(self) -> str:
        return sha256(self.manifest_raw)

    @property
    def sender(self) -> str:
        return self.manifest["sender"]["code"]

    @property
    def receiver(self) -> str:
        return self.manifest["receiver"]["code"]

    def files(self) -> list[dict]:
        return list(self.manifest.get("files", []))


def _member_sizes_checked(z: zipfile.ZipFile, total: int) -> list[str]:
    """Sizes and storage method of every member, from the zip directory, before a byte is decompressed.

    This program writes every member stored (not compressed): a compressed member, a size larger than
    the file or members that overlap are what a zip bomb looks like, and are refused unread.
    """
    infos = z.infolist()
    names = [i.filename for i in infos]
    if len(names) != len(set(names)):
        raise PackageRefused("数据包中有重名的文件，已被改动")
    if len(infos) > MAX_MEMBERS:
        raise PackageRefused(f"数据包中有 {len(infos)} 个文件，超过本程序生成的数据包可能有的数目，不予导入")
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
            raise PackageRefused(f"数据包中的文件 {info.filename} 是压缩存放的（解压后 {info.file_size} 字节）："
                                 "本程序生成的数据包不压缩存放文件，可能是恶意构造的压缩炸弹，未解压即拒绝")
    if sum(i.file_size for i in infos) > total:
        raise PackageRefused("数据包中各文件的大小之和超过数据包本身，文件目录已被改动，不予导入")
    return names


def open_package(data: bytes) -> Package:
    """Read the members and the manifest; nothing is trusted yet (see :func:`verify_signature`)."""
    if len(data) > MAX_PACKAGE:
        raise PackageRefused("数据包超过 2 GB，不是本程序生成的数据包")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = _member_sizes_checked(z, len(data))
            members = {n: z.read(n) for n in names}
    except PackageRefused:
        raise
    except Exception:  # noqa: BLE001 - zipfile fails on damaged input in many ways (RuntimeError, struct…)
        raise PackageRefused("数据包已损坏或被改动（不是完整的 zip 文件，无法读取其中的内容）") from None
    if MANIFEST not in members or SIGNATURE not in members:
        raise PackageRefused("不是本程序的数据交换包：缺少 manifest.json 或 manifest.sig")
    if canonical_zip([(n, members[n]) for n in names]) != data:
        raise PackageRefused("数据包的 zip 文件结构被改动过（与原样重建的结果不一致），不予导入")
    try:
        manifest = json.loads(members[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageRefused("数据包清单 manifest.json 不是有效的 JSON，数据包已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageRefused("不是本程序的数据交换包（清单格式标识不符）")
    for key in ("format_version", "kind", "sender", "receiver", "sequence", "package_id"):
        if key not in manifest:
            raise PackageRefused(f"数据包清单缺少字段 {key}")
    return Package(manifest, members[MANIFEST], members)


def signature_fingerprint(pkg: Package) -> str:
    try:
        sig = json.loads(pkg.members[SIGNATURE].decode("utf-8"))
        return str(sig["key_fingerprint"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise PackageRefused("签名文件 manifest.sig 已损坏") from None


def verify_signature(pkg: Package, sign_public: bytes, who: str) -> None:
    try:
        sig = json.loads(pkg.members[SIGNATURE].decode("utf-8"))
        signature = unb64(sig["signature"], "签名")
        if sig.get("algorithm") != "Ed25519":
            raise PackageRefused(f"签名算法“{sig.get('algorithm')}”不受支持")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise PackageRefused("签名文件 manifest.sig 已损坏") from None
    try:
        Ed25519PublicKey.from_public_bytes(sign_public).verify(signature, pkg.manifest_raw)
    except InvalidSignature:
        raise PackageRefused(f"签名验证失败：数据包清单不是由{who}的密钥签署的，或签署后被改动过，不予导入") from None


def verify_files(pkg: Package) -> None:
    """Every member listed with the right hash and size, and nothing else in the zip."""
    listed = {MANIFEST, SIGNATURE}
    for f in pkg.files():
        name = f.get("name")
        if name not in pkg.members:
            raise PackageRefused(f"数据包缺少清单中列出的文件 {name}")
        if sha256(pkg.members[name]) != f.get("sha256") or len(pkg.members[name]) != f.get("bytes"):
            raise PackageRefused(f"文件 {name} 的 SHA-256 与清单不符：数据包已损坏或被改动，不予导入")
        listed.add(name)
    extra = sorted(set(pkg.members) - listed)
    if extra:
        raise PackageRefused(f"数据包中有清单未列出的文件：{'、'.join(extra)}")


def part_lines(pkg: Package, file: dict, box_private: bytes) -> Iterator[dict]:
    """Decrypt, decompress and parse one part, checking its record count."""
    enc = pkg.manifest.get("encryption") or {}
    if enc.get("scheme") != ENCRYPTION:
        raise PackageRefused(f"加密方式“{enc.get('scheme')}”不受支持")
    shared = X25519PrivateKey.from_private_bytes(box_private).exchange(
        X25519PublicKey.from_public_bytes(unb64(enc.get("ephemeral_public_key", ""), "临时公钥")))
    stored = pkg.members[file["name"]]
    try:
        packed = AESGCM(_package_key(shared, pkg.manifest["package_id"])).decrypt(
            stored[:12], stored[12:], file["name"].encode())
    except (InvalidTag, ValueError):
        raise PackageRefused(f"无法解密文件 {file['name']}：数据包不是加密给本局当前密钥的，或已被改动") from None
    # Decompressed a megabyte at a time, never more than a megabyte of output per step, and parsed line by
    # line: the text of a county's 200,000 rows is never held at once, and a bomb is stopped when the output
    # outgrows any real part. The counts and the hash are checked at the end; the import is one
    # transaction, so a mismatch found there still leaves nothing behind.
    digest, count, rest = hashlib.sha256(), 0, b""
    for chunk in _inflate(packed, file["name"]):
        digest.update(chunk)
        *lines, rest = (rest + chunk).split(b"\n")
        if len(rest) > MAX_LINE:
            raise PackageRefused(f"文件 {file['name']} 第{count + 1}行超过 {MAX_LINE // 1024 // 1024} MB，不是本程序生成的数据")
        for line in lines:
            count += 1
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                raise PackageRefused(f"文件 {file['name']} 第{count}行不是有效的 JSON") from None
    if rest or count != file.get("records"):
        raise PackageRefused(f"文件 {file['name']} 的记录数 {count} 与清单中的 {file.get('records')} 不符")
    if digest.hexdigest() != file.get("plain_sha256"):
        raise PackageRefused(f"文件 {file['name']} 解密后的内容与清单不符")


def _inflate(packed: bytes, name: str) -> Iterator[bytes]:
    """zlib output in pieces of at most a megabyte, refused once it outgrows ``MAX_RATIO`` × the input."""
    unzip, out, limit = zlib.decompressobj(), 0, MAX_RATIO * len(packed) + _STEP
    try:
        for start in range(0, len(packed), _STEP):
            pending = packed[start:start + _STEP]
            while pending:
                chunk = unzip.decompress(pending, _STEP)
                pending = unzip.unconsumed_tail
                out += len(chunk)
                if out > limit:
                    raise PackageRefused(f"文件 {name} 解压后超过压缩前的 {MAX_RATIO} 倍，可能是恶意构造的压缩炸弹，不予导入")
                yield chunk
        yield unzip.flush()
    except zlib.error:
        raise PackageRefused(f"文件 {name} 解压失败，数据包已损坏") from None
