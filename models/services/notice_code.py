"""The QR code of an issued notice: a compact payload the bureau signs with its exchange key (Ed25519), so that
the city or another county running CreditDesk checks a paper notice offline with the partner keys it already
holds (`notice code`), and sees what the notice decided, not only its title.

    CD2|370921|宁医保资〔2026〕1号|2026-12-01|ABCD-EFGH|余芳|<content digest>|<what it decided>|<signature>

The content digest is the SHA-256 (first 16 bytes, base64url) of the facts the reviewer and the signer approved
and the document prints; the signature covers everything before it. The county code in the payload must be the
county whose key verifies it: a payload that names one county and is signed by another is refused.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from models.db.tables_exchange import ExchangeKey
from models.db.tables_notices import NoticeIssue
from models.services.base import UnitOfWork, query
from models.services.county import current_county
from models.services.exchange.keys import partner_keys, signing_private
from models.validation import ValidationError

PREFIX = "CD2"
SEP = "|"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decided(doc_type: str, facts: dict) -> str:
    """One line saying what the document decided, for the QR payload and the register lookup."""
    rec = facts.get("record") or {}
    case = f"（{rec['case_no']}）" if rec.get("case_no") else ""
    if doc_type == "credit_result":
        ev = facts["evaluation"]
        grade = f"信用等级{ev['grade']}，" if ev.get("grade") else ""
        return f"{grade}{ev['points']['year']}年度记分{ev['points']['total']}分，措施{len(ev['measures'])}项"
    if doc_type == "points_notice":
        return f"记{facts['points']}分{case}，{facts['year']}年度累计{facts['year_total']}分"
    if doc_type in ("pq_suspend", "pq_terminate", "settlement_suspend"):
        m = facts["measure"]
        months = f"{m['months']}个月" if m.get("months") else ""
        period = f"{m['start']}至{m['end']}" if m.get("end") else f"自{m['start']}"
        return f"{m['name']}{months}，{period}{case}"
    if doc_type == "appeal_answer":
        return f"申诉处理：{facts['outcome']}（{facts['record_text']}）"
    if doc_type == "objection_answer":
        return f"异议复核：{facts['outcome_text']}"
    if doc_type == "repair_refused":
        return f"不予信用修复{case or ''}：{facts['record_text']}"
    if doc_type == "repair_confirmed":
        return f"同意信用修复，自{facts['repaired_on']}起停止公示：{facts['record_text']}"
    if doc_type == "public_list":
        return f"公布{facts['list_name']}{len(facts['entries'])}名"
    return "信用报告"


def _clean(text: str) -> str:
    return str(text).replace(SEP, "｜").strip()


def make(uow: UnitOfWork, *, number: str, issued_on: date, verify_code: str, addressee: str, facts_sha256: str,
         summary: str) -> str:
    """The signed payload, or the plain register code where this bureau has no exchange key yet."""
    county = current_county(uow)
    key = uow.session.scalar(select(ExchangeKey).where(ExchangeKey.retired_at.is_(None))
                             .order_by(ExchangeKey.id.desc()).limit(1))
    if key is None:
        return f"CDVERIFY:{county.code}:{verify_code}"
    fields = [PREFIX, county.code, number, issued_on.isoformat(), verify_code, _clean(addressee or "公告"),
              _b64(bytes.fromhex(facts_sha256)[:16]), _clean(summary)]
    body = SEP.join(fields)
    signature = Ed25519PrivateKey.from_private_bytes(signing_private(key)).sign(body.encode("utf-8"))
    return body + SEP + _b64(signature)


@dataclass(frozen=True)
class CodeCheck:
    """What an offline check of a scanned QR payload says."""

    genuine: bool
    county: str
    number: str
    issued_on: str
    verify_code: str
    addressee: str
    decided: str
    signer: str  # whose key verified it
    problem: str = ""

    def text(self) -> str:
        if not self.genuine:
            return f"二维码内容不可信：{self.problem}"
        return (f"二维码签名有效（{self.signer}的数据交换密钥）：{self.number}，成文日期{self.issued_on}，"
                f"送达对象{self.addressee}，验证码{self.verify_code}；决定内容：{self.decided}")


def is_payload(text: str) -> bool:
    return text.strip().startswith(PREFIX + SEP)


def _keys(uow: UnitOfWork, code: str) -> list[tuple[str, bytes]]:
    """(whose, Ed25519 public key) for a county code: ours (every pair, retired ones sign older notices) or a
    partner's as imported."""
    county = current_county(uow)
    if code == county.code:
        return [(county.name, k.sign_public) for k in uow.session.scalars(select(ExchangeKey))]
    return [(p.name, p.sign_public) for p in partner_keys(uow, code)]


@query
def check(uow: UnitOfWork, *, text: str) -> CodeCheck:
    """Verify a scanned payload with the key of the county it names; nothing else is trusted."""
    parts = text.strip().split(SEP)
    if len(parts) != 9 or parts[0] != PREFIX:
        raise ValidationError("二维码内容", "不是CreditDesk告知书的二维码（应以 CD2| 开头，共9段）")
    _p, code, number, issued_on, verify_code, addressee, _digest, summary, sig = parts
    found = CodeCheck(False, code, number, issued_on, verify_code, addressee, summary, "")
    if not re.fullmatch(r"\d{6}", code):
        return _refused(found, "行政区划代码应为6位数字")
    keys = _keys(uow, code)
    if not keys:
        return _refused(found, f"本机没有{code}的数据交换公钥，无法核验；请管理员先导入该局的公钥")
    try:
        signature = _unb64(sig)
    except (binascii.Error, ValueError):
        return _refused(found, "签名部分已损坏")
    body = SEP.join(parts[:-1]).encode("utf-8")
    for whose, public in keys:
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, body)
        except InvalidSignature:
            continue
        verdict = CodeCheck(True, code, number, issued_on, verify_code, addressee, summary, f"{whose}（{code}）")
        return _against_register(uow, verdict) if code == current_county(uow).code else verdict
    return _refused(found, f"签名与{code}的密钥不符：内容被改动，或并非该局签发")


def _against_register(uow: UnitOfWork, verdict: CodeCheck) -> CodeCheck:
    """Our own notice: the register also knows whether it was voided since."""
    issue = uow.session.scalar(select(NoticeIssue).where(NoticeIssue.verify_code == verdict.verify_code))
    if issue is None or issue.doc_number != verdict.number:
        return _refused(verdict, "签名有效，但本局发文登记簿中没有这份文书")
    if issue.notice.state == "voided":
        return _refused(verdict, f"{verdict.number}已作废，不再有效")
    return verdict


def _refused(found: CodeCheck, problem: str) -> CodeCheck:
    return CodeCheck(False, found.county, found.number, found.issued_on, found.verify_code, found.addressee,
                     found.decided, "", problem)
