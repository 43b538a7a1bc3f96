"""Credit subjects: practitioners with their registrations, insured persons, institutions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from models.db.tables import (Registration, RegistrationStatus, ServiceCommitment, StandingResult, Subject,
                              SubjectStanding)
from models.pinyin import initials_of
from models.services.base import AlreadyDone, Actor, Changes, NotFound, Result, ServiceError, UnitOfWork, require, service
from models.validation import (ValidationError, clean, credit_code, fold, id_number, json_fields, max_length, one_of, past_date,
                               required)

TYPE_NAMES = {"practitioner": "医保医（药）师", "insured": "参保人", "institution": "定点医药机构"}
INSTITUTION_KINDS = {"hospital": "医院", "clinic": "诊所", "pharmacy": "零售药店"}
INSURANCE_TYPES = ("职工", "居民", "生育")
PROFESSIONS = ("医师", "药师", "护士", "技师", "结算审核", "主要负责人")
COMMITMENT_KINDS = ("个人", "集体")
INPUT_FIELDS = {"type": "主体类型", "name": "姓名或名称", "township": "乡镇（街道）", "phone": "联系电话", "address": "地址",
                "credit_code": "统一社会信用代码", "insurance_code": "医保机构编码", "institution_kind": "机构类别",
                "id_number": "身份证号", "other_id": "其他证件号码", "insurance_type": "参保类型", "profession": "人员类别",
                "practice_reg_no": "执业注册号", "institutions": "执业机构", "registered_on": "登记备案日期",
                "commitment": "服务承诺", "commitment_date": "承诺日期"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class SubjectInfo:
    uuid: str
    type: str
    name: str
    id_number: str | None
    credit_code: str | None
    origin_county: str | None


def info(s: Subject) -> SubjectInfo:
    return SubjectInfo(s.uuid, s.type, s.name, s.id_number, s.credit_code, s.origin_county)


def mask_id(value: str | None) -> str:
    """3709**********123X: enough to tell people apart on screen, not enough to misuse."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else value


def find_subject(uow: UnitOfWork, key: str, *, type: str | None = None, field: str = "信用主体") -> Subject:
    """By UUID, 统一社会信用代码 or 身份证号; ``type`` settles a person who is both doctor and insured."""
    text = fold(key).upper()
    if not text:
        raise ValidationError(field, "必填，请填写身份证号、统一社会信用代码或UUID")
    stmt = select(Subject)
    if _UUID.match(text):
        stmt = stmt.where(Subject.uuid == text.lower())
    else:
        stmt = stmt.where((Subject.credit_code == text) | (Subject.id_number == text))
    if type:
        stmt = stmt.where(Subject.type == type)
    found = list(uow.session.scalars(stmt))
    if not found:
        refuse_malformed(text, field)
        what = f"{TYPE_NAMES[type]}" if type else "信用主体"
        raise NotFound(f"{field}：找不到号码为“{text}”的{what}")
    if len(found) > 1:
        options = "；".join(f"{TYPE_NAMES[s.type]} {s.name} UUID {s.uuid}" for s in found)
        raise ServiceError(f"{field}：号码“{text}”对应多个信用主体（{options}），请改用UUID")
    return found[0]


def refuse_malformed(text: str, field: str) -> None:
    """A key that could not be any subject's is a format problem, named as one, not a missing subject."""
    if _UUID.match(text):
        return
    if len(text) != 18:
        raise ValidationError(field, f"“{text}”为{len(text)}位：身份证号和统一社会信用代码都应为18位，请核对是否漏录或多录")
    checks = (id_number, credit_code) if re.fullmatch(r"\d{17}[\dX]", text) else (credit_code, id_number)
    problems = []
    for check in checks:
        try:
            check(text, field)
            return  # well formed: simply not registered here
        except ValidationError as exc:
            problems.append(exc)
    raise problems[0]


def _text(data: dict, key: str, field: str, limit: int, *, needed: bool = False) -> str | None:
    value = required(data.get(key), field) if needed else clean(data.get(key), field)
    return max_length(value, limit, field) if value else None


def _base_fields(data: dict) -> dict:
    kind = one_of(data.get("type"), tuple(TYPE_NAMES), "主体类型")
    fields = {
        "type": kind,
        "name": _text(data, "name", "名称" if kind == "institution" else "姓名", 100, needed=True),
        "township": _text(data, "township", "乡镇（街道）", 40),
        "phone": _text(data, "phone", "联系电话", 30),
        "address": _text(data, "address", "地址", 200),
    }
    if kind == "institution":
        fields["credit_code"] = credit_code(data.get("credit_code"))
        fields["insurance_code"] = _text(data, "insurance_code", "医保机构编码", 32)
        raw_kind = clean(data.get("institution_kind"), "机构类别") or "hospital"
        by_name = {v: k for k, v in INSTITUTION_KINDS.items()}
        fields["institution_kind"] = by_name.get(raw_kind) or one_of(raw_kind, tuple(INSTITUTION_KINDS), "机构类别")
    else:
        fields["id_number"] = id_number(data.get("id_number"))
        fields["other_id"] = _text(data, "other_id", "其他证件号码", 40)
    if kind == "insured":
        fields["insurance_type"] = one_of(data.get("insurance_type"), INSURANCE_TYPES, "参保类型")
    if kind == "practitioner":
        fields["profession"] = one_of(data.get("profession") or "医师", PROFESSIONS, "人员类别")
        fields["practice_reg_no"] = _text(data, "practice_reg_no", "执业注册号", 40)
    return fields


