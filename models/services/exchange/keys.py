"""Exchange keys: this bureau's key pairs and the public keys of the bureaus it exchanges with.

The admin makes a pair, sends the public key file to the other side and reads the fingerprint to
them by telephone; the other side imports the file only when the fingerprints agree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import select

from models.db import vault
from models.db.base import utcnow
from models.db.tables_exchange import ExchangeKey, ExchangePartnerKey
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.services.county import current_county
from models.services.exchange.format import b64, fingerprint, raw_public, show_fingerprint, unb64
from models.validation import ValidationError, clean, county_code, max_length, required

KEY_FORMAT = "creditdesk-exchange-key"
ROLE_NAMES = {"city": "市局", "county": "县（区）局"}


def role_of(code: str) -> str:
    """GB/T 2260: a prefecture-level code ends in 00 (370900 泰安市); a county's does not (370921)."""
    return "city" if code.endswith("00") and not code.endswith("0000") else "county"


@dataclass(frozen=True)
class KeyInfo:
    code: str
    name: str
    role: str
    fingerprint: str
    created_at: datetime
    by: str

    @property
    def shown(self) -> str:
        return show_fingerprint(self.fingerprint)


def current_key(uow: UnitOfWork) -> ExchangeKey:
    key = uow.session.scalar(select(ExchangeKey).where(ExchangeKey.retired_at.is_(None))
                             .order_by(ExchangeKey.id.desc()).limit(1))
    if key is None:
        raise ServiceError("本局尚未生成数据交换密钥：请管理员在“数据交换 → 密钥管理”中生成，或运行 credit-desk sync keys make")
    return key


def _unsealed(key: ExchangeKey, which: str) -> bytes:
    try:
        return vault.unseal(key.sign_private if which == "sign" else key.box_private, f"{which} {key.fingerprint}")
    except vault.SecretUnavailable:
        raise ServiceError(f"本机密钥库（{vault.keystore_dir()}）打不开本局的数据交换私钥：这个数据库文件是从别处复制来的，"
                           "或本机密钥库已丢失。私钥不随数据库文件保存，复制的数据库不能签署或解开数据包；"
                           "如确为本局迁移电脑，请管理员重新生成密钥，并把新公钥和指纹告知对方") from None


def signing_private(key: ExchangeKey) -> bytes:
    """The raw Ed25519 private key, opened with this account's key store."""
    return _unsealed(key, "sign")


def box_private(key: ExchangeKey) -> bytes:
    return _unsealed(key, "box")


def key_for_fingerprint(uow: UnitOfWork, fp: str | None) -> ExchangeKey | None:
    """The pair a package was encrypted for; a retired pair still opens packages made before it retired."""
    return uow.session.scalar(select(ExchangeKey).where(ExchangeKey.fingerprint == fp)) if fp else None


def partner(uow: UnitOfWork, code: str) -> ExchangePartnerKey:
    row = uow.session.scalar(select(ExchangePartnerKey).where(ExchangePartnerKey.code == code)
                             .order_by(ExchangePartnerKey.id.desc()).limit(1))
    if row is None:
        raise ServiceError(f"尚未导入 {code} 的数据交换公钥：请管理员先导入对方的公钥文件并核对指纹")
    return row


def partner_keys(uow: UnitOfWork, code: str) -> list[ExchangePartnerKey]:
    return list(uow.session.scalars(select(ExchangePartnerKey).where(ExchangePartnerKey.code == code)
                                    .order_by(ExchangePartnerKey.id.desc())))


def _own_info(uow: UnitOfWork, key: ExchangeKey) -> KeyInfo:
    county = current_county(uow)
    return KeyInfo(county.code, county.name, role_of(county.code), key.fingerprint, key.created_at, key.created_by)


@service
def make_keys(uow: UnitOfWork, *, actor: Actor) -> Result:
    """A new pair; the previous one is retired (kept to open packages already encrypted for it)."""
    require(actor, "exchange.manage")
    old = uow.session.scalars(select(ExchangeKey).where(ExchangeKey.retired_at.is_(None))).all()
    now = utcnow()
    for k in old:
        k.retired_at = now
    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    sign_public, box_public = raw_public(sign.public_key()), raw_public(box.public_key())
    fp = fingerprint(sign_public, box_public)
    key = ExchangeKey(
        sign_private=vault.seal(sign.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()), f"sign {fp}"),
        box_private=vault.seal(box.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()), f"box {fp}"),
        sign_public=sign_public, box_public=box_public, fingerprint=fp, created_by=actor.username)
    uow.session.add(key)
    uow.session.flush()
    uow.audit(actor, "exchange.keys.make", "exchange_key", key.uuid,
              before={"retired": [k.fingerprint for k in old]}, after={"fingerprint": key.fingerprint})
    return Result(_own_info(uow, key), Changes(county=True))


