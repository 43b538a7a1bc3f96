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
from models.db.tables_notices import DELIVERY_METHODS, NoticeDelivery, NoticeIssue, NoticeSettings, NoticeStep
from models.services import notice_facts, signing
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.services.cases import add_notice, by_uuid
from models.services.county import current_county
from models.services.subjects import find_subject
from models.validation import ValidationError, clean, max_length, one_of, past_date, required

# type → (document name, 代字 appended to the county prefix). Types sharing a 代字 share a sequence.
DOC_TYPES = {
    "credit_result": ("信用结果告知书", "信"),
    "points_notice": ("记分告知书", "记"),
    "pq_suspend": ("暂停医保支付资格告知书", "资"),
    "pq_terminate": ("终止医保支付资格告知书", "资"),
    "settlement_suspend": ("暂停联网结算告知书", "结"),
    "objection_answer": ("异议信息处理结果反馈单", "异"),
    "repair_refused": ("不予信用修复告知书", "复"),
    "repair_confirmed": ("信用修复确认通知书", "修"),
    "credit_report": ("信用报告", "报"),
    "public_list": ("信用名单公告", "公"),
}
# The types drafted here; 附件2, 4 and 5 are drafted by the objections and repairs services.
DRAFT_TYPES = {t: n for t, (n, _s) in DOC_TYPES.items()
               if t not in ("objection_answer", "repair_refused", "repair_confirmed")}
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


def _info(n: Notice, issue: NoticeIssue | None = None) -> NoticeInfo:
    return NoticeInfo(n.uuid, n.type, DOC_TYPES.get(n.type, (n.type,))[0], n.subject.name if n.subject else "",
                      n.state, STATES.get(n.state, n.state), issue.doc_number if issue else None,
                      issue.verify_code if issue else None, issue.issued_on if issue else None)


# -- settings ---------------------------------------------------------------------------------------


def default_prefix(county_name: str) -> str:
    """宁阳县 → 宁医保, 磐安县 → 磐医保 (as in 磐医保〔2021〕43号)."""
    return f"{county_name[:1]}医保"


def settings(uow: UnitOfWork) -> dict:
    row = uow.session.scalar(select(NoticeSettings).order_by(NoticeSettings.id.desc()).limit(1))
    stored = json.loads(row.content) if row else {}
    return {"prefix": default_prefix(current_county(uow).name), "series": {}, "appeal_days": None, "phone": ""} | stored


@query
def get_settings(uow: UnitOfWork) -> dict:
    return settings(uow)


@service
def set_settings(uow: UnitOfWork, *, actor: Actor, changes: dict, reason: str) -> Result:
    """prefix (县局代字, e.g. 宁医保), series {type: 代字}, appeal_days (申诉期限, 文件未定时本局设置), phone."""
    require(actor, "notice.settings")
    before = settings(uow)
    after = dict(before)
    if "prefix" in changes:
        after["prefix"] = max_length(required(changes["prefix"], "发文字号代字"), 10, "发文字号代字")
    if "series" in changes:
        unknown = set(changes["series"]) - set(DOC_TYPES)
        if unknown:
            raise ValidationError("文书类型", f"未知的类型：{'、'.join(sorted(unknown))}")
        after["series"] = {**before["series"], **{k: max_length(required(v, "类型代字"), 4, "类型代字")
                                                   for k, v in changes["series"].items()}}
    if "appeal_days" in changes:
        days = changes["appeal_days"]
        if days is not None and (not str(days).isdigit() or not 1 <= int(days) <= 60):
            raise ValidationError("申诉期限", "应为1至60个工作日，或留空表示不限")
        after["appeal_days"] = None if days is None else int(days)
    if "phone" in changes:
        after["phone"] = max_length(clean(changes["phone"]), 30, "经办人电话")
    uow.session.add(NoticeSettings(content=json.dumps(after, ensure_ascii=False), set_by=actor.username,
                                   reason=required(reason, "变更原因")))
    uow.audit(actor, "notice.settings", "county", None, before=before, after=after, reason=reason)
    return Result(after, Changes(county=True))


def prefix_for(conf: dict, doc_type: str) -> str:
    return conf["prefix"] + conf["series"].get(doc_type, DOC_TYPES[doc_type][1])


# -- drafting ---------------------------------------------------------------------------------------


def _open_draft(uow: UnitOfWork, type_: str, case_uuid: str) -> Notice | None:
    return uow.session.scalar(select(Notice).where(Notice.type == type_, Notice.case_uuid == case_uuid,
                                                   Notice.state.in_(("draft", "reviewed", "signed_off"))))