def _refuse_duplicate(uow: UnitOfWork, fields: dict) -> None:
    if fields["type"] == "institution":
        clash = uow.session.scalar(select(Subject).where(Subject.credit_code == fields["credit_code"]))
        field = "统一社会信用代码"
    else:
        clash = uow.session.scalar(
            select(Subject).where(Subject.type == fields["type"], Subject.id_number == fields["id_number"])
        )
        field = "身份证号"
    if clash and clash.type == fields["type"] and clash.name == fields["name"]:
        raise AlreadyDone(f"{TYPE_NAMES[clash.type]}“{clash.name}”已经登记过", clash.uuid)
    if clash:
        raise ValidationError(field, f"已登记为{TYPE_NAMES[clash.type]}“{clash.name}”，不能重复登记")


def ever_banned(uow: UnitOfWork, ids) -> set[int]:
    """Of these practitioners, those whose standing holds a registration ban (ended ones too): bulk imports check
    only their rows with ``refuse_if_banned``."""
    ids, found = sorted(set(ids)), set()
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        found |= set(uow.session.scalars(select(SubjectStanding.subject_id).where(
            SubjectStanding.subject_id.in_(ids[start:start + 900]), SubjectStanding.ban_until.is_not(None))))
    return found


def refuse_if_banned(uow: UnitOfWork, practitioner: Subject, on: date) -> None:
    """No registration dated while a ban from a termination runs (医保发〔2024〕23号; 济医保发〔2025〕6号 四（六）),
    also when it is entered after the ban ended. Read from the practitioner's standing, which keeps every ban."""
    if practitioner.id is None:
        return
    row = uow.session.get(SubjectStanding, practitioner.id)
    if row is None or row.ban_until is None or row.ban_until < on:
        return
    body = uow.session.get(StandingResult, row.result_hash).result()
    day = on.isoformat()
    ban = next((m for m in body["measures"] if m["kind"] == "registration_ban" and m["start"] <= day <= m["end"]), None)
    if ban is None:
        return
    raise ValidationError("登记备案日期", f"{practitioner.name}自{ban['start']}起{ban['name']}（至{ban['end']}，"
                                    f"依据{ban['basis']}），{on.isoformat()}不能登记备案")


def register_at(uow: UnitOfWork, actor: Actor, practitioner: Subject, institution: Subject, on: date) -> Registration:
    """登记备案 at one more institution (多点执业: 济医保发〔2025〕6号 四(三))."""
    if institution.type != "institution":
        raise ValidationError("执业机构", f"“{institution.name}”不是定点医药机构")
    refuse_if_banned(uow, practitioner, on)
    exists = uow.session.scalar(
        select(Registration).where(Registration.practitioner_id == practitioner.id, Registration.institution_id == institution.id)
    )
    if exists:
        raise ValidationError("执业机构", f"{practitioner.name} 已在“{institution.name}”登记备案")
    reg = Registration(practitioner=practitioner, institution=institution, registered_on=on, status="正常")
    reg.history.append(RegistrationStatus(status="正常", effective_on=on, reason="登记备案", actor=actor.username))
    uow.session.add(reg)
    return reg


@service
def add_subject(uow: UnitOfWork, *, actor: Actor, data: dict) -> Result:
    """Register a subject from the documented JSON fields (README: 输入字段)."""
    require(actor, "subject.write")
    json_fields(data, INPUT_FIELDS, lists=frozenset({"institutions"}))
    fields = _base_fields(data)
    _refuse_duplicate(uow, fields)
    subject = Subject(**fields, initials=initials_of(fields["name"]))
    uow.session.add(subject)
    uow.session.flush()
    if subject.type == "practitioner":
        _add_registrations(uow, actor, subject, data)
    elif data.get("institutions"):
        raise ValidationError("执业机构", "只有医保医（药）师登记执业机构")
    uow.audit(actor, "subject.add", "subject", subject.uuid, after={**fields, "institutions": data.get("institutions") or []})
    return Result(info(subject), Changes(subjects=frozenset({subject.uuid}), lists=True))


def _add_registrations(uow: UnitOfWork, actor: Actor, subject: Subject, data: dict) -> None:
    codes = data.get("institutions") or []
    if isinstance(codes, str):
        codes = [codes]
    if not codes:
        raise ValidationError("执业机构", "医保医（药）师至少登记一个执业的定点医药机构（统一社会信用代码）")
    on = past_date(data.get("registered_on") or date.today(), "登记备案日期")
    commitment = clean(data.get("commitment"), "服务承诺")
    for code in codes:
        institution = find_subject(uow, credit_code(code, "执业机构"), type="institution", field="执业机构")
        register_at(uow, actor, subject, institution, on)
        if commitment:
            uow.session.add(ServiceCommitment(
                practitioner_id=subject.id, institution_id=institution.id,
                kind=one_of(commitment, COMMITMENT_KINDS, "服务承诺"),
                signed_on=past_date(data.get("commitment_date") or on, "承诺日期"),
            ))


@service
def add_registration(uow: UnitOfWork, *, actor: Actor, practitioner: str, institution: str, registered_on: date) -> Result:
    require(actor, "subject.write")
    person = find_subject(uow, practitioner, type="practitioner", field="医保医（药）师")
    inst = find_subject(uow, institution, type="institution", field="执业机构")
    reg = register_at(uow, actor, person, inst, past_date(registered_on, "登记备案日期"))
    uow.session.flush()
    uow.audit(actor, "registration.add", "registration", reg.uuid,
              after={"practitioner": person.uuid, "institution": inst.uuid, "registered_on": reg.registered_on})
    return Result(reg.uuid, Changes(subjects=frozenset({person.uuid, inst.uuid})))


def ensure_local(subject: Subject, county: str | None) -> None:
    """Records owned by another county arrive by exchange and are read-only here."""
    if subject.origin_county and county and subject.origin_county != county:
        raise ServiceError(f"“{subject.name}”的档案由 {subject.origin_county} 维护，本局只读")