@query
def own_key(uow: UnitOfWork) -> KeyInfo | None:
    key = uow.session.scalar(select(ExchangeKey).where(ExchangeKey.retired_at.is_(None))
                             .order_by(ExchangeKey.id.desc()).limit(1))
    return _own_info(uow, key) if key else None


@query
def public_key_file(uow: UnitOfWork) -> str:
    """The file the admin sends to the other side: public halves only."""
    key = current_key(uow)
    county = current_county(uow)
    return json.dumps({"format": KEY_FORMAT, "version": 1, "code": county.code, "name": county.name,
                       "role": role_of(county.code), "sign_public": b64(key.sign_public),
                       "box_public": b64(key.box_public), "fingerprint": key.fingerprint},
                      ensure_ascii=False, indent=1)


def parse_key_file(text: str) -> dict:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        raise ValidationError("公钥文件", "不是有效的 JSON 文件") from None
    if not isinstance(raw, dict) or raw.get("format") != KEY_FORMAT:
        raise ValidationError("公钥文件", "不是本程序导出的数据交换公钥文件")
    code = county_code(raw.get("code"), "公钥文件中的行政区划代码")
    try:
        sign_public, box_public = unb64(raw.get("sign_public", ""), "签名公钥"), unb64(raw.get("box_public", ""), "加密公钥")
    except ServiceError as exc:
        raise ValidationError("公钥文件", str(exc)) from None
    if len(sign_public) != 32 or len(box_public) != 32:
        raise ValidationError("公钥文件", "公钥长度不对，文件已损坏")
    fp = fingerprint(sign_public, box_public)
    if clean(raw.get("fingerprint")).upper() != fp:
        raise ValidationError("公钥文件", "文件中写明的指纹与公钥不符，文件已损坏或被改动")
    return {"code": code, "name": max_length(required(raw.get("name"), "公钥文件中的单位名称"), 60, "单位名称"),
            "role": role_of(code), "sign_public": sign_public, "box_public": box_public, "fingerprint": fp}


@service
def import_partner_key(uow: UnitOfWork, *, actor: Actor, text: str, expect_fingerprint: str = "") -> Result:
    """Trust another bureau's public key. ``expect_fingerprint`` (spaces ignored) must match when given."""
    require(actor, "exchange.manage")
    key = parse_key_file(text)
    expected = "".join(clean(expect_fingerprint).split()).upper()
    if expected and expected != key["fingerprint"]:
        raise ValidationError("指纹", f"与公钥文件的指纹 {show_fingerprint(key['fingerprint'])} 不一致，请与对方核对，不要导入")
    if key["code"] == current_county(uow).code:
        raise ValidationError("公钥文件", "这是本局自己的公钥，应导入对方（市局或县局）的公钥文件")
    known = partner_keys(uow, key["code"])
    if known and known[0].fingerprint != key["fingerprint"] and not expected:
        # Whoever holds a copy of a key file could otherwise swap the partner's key without a phone call.
        raise ValidationError("指纹", f"{key['name']}（{key['code']}）已有公钥，更换公钥必须填写对方电话告知的新指纹并核对一致")
    exists = uow.session.scalar(select(ExchangePartnerKey).where(
        ExchangePartnerKey.code == key["code"], ExchangePartnerKey.fingerprint == key["fingerprint"]))
    if exists is None:
        uow.session.add(ExchangePartnerKey(**key, imported_by=actor.username))
        uow.audit(actor, "exchange.partner_key", "exchange_partner", None,
                  after={k: v for k, v in key.items() if k in ("code", "name", "role", "fingerprint")})
    return Result(KeyInfo(key["code"], key["name"], key["role"], key["fingerprint"], utcnow(), actor.username),
                  Changes(county=True))


@query
def partners(uow: UnitOfWork) -> list[KeyInfo]:
    """Each partner's key in force."""
    out = {}
    for row in uow.session.scalars(select(ExchangePartnerKey).order_by(ExchangePartnerKey.id)):
        out[row.code] = KeyInfo(row.code, row.name, row.role, row.fingerprint, row.imported_at, row.imported_by)
    return sorted(out.values(), key=lambda k: k.code)
