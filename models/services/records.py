"""Good and bad information in a credit file; corrections supersede, never overwrite."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from models.db.tables import Attachment, Blob, CreditRecord, RESPONSIBILITY_LEVELS
from models.services import catalogue as cat
from models.services.county import current_county
from models.services.base import AlreadyDone, Actor, Changes, NotFound, Result, ServiceError, UnitOfWork, require, service
from models.services.subjects import ensure_local, find_subject

from models.validation import ValidationError, amount, clean, json_fields, max_length, no_control, one_of, past_date, required

# Where information comes from (鲁医保发〔2024〕25号 第六条).
SOURCES = {
    "business": "医保业务信息系统",
    "smart_audit": "医保智能审核系统",
    "supervision": "医保基金监管",
    "audit": "日常稽核",
    "self_report": "信用主体上报",
    "gov_data": "政务大数据平台",
    "credit_platform": "公共信用信息平台",
    "media": "公共媒体舆情",
}
DECISION_TYPES = ("行政处罚", "协议处理", "刑事")
FIELDS = ("kind", "decision_date", "amount", "responsibility", "case_no", "source", "note", "decision_type", "institution")
INPUT_FIELDS = {"subject": "信用主体", "kind": "信息类别", "decision_date": "决定日期", "amount": "金额",
                "responsibility": "责任程度", "case_no": "案件编号", "source": "信息来源", "note": "备注",
                "decision_type": "决定类型", "institution": "所在机构"}


@dataclass(frozen=True)
class RecordInfo:
    uuid: str
    subject_uuid: str
    kind: str
    kind_name: str
    good: bool
    decision_date: date
    decision_type: str | None
    amount: Decimal | None
    responsibility: str | None
    case_no: str
    source: str
    note: str
    supersedes: str | None


def record_info(r: CreditRecord, kind_name: str) -> RecordInfo:
    return RecordInfo(
        r.uuid, r.subject.uuid, r.kind, kind_name, r.good, r.decision_date, r.decision_type, r.amount,
        r.responsibility, r.case_no, r.source, r.note, r.supersedes.uuid if r.supersedes else None,
    )


def _source(value: object) -> str:
    text = required(value, "信息来源")
    by_name = {v: k for k, v in SOURCES.items()}
    if text in by_name:
        return by_name[text]
    return one_of(text, tuple(SOURCES), "信息来源")


def _fields(uow: UnitOfWork, data: dict, subject_type: str | None = None) -> tuple[dict, cat.KindSpec]:
    return record_fields(current_county(uow).profile, data, subject_type)


def shared_fields(profile: str, kind, decision_date, source, decision_type, responsibility) -> tuple[dict, cat.KindSpec]:
    """The fields a list repeats row after row (kind, date, source…): a list checks them once per distinct combination."""
    spec = cat.kind_spec(profile, required(kind, "信息类别"))
    return {
        "kind": spec.code,
        "good": spec.good,
        "decision_date": past_date(decision_date, "决定日期"),
        "source": _source(source or "supervision"),
        "decision_type": one_of(decision_type, DECISION_TYPES, "决定类型") if clean(decision_type) else None,
        "responsibility": one_of(responsibility, RESPONSIBILITY_LEVELS, "责任程度") if clean(responsibility) else None,
    }, spec


CASE_NO_LIMIT, NOTE_LIMIT = 60, 2000


def amount_field(value) -> Decimal | None:
    """The 金额 cell: empty, or yuan to the fen."""
    return amount(value, "金额") if clean(value, "金额") else None


def refuse_points(spec: cat.KindSpec) -> None:
    """One path carries points: a finding confirmed by a second person, which notifies every institution where
    the person is registered (济医保发〔2025〕6号 四（五）（六））; a record form or a list cannot give them."""
    if spec.band is not None:
        raise ValidationError("信息类别", f"“{spec.name}”记医保支付资格记分，须作为违规认定录入（违规认定 → 认定责任人员），"
                                      "经另一名审核员确认后记分并通知其登记备案的各定点医药机构")


def complete(spec: cat.KindSpec, fields: dict) -> None:
    """What the kind asks of the other fields: an amount, a degree of responsibility, a case number."""
    if spec.needs_amount and fields["amount"] is None:
        raise ValidationError("金额", f"“{spec.name}”须填写造成的医保基金损失金额")
    if spec.band and spec.subject_type == "practitioner" and fields["responsibility"] is None:
        raise ValidationError("责任程度", f"“{spec.name}”记分须认定责任程度：主要、重要或一般")
    if not spec.good and not fields["case_no"]:
        raise ValidationError("案件编号", "不良信息须填写处罚或处理决定的案件编号")


def record_fields(profile: str, data: dict, subject_type: str | None = None) -> tuple[dict, cat.KindSpec]:
    """Validate the documented record fields against the catalogue of the county's profile (no database work)."""
    common, spec = shared_fields(profile, data.get("kind"), data.get("decision_date"), data.get("source"),
                                 data.get("decision_type"), data.get("responsibility"))
    if subject_type and spec.subject_type != subject_type:
        raise ValidationError("信息类别", f"“{spec.name}”不适用于该类信用主体")
    fields = {
        **common,
        "case_no": max_length(clean(data.get("case_no"), "案件编号"), CASE_NO_LIMIT, "案件编号"),
        "note": max_length(clean(data.get("note"), "备注"), NOTE_LIMIT, "备注"),
        "amount": amount_field(data.get("amount")),
    }
    complete(spec, fields)
    return fields, spec


def _refuse_repeat(uow: UnitOfWork, subject, fields: dict) -> None:
    """A decision is recorded once: the same subject, kind, decision date and case number is the same fact."""
    same = uow.session.scalar(select(CreditRecord.uuid).where(
        CreditRecord.subject_id == subject.id, CreditRecord.kind == fields["kind"],
        CreditRecord.decision_date == fields["decision_date"], CreditRecord.case_no == fields["case_no"]).limit(1))
    if same is not None:
        raise AlreadyDone(f"{subject.name}的这条信用信息（{fields['decision_date']}，案件编号“{fields['case_no']}”）"
                          f"已经录入过（UUID {same}），不能重复录入", same)


def _institution(uow: UnitOfWork, data: dict):
    code = clean(data.get("institution"), "所在机构")
    return find_subject(uow, code, type="institution", field="所在机构") if code else None


MAX_ATTACHMENT = 50 * 1024 * 1024


def store_blob(uow: UnitOfWork, name: str, content: bytes) -> tuple[str, str]:
    """A file checked and stored once per SHA-256 however many records or cases cite it: (name, digest)."""
    name = max_length(required(name, "附件文件名"), 200, "附件文件名")
    if not content:
        raise ValidationError("附件", f"“{name}”是空文件")
    if len(content) > MAX_ATTACHMENT:
        raise ValidationError("附件", f"“{name}”超过50MB")
    digest = hashlib.sha256(content).hexdigest()
    if uow.session.get(Blob, digest) is None:
        uow.session.add(Blob(sha256=digest, size=len(content), data=content))
    return name, digest


def files_beside(paths, folder: Path) -> list[tuple[str, bytes]]:
    """Attachments named in a JSON file: only regular files inside that file's folder, each within the limit.

    A path that leaves the folder (``../``, an absolute path, a link pointing out) would let a file
    read whatever the user may read (/etc/shadow) and send it to the city with the record.
    """
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValidationError("attachments", "应为文件名或文件名列表（JSON 字符串数组）")
    root, files = folder.resolve(), []
    for name in paths:
        no_control(name, "附件文件名")
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise ValidationError("附件", f"“{name}”不在 JSON 文件所在的文件夹内：附件只能是该文件夹中的文件")
        if not path.is_file():
            raise ValidationError("附件", f"“{name}”不存在或不是普通文件")
        if path.stat().st_size > MAX_ATTACHMENT:
            raise ValidationError("附件", f"“{name}”超过{MAX_ATTACHMENT // 1024 // 1024}MB")
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise ValidationError("附件", f"无法读取“{name}”（{exc.strerror}）") from None
    return files


def attach(uow: UnitOfWork, record: CreditRecord, files: list[tuple[str, bytes]]) -> None:
    """Scans and documents cited by a record."""
    for name, content in files:
        name, digest = store_blob(uow, name, content)
        record.attachments.append(Attachment(sha256=digest, filename=name))


@service
def add_record(uow: UnitOfWork, *, actor: Actor, data: dict, files: list[tuple[str, bytes]] = ()) -> Result:
    require(actor, "record.write")
    json_fields(data, INPUT_FIELDS)
    county = current_county(uow)
    spec = cat.kind_spec(county.profile, required(data.get("kind"), "信息类别"))
    subject = find_subject(uow, data.get("subject"), type=spec.subject_type, field="信用主体")
    ensure_local(subject, county.code)
    refuse_points(spec)
    fields, spec = _fields(uow, data, subject.type)
    _refuse_repeat(uow, subject, fields)
    record = CreditRecord(subject=subject, institution=_institution(uow, data), entered_by=actor.username, **fields)
    uow.session.add(record)
    attach(uow, record, list(files))
    uow.session.flush()
    uow.audit(actor, "record.add", "credit_record", record.uuid,
              after={**fields, "subject": subject.uuid, "attachments": [a.sha256 for a in record.attachments]})
    return Result(record_info(record, spec.name), Changes(subjects=frozenset({subject.uuid})))


def _as_input(r: CreditRecord) -> dict:
    return {
        "kind": r.kind, "decision_date": r.decision_date.isoformat(), "amount": str(r.amount) if r.amount is not None else "",
        "responsibility": r.responsibility or "", "case_no": r.case_no, "source": r.source, "note": r.note,
        "decision_type": r.decision_type or "", "institution": r.institution.credit_code if r.institution else "",
    }


@service
def correct_record(uow: UnitOfWork, *, actor: Actor, record: str, data: dict, reason: str) -> Result:
    """A new record replaces ``record``; the original stays readable in the history."""
    require(actor, "record.correct")
    reason = required(reason, "更正原因")
    old = uow.session.scalar(select(CreditRecord).where(CreditRecord.uuid == clean(record).lower()))
    if old is None:
        raise NotFound(f"信用信息：找不到 UUID 为“{record}”的记录")
    if uow.session.scalar(select(CreditRecord.id).where(CreditRecord.supersedes_id == old.id)):
        raise ServiceError("该记录已被更正过，请对最新的更正记录再作更正")
    county = current_county(uow).code
    ensure_local(old.subject, county)
    if old.origin_county and old.origin_county != county:
        # A shared practitioner's file holds other counties' decisions: only the deciding county corrects them.
        raise ServiceError(f"该记录由 {old.origin_county} 作出并维护，本局只读；如需更正请联系该县（区）医疗保障局")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError("更正内容", f"不能更正这些字段：{'、'.join(sorted(unknown))}")
    merged = {**_as_input(old), **data}
    fields, spec = _fields(uow, merged, old.subject.type)
    new = CreditRecord(subject=old.subject, institution=_institution(uow, merged), entered_by=actor.username,
                       supersedes=old, correction_reason=reason, **fields)
    uow.session.add(new)
    uow.session.flush()
    uow.audit(actor, "record.correct", "credit_record", new.uuid, before={**_as_input(old), "uuid": old.uuid},
              after={**fields, "supersedes": old.uuid}, reason=reason)
    return Result(record_info(new, spec.name), Changes(subjects=frozenset({old.subject.uuid})))