@service
def draft(uow: UnitOfWork, *, actor: Actor, type: str, subject: str | None = None, record: str | None = None,
          kind: str | None = None, as_of: date | str | None = None, list: str | None = None) -> Result:
    """Draft a notice the casework services do not draft themselves.

    credit_result / credit_report: ``subject`` and ``as_of``; points_notice: ``record``; pq_suspend,
    pq_terminate, settlement_suspend: ``record`` (and the measure follows from the type); public_list:
    ``list`` red|black and ``as_of``. The content is checked at once by gathering its facts.
    """
    require(actor, "notice.draft")
    type_ = one_of(type, tuple(DRAFT_TYPES), "文书类型")
    day = past_date(as_of or date.today(), "评价日期")
    payload: dict = {"as_of": day}
    s = None
    if type_ in ("credit_result", "credit_report"):
        s = find_subject(uow, required(subject, "信用主体"))
        case = f"{type_}:{s.uuid}:{day.isoformat()}"
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
    """No gaps: the next number after the highest issued (voided ones keep theirs), in this transaction."""
    top = uow.session.scalar(select(func.max(NoticeIssue.number)).where(NoticeIssue.prefix == prefix,
                                                                       NoticeIssue.year == year))
    return (top or 0) + 1


def issue_in_uow(uow: UnitOfWork, actor: Actor, n: Notice, key: signing.SigningKey, produce, day: date) -> NoticeIssue:
    require(actor, "notice.issue")
    _expect(n, "signed_off")
    facts = notice_facts.gather(uow, n)
    signed = _last(uow, n, "sign_off")
    if notice_facts.facts_hash(facts) != signed.facts_sha256:
        raise ServiceError(f"告知书（{DOC_TYPES[n.type][0]}，{n.subject.name if n.subject else ''}）内容在签发后发生了变化，"
                           "不能印发，请退回后重新起草")
    county = current_county(uow)
    prefix = prefix_for(settings(uow), n.type)
    number = _next_number(uow, prefix, day.year)
    from models.services.base import jsonable

    stamp = IssueStamp(f"{prefix}〔{day.year}〕{number}号", day, _new_code(uow), county.code)
    pdf, pages = produce(n.type, facts, stamp, key)
    digest = hashlib.sha256(pdf).hexdigest()
    if uow.session.get(Blob, digest) is None:
        uow.session.add(Blob(sha256=digest, size=len(pdf), data=pdf))
    row = NoticeIssue(notice_id=n.id, doc_type=n.type, title=DOC_TYPES[n.type][0], prefix=prefix, year=day.year,
                      number=number, doc_number=stamp.number, issued_on=day, verify_code=stamp.verify_code,
                      sha256=digest, size=len(pdf), pages=pages, cert_fingerprint=key.fingerprint,
                      issued_by=actor.username, facts=json.dumps(jsonable(facts), ensure_ascii=False, sort_keys=True))
    uow.session.add(row)
    _step(uow, actor, n, "issue", "issued", stamp.number, signed.facts_sha256)
    uow.audit(actor, "notice.register", "notice", n.uuid, after={
        "doc_number": stamp.number, "verify_code": stamp.verify_code, "sha256": digest, "issued_on": day,
        "cert": key.fingerprint})
    return row


@service
def issue(uow: UnitOfWork, *, actor: Actor, notices: list[str], password: str, produce,
          issued_on: date | str | None = None, progress=None) -> Result:
    """印发 one or many signed-off notices in one transaction: all get numbers or none does.

    ``produce(doc_type, facts, stamp, key) -> (signed pdf bytes, pages)``; ``progress(done, total,
    message)`` returning False cancels, and nothing is kept (no number is used up).
    """
    require(actor, "notice.issue")
    if not notices:
        raise ValidationError("告知书", "未选择要印发的告知书")
    key = signing.unlock(uow, password)
    day = past_date(issued_on or date.today(), "成文日期")
    done, subjects = [], set()
    for i, uuid in enumerate(notices, 1):
        n = _notice(uow, uuid)
        row = issue_in_uow(uow, actor, n, key, produce, day)
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
    """送达: the day the document reached the subject starts the period to object (鲁 第十条 etc.).

    A second delivery record must say it corrects the first; the first stays in the register."""
    from models.services.cases import deadline

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
    procedure = {"repair_refused": "repair_refusal_objection", "points_notice": "appeal", "pq_suspend": "appeal",
                 "pq_terminate": "appeal"}.get(n.type, "objection_filing")
    due = deadline(uow, procedure, n.subject.type, day) if n.subject else None
    row = NoticeDelivery(notice_id=n.id, delivered_on=day, method=method, recipient=max_length(clean(recipient), 100, "签收人"),
                         note=max_length(clean(note), 500, "备注"), entered_by=actor.username,
                         supersedes_id=previous.id if previous else None,
                         objection_deadline=due.deadline if due else None,
                         deadline_provisional=bool(due and due.provisional), deadline_basis=due.basis if due else "")
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "notice.deliver", "notice", n.uuid, after={
        "delivered_on": day, "method": method, "recipient": row.recipient, "deadline": row.objection_deadline,
        "supersedes": previous.uuid if previous else None})
    return Result(delivery_dict(row), Changes(subjects=frozenset({n.subject.uuid}) if n.subject else frozenset()))


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
