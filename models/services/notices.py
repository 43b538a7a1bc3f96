"""Official notices: drafting, four-eyes sign-off, numbering, issuing, voiding, delivery and the register.

draft → reviewed (审核员, not the drafter) → signed_off (签发人, neither drafter nor reviewer) →
issued (印发: number allocated inside the issuing transaction, PDF rendered, digitally signed and
stored with its SHA-256). A draft may be returned (退回) instead; an issued notice may be voided
(作废) and keeps its number. Rendering and signing are reports' work: ``issue`` receives it as
``produce`` so this layer never imports reportlab.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from models.db.tables import Blob, CreditRecord
from models.db.tables_casework import Notice
from models.db.tables_notices import DELIVERY_METHODS, NoticeDelivery, NoticeIssue, NoticeStep
from models.services import notice_code, notice_facts, notice_numbering, notice_remedy, signing, warnings
from models.services.notice_settings import (  # noqa: F401  (settings are part of this facade)
    DOC_TYPES, default_prefix, get_settings, prefix_for, set_settings, settings)
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, jsonable, query, require, service
from models.services.cases import add_notice, by_uuid
from models.services.county import current_county
from models.services.subjects import find_subject
from models.validation import ValidationError, clean, max_length, one_of, past_date, required

# The types drafted here; 附件2, 4 and 5 and the answer to an appeal are drafted by the casework services.
DRAFT_TYPES = {t: n for t, (n, _s) in DOC_TYPES.items()
               if t not in ("objection_answer", "repair_refused", "repair_confirmed", "appeal_answer")}
FORMS = {"objection_form": "异议信息处理申请表（附件1）", "repair_form": "信用修复申请表（附件3）"}
STATES = {"draft": "草稿", "reviewed": "已审核", "signed_off": "已签发", "issued": "已印发", "returned": "已退回",
          "voided": "已作废"}
MEASURE_TYPES = {"suspend_payment_qualification": "pq_suspend", "terminate_payment_qualification": "pq_terminate",
                 "suspend_network_settlement": "settlement_suspend"}
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed without doubt


@dataclass(frozen=True)
class NoticeInfo:
    uuid: str
    type: str
    type_name: str
    subject: str
    state: str
    state_name: str
    doc_number: str | None
    verify_code: str | None
    issued_on: date | None


@dataclass(frozen=True)
class IssueStamp:
    """What issuing adds to the document; ``produce`` puts it on the page."""

    number: str
    issued_on: date
    verify_code: str
    county_code: str
    timestamp_url: str = ""  # RFC 3161 service; empty: no timestamp
    qr: str = ""  # the QR code's content: the signed payload (notice_code)


def _info(n: Notice, issue: NoticeIssue | None = None) -> NoticeInfo:
    return NoticeInfo(n.uuid, n.type, DOC_TYPES.get(n.type, (n.type,))[0], n.subject.name if n.subject else "",
                      n.state, STATES.get(n.state, n.state), issue.doc_number if issue else None,
                      issue.verify_code if issue else None, issue.issued_on if issue else None)


# -- drafting ---------------------------------------------------------------------------------------


def _open_draft(uow: UnitOfWork, type_: str, case_uuid: str) -> Notice | None:
    return uow.session.scalar(select(Notice).where(Notice.type == type_, Notice.case_uuid == case_uuid,
                                                   Notice.state.in_(("draft", "reviewed", "signed_off"))))


@service
def draft(uow: UnitOfWork, *, actor: Actor, type: str, subject: str | None = None, record: str | None = None,
          kind: str | None = None, as_of: date | str | None = None, list: str | None = None,
          warning: str | None = None) -> Result:
    """Draft a notice the casework services do not draft themselves.

    credit_result / credit_report: ``subject`` and ``as_of``; points_notice: ``record``; pq_suspend,
    pq_terminate, settlement_suspend: ``record`` (and the measure follows from the type); public_list:
    ``list`` red|black and ``as_of``; credit_warning (信用提醒): ``warning``. The content is checked at once by
    gathering its facts.
    """
    require(actor, "notice.draft")
    type_ = one_of(type, tuple(DRAFT_TYPES), "文书类型")
    day = past_date(as_of or date.today(), "评价日期")
    payload: dict = {"as_of": day}
    s = None
    if type_ in ("credit_result", "credit_report"):
        s = find_subject(uow, required(subject, "信用主体"))
        case = f"{type_}:{s.uuid}:{day.isoformat()}"
    elif type_ == "credit_warning":
        w = warnings.by_uuid(uow, required(warning, "信用预警"))
        s, payload["warning"] = w.subject, w.uuid
        case = f"{type_}:{w.uuid}"
    elif type_ == "public_list":
        payload["list"] = one_of(list, ("red", "black"), "名单")
        case = f"{type_}:{payload['list']}:{day.isoformat()}"
    else:
        rec = by_uuid(uow, CreditRecord, required(record, "信用信息"), "信用信息")
        s = rec.subject
        payload["record"] = rec.uuid
        if type_ != "points_notice":
            payload["kind"] = next(k for k, t in MEASURE_TYPES.items() if t == type_)
        case = f"{type_}:{rec.uuid}"
    if _open_draft(uow, type_, case) is not None:
        raise ServiceError(f"该{DOC_TYPES[type_][0]}已有未印发的草稿，请先办理或退回")
    if s is None:
        n = Notice(type=type_, subject=None, case_uuid=case, created_by=actor.username,
                   payload=json.dumps(payload | {"as_of": day.isoformat()}, ensure_ascii=False, sort_keys=True))
        uow.session.add(n)
        uow.session.flush()
        uow.audit(actor, "notice.draft", "notice", n.uuid, after={"type": type_, "case": case, **payload})
    else:
        n = add_notice(uow, actor, type_, s, case, payload)
    notice_facts.gather(uow, n)  # refuses at once what could not be printed (no period chosen, …)
    return Result(_info(n), Changes(subjects=frozenset({s.uuid}) if s else frozenset()))


# -- sign-off ---------------------------------------------------------------------------------------


def _steps(uow: UnitOfWork, n: Notice) -> list[NoticeStep]:
    return list(uow.session.scalars(select(NoticeStep).where(NoticeStep.notice_id == n.id).order_by(NoticeStep.id)))


def _last(uow: UnitOfWork, n: Notice, step: str) -> NoticeStep | None:
    return next((s for s in reversed(_steps(uow, n)) if s.step == step), None)


def _step(uow: UnitOfWork, actor: Actor, n: Notice, step: str, state: str | None, note: str = "",
          facts_sha256: str | None = None) -> None:
    before = n.state
    uow.session.add(NoticeStep(notice_id=n.id, step=step, actor=actor.username, note=note, facts_sha256=facts_sha256))
    if state:
        n.state = state
    uow.audit(actor, f"notice.{step}", "notice", n.uuid, before={"state": before},
              after={"state": n.state, "facts_sha256": facts_sha256}, reason=note)


def _notice(uow: UnitOfWork, uuid: str) -> Notice:
    return by_uuid(uow, Notice, uuid, "告知书")


def _expect(n: Notice, *states: str) -> None:
    if n.state not in states:
        want = "、".join(STATES[s] for s in states)
        raise ServiceError(f"该告知书状态为“{STATES.get(n.state, n.state)}”，须为“{want}”才能办理")


def _not_same(actor: Actor, who: str | None, role: str, verb: str) -> None:
    if who and who == actor.username:
        raise ServiceError(f"双人复核：该告知书由“{who}”{role}，不能由同一人{verb}，请由另一人办理")


@service
def review(uow: UnitOfWork, *, actor: Actor, notice: str, approve: bool = True, note: str = "") -> Result:
    """审核: the content as previewed is approved (its hash is kept) or returned with a reason."""
    require(actor, "notice.review")
    n = _notice(uow, notice)
    _expect(n, "draft")
    _not_same(actor, n.created_by, "起草", "审核")
    if not approve:
        _step(uow, actor, n, "return", "returned", required(note, "退回理由"))
        return Result(_info(n), Changes())
    _step(uow, actor, n, "review", "reviewed", clean(note), notice_facts.facts_hash(notice_facts.gather(uow, n)))
    return Result(_info(n), Changes())


@service
def sign_off(uow: UnitOfWork, *, actor: Actor, notice: str, approve: bool = True, note: str = "") -> Result:
    """签发 by a 签发人 who neither drafted nor reviewed it; the content must be what was reviewed."""
    require(actor, "notice.sign_off")
    n = _notice(uow, notice)
    _expect(n, "reviewed")
    reviewed = _last(uow, n, "review")
    _not_same(actor, n.created_by, "起草", "签发")
    _not_same(actor, reviewed.actor, "审核", "签发")
    if not approve:
        _step(uow, actor, n, "return", "returned", required(note, "退回理由"))
        return Result(_info(n), Changes())
    digest = notice_facts.facts_hash(notice_facts.gather(uow, n))
    if digest != reviewed.facts_sha256:
        raise ServiceError("告知书内容在审核后发生了变化（相关记录已更正或重新评价），请退回后重新起草和审核")
    _step(uow, actor, n, "sign_off", "signed_off", clean(note), digest)
    return Result(_info(n), Changes())


# -- issuing ----------------------------------------------------------------------------------------


def _new_code(uow: UnitOfWork) -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if not uow.session.scalar(select(NoticeIssue.id).where(NoticeIssue.verify_code == code)):
            return code


def _next_number(uow: UnitOfWork, prefix: str, year: int) -> int:
    """No gaps: the next number after the highest issued (voided ones keep theirs), in this transaction,
    which holds the write lock (``take_numbering_lock``) so no other process reads the same highest."""
    top = uow.session.scalar(select(func.max(NoticeIssue.number)).where(NoticeIssue.prefix == prefix,
                                                                       NoticeIssue.year == year))
    return (top or 0) + 1


def _check_date(uow: UnitOfWork, n: Notice, facts: dict, day: date, reason: str, today: date) -> None:
    """成文日期 may not precede what the document reports, nor lie further back than the setting allows
    without a reason that is recorded with the issue."""
    reported = notice_facts.reported_on(facts)
    if reported and day < reported:
        raise ValidationError("成文日期", f"{day.isoformat()} 早于告知书所载事实的日期{reported.isoformat()}"
                                      f"（{DOC_TYPES[n.type][0]}，{n.subject.name if n.subject else '公告'}）")
    allowed = settings(uow)["backdate_days"]
    if (today - day).days > allowed and not reason:
        raise ValidationError("成文日期", f"{day.isoformat()} 早于今天{(today - day).days}天，超过本局设置的{allowed}天；"
                                      "如确需倒签，请填写倒签理由（将记入发文登记和审计日志）")


def issue_in_uow(uow: UnitOfWork, actor: Actor, n: Notice, key: signing.SigningKey, produce, day: date,
                 backdate_reason: str = "", today: date | None = None) -> NoticeIssue:
    require(actor, "notice.issue")
    _expect(n, "signed_off")
    facts = notice_facts.gather(uow, n)
    signed = _last(uow, n, "sign_off")
    if notice_facts.facts_hash(facts) != signed.facts_sha256:
        raise ServiceError(f"告知书（{DOC_TYPES[n.type][0]}，{n.subject.name if n.subject else ''}）内容在签发后发生了变化，"
                           "不能印发，请退回后重新起草")
    _check_date(uow, n, facts, day, backdate_reason, today or date.today())
    county = current_county(uow)
    conf = settings(uow)
    prefix = prefix_for(conf, n.type)
    number = _next_number(uow, prefix, day.year)
    doc_number, code = f"{prefix}〔{day.year}〕{number}号", _new_code(uow)
    qr = notice_code.make(uow, number=doc_number, issued_on=day, verify_code=code, facts_sha256=signed.facts_sha256,
                          addressee=n.subject.name if n.subject else "", summary=notice_code.decided(n.type, facts))
    stamp = IssueStamp(doc_number, day, code, county.code, conf.get("timestamp_url") or "", qr)
    pdf, pages = notice_numbering.produced(produce, n.type, facts, stamp, key)
    digest = hashlib.sha256(pdf).hexdigest()
    if uow.session.get(Blob, digest) is None:
        uow.session.add(Blob(sha256=digest, size=len(pdf), data=pdf))
    row = NoticeIssue(notice_id=n.id, doc_type=n.type, title=DOC_TYPES[n.type][0], prefix=prefix, year=day.year,
                      number=number, doc_number=stamp.number, issued_on=day, verify_code=stamp.verify_code,
                      sha256=digest, size=len(pdf), pages=pages, cert_fingerprint=key.fingerprint,
                      issued_by=actor.username, facts=json.dumps(jsonable(facts), ensure_ascii=False, sort_keys=True))
    uow.session.add(row)
    note = stamp.number + (f"；倒签理由：{backdate_reason}" if backdate_reason else "")
    _step(uow, actor, n, "issue", "issued", note, signed.facts_sha256)
    uow.audit(actor, "notice.register", "notice", n.uuid, after={
        "doc_number": stamp.number, "verify_code": stamp.verify_code, "sha256": digest, "issued_on": day,
        "cert": key.fingerprint, "qr": stamp.qr}, reason=backdate_reason)
    return row


@service
def issue(uow: UnitOfWork, *, actor: Actor, notices: list[str], password: str, produce,
          issued_on: date | str | None = None, progress=None, backdate_reason: str = "") -> Result:
    """印发 one or many signed-off notices in one transaction: all get numbers or none does.

    ``produce(doc_type, facts, stamp, key) -> (signed pdf bytes, pages)``; ``progress(done, total,
    message)`` returning False cancels, and nothing is kept (no number is used up). Another process
    issuing at the same time is waited for (the numbering lock), never failed.
    """
    require(actor, "notice.issue")
    if not notices:
        raise ValidationError("告知书", "未选择要印发的告知书")
    day = past_date(issued_on or date.today(), "成文日期")
    reason = clean(backdate_reason)
    notice_numbering.take_lock(uow, progress=lambda text: progress(0, len(notices), text) if progress else None)
    key = signing.unlock(uow, password)
    done, subjects = [], set()
    for i, uuid in enumerate(notices, 1):
        n = _notice(uow, uuid)
        row = issue_in_uow(uow, actor, n, key, produce, day, reason)
        uow.session.flush()
        done.append(_info(n, row))
        subjects |= {n.subject.uuid} if n.subject else set()
        if progress and progress(i, len(notices), f"正在印发 {row.doc_number}") is False:
            raise ServiceError("已取消印发，未编号、未保存任何告知书")
    return Result(done, Changes(subjects=frozenset(subjects)))


@service
def void(uow: UnitOfWork, *, actor: Actor, notice: str, reason: str) -> Result:
    """作废: the number stays taken and the register shows why; the PDF stays for the record."""
    require(actor, "notice.void")
    n = _notice(uow, notice)
    _expect(n, "issued")
    _step(uow, actor, n, "void", "voided", required(reason, "作废理由"))
    return Result(_info(n, _issue_row(uow, n)), Changes())


def _issue_row(uow: UnitOfWork, n: Notice) -> NoticeIssue | None:
    return uow.session.scalar(select(NoticeIssue).where(NoticeIssue.notice_id == n.id))


# -- delivery and printing --------------------------------------------------------------------------


@service
def deliver(uow: UnitOfWork, *, actor: Actor, notice: str, delivered_on: date | str, method: str,
            recipient: str = "", note: str = "", correcting: bool = False) -> Result:
    """送达: the day the document reached the subject starts the period printed on it (鲁 第十条 etc.).

    A second delivery record must say it corrects the first; the first stays in the register."""
    require(actor, "notice.deliver")
    n = _notice(uow, notice)
    _expect(n, "issued")
    issued = _issue_row(uow, n)
    day = past_date(delivered_on, "送达日期")
    if day < issued.issued_on:
        raise ValidationError("送达日期", f"早于成文日期{issued.issued_on.isoformat()}")
    method = one_of(method, DELIVERY_METHODS, "送达方式")
    previous = latest_delivery(uow, n)
    if previous is not None and not correcting:
        raise ServiceError(f"该告知书已于{previous.delivered_on.isoformat()}登记送达；如需更正，请注明为更正")
    printed = _printed_remedy(issued)
    due = notice_remedy.delivery_deadline(uow, printed, day)
    row = NoticeDelivery(notice_id=n.id, delivered_on=day, method=method, recipient=max_length(clean(recipient), 100, "签收人"),
                         note=max_length(clean(note), 500, "备注"), entered_by=actor.username,
                         supersedes_id=previous.id if previous else None,
                         objection_deadline=due.date if due else None, deadline_provisional=bool(due and due.provisional),
                         deadline_basis=printed["basis"] if due else "")
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "notice.deliver", "notice", n.uuid, after={
        "delivered_on": day, "method": method, "recipient": row.recipient, "deadline": row.objection_deadline,
        "supersedes": previous.uuid if previous else None})
    return Result(delivery_dict(row), Changes(subjects=frozenset({n.subject.uuid}) if n.subject else frozenset()))


def _printed_remedy(issued: NoticeIssue) -> dict | None:
    """The remedy as the issued document states it (its days and article): the register counts with it."""
    facts = json.loads(issued.facts)
    return next((facts[k] for k in ("objection", "appeal") if facts.get(k)), None)


def latest_delivery(uow: UnitOfWork, n: Notice) -> NoticeDelivery | None:
    return uow.session.scalar(select(NoticeDelivery).where(NoticeDelivery.notice_id == n.id)
                              .order_by(NoticeDelivery.id.desc()).limit(1))


def delivery_dict(d: NoticeDelivery) -> dict:
    return {"delivered_on": d.delivered_on, "method": d.method, "recipient": d.recipient, "note": d.note,
            "entered_by": d.entered_by, "deadline": d.objection_deadline, "provisional": d.deadline_provisional,
            "basis": d.deadline_basis}


@service
def record_print(uow: UnitOfWork, *, actor: Actor, notices: list[str]) -> Result:
    """Printing an issued notice: the first print is the original, every later one a copy (副本)."""
    copies = {}
    for uuid in notices:
        n = _notice(uow, uuid)
        _expect(n, "issued", "voided")
        copy = any(s.step == "print" for s in _steps(uow, n))
        _step(uow, actor, n, "print", None, "副本" if copy else "正本")
        copies[uuid] = copy
    return Result(copies, Changes())


@query
def print_copies(uow: UnitOfWork, *, notices: list[str]) -> dict[str, bool]:
    """Whether printing each issued notice now would make a copy (副本): it was printed before."""
    out = {}
    for uuid in notices:
        n = _notice(uow, uuid)
        _expect(n, "issued", "voided")
        out[uuid] = any(s.step == "print" for s in _steps(uow, n))
    return out


@query
def delivered_on(uow: UnitOfWork, *, subject: str, type: str = "credit_result") -> date | None:
    """The day the newest issued notice of ``type`` reached the subject: what objections count from."""
    s = find_subject(uow, subject)
    rows = uow.session.scalars(select(Notice).where(Notice.subject_id == s.id, Notice.type == type,
                                                    Notice.state == "issued").order_by(Notice.id.desc()))
    for n in rows:
        d = latest_delivery(uow, n)
        if d is not None:
            return d.delivered_on
    return None
