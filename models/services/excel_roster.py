"""A roster of practitioners (执业人员名册) checked as a set and written in bulk.

Each row is checked as the subject form checks it, without touching the database; persons,
institutions and registrations already held are looked up once for all rows. A new person is
registered (登记备案) at every institution the file names; a known person is registered at a new
institution (多点执业, 济医保发〔2025〕6号 四(三)), and a registration already held is left unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from models.db.base import new_uuid, utcnow
from models.db.tables import Registration, RegistrationStatus, ServiceCommitment, Subject
from models.services.base import Actor, UnitOfWork
from models.services.excel_violations import STEP, Cancelled, chunks
from models.services.subjects import COMMITMENT_KINDS, PROFESSIONS, initials_of, ever_banned, refuse_if_banned, refuse_malformed
from models.validation import ValidationError, clean, credit_code, id_number, max_length, one_of, past_date, required

INSTITUTION = "执业机构统一社会信用代码"


@dataclass
class Checked:
    people: dict = field(default_factory=dict)  # id number → new subject row
    registrations: list = field(default_factory=list)  # (id number or subject id, institution id, date, commitment)
    outcomes: dict = field(default_factory=dict)  # new / registered / unchanged → rows
    errors: list = field(default_factory=list)
    valid: int = 0


def _fields(v: dict, date_of) -> dict:
    on = past_date(date_of(v.get("registered_on") or "") or date.today(), "登记备案日期")
    commitment = clean(v.get("commitment"), "服务承诺")
    return {
        "name": max_length(required(v.get("name"), "姓名"), 100, "姓名"),
        "id_number": id_number(v.get("id_number")),
        "profession": one_of(v.get("profession") or "医师", PROFESSIONS, "人员类别"),
        "practice_reg_no": max_length(clean(v.get("practice_reg_no"), "执业注册号"), 40, "执业注册号") or None,
        "phone": max_length(clean(v.get("phone"), "联系电话"), 30, "联系电话") or None,
        "institution": credit_code(v.get("institution"), INSTITUTION),
        "registered_on": on,
        "commitment": one_of(commitment, COMMITMENT_KINDS, "服务承诺") if commitment else None,
        "commitment_date": past_date(date_of(v.get("commitment_date") or "") or on, "承诺日期") if commitment else None,
    }


def _lookup(uow: UnitOfWork, numbers: set[str], codes: set[str]) -> tuple[dict, dict, set]:
    s, r = Subject.__table__.c, Registration.__table__.c
    people, institutions, held = {}, {}, set()
    for part in chunks(numbers):
        for row in uow.session.execute(select(s.id, s.name, s.id_number, s.origin_county).where(
                s.type == "practitioner", s.id_number.in_(part))):
            people[row.id_number] = row
    for part in chunks(codes):
        for row in uow.session.execute(select(s.id, s.type, s.name, s.credit_code).where(s.credit_code.in_(part))):
            institutions[row.credit_code] = row
    for part in chunks({p.id for p in people.values()}):
        held |= {tuple(x) for x in uow.session.execute(select(r.practitioner_id, r.institution_id)
                                                       .where(r.practitioner_id.in_(part)))}
    return people, institutions, held


def _institution(institutions: dict, code: str):
    inst = institutions.get(code)
    if inst is None:
        refuse_malformed(code, INSTITUTION)
        raise ValidationError(INSTITUTION, f"找不到统一社会信用代码为“{code}”的定点医药机构，请先登记该机构")
    if inst.type != "institution":
        raise ValidationError(INSTITUTION, f"“{inst.name}”不是定点医药机构")
    return inst


def check(uow: UnitOfWork, own: str, rows: list[tuple[int, dict]], errors: list[dict], date_of, progress=None) -> Checked:
    out, parsed = Checked(errors=errors), []
    for n, (row, v) in enumerate(rows, 1):
        try:
            parsed.append((row, _fields(v, date_of)))
        except ValidationError as exc:
            out.errors.append({"row": row, "field": exc.field, "problem": exc.problem})
        if progress and n % STEP == 0 and progress(n, len(rows), "核对Excel") is False:
            raise Cancelled("已取消Excel导入，未写入任何数据")
    people, institutions, held = _lookup(uow, {f["id_number"] for _r, f in parsed}, {f["institution"] for _r, f in parsed})
    banned = ever_banned(uow, (p.id for p in people.values()))  # their rows are checked against the ban's days
    now = utcnow()
    for row, f in parsed:
        existing, pending = people.get(f["id_number"]), out.people.get(f["id_number"])
        name = existing.name if existing is not None else pending["name"] if pending is not None else None
        try:
            inst = _institution(institutions, f["institution"])
            if name is not None and f["name"] != name:
                raise ValidationError("姓名", f"“{f['name']}”与该身份证号登记的“{name}”不一致：请核对是否把一个人的号码配上了另一个人的姓名")
            if existing is not None and existing.origin_county and existing.origin_county != own:
                raise ValidationError("身份证号", f"“{existing.name}”的档案由 {existing.origin_county} 维护，本局只读")
            if existing is not None and existing.id in banned:
                refuse_if_banned(uow, existing, f["registered_on"])
        except ValidationError as exc:
            out.errors.append({"row": row, "field": exc.field, "problem": exc.problem})
            continue
        person = existing.id if existing is not None else f["id_number"]
        if (person, inst.id) in held:
            outcome = "unchanged"
        else:
            outcome = "new" if existing is None and pending is None else "registered"
            if outcome == "new":
                out.people[f["id_number"]] = {
                    "uuid": new_uuid(), "type": "practitioner", "name": f["name"], "initials": initials_of(f["name"]),
                    "id_number": f["id_number"], "profession": f["profession"], "practice_reg_no": f["practice_reg_no"],
                    "phone": f["phone"], "created_at": now, "updated_at": now, "sync_pending": True}
            held.add((person, inst.id))
            out.registrations.append((person, inst.id, f["registered_on"], f["commitment"], f["commitment_date"]))
        out.valid += 1
        out.outcomes[outcome] = out.outcomes.get(outcome, 0) + 1
    return out


def write(uow: UnitOfWork, actor: Actor, checked: Checked) -> tuple[list[str], set[int]]:
    """New persons, registrations with their first status row and service commitments, in bulk; (uuids, subject ids)."""
    ids = {}
    if checked.people:
        t = Subject.__table__
        ids = {number: sid for sid, number in uow.session.execute(
            insert(t).returning(t.c.id, t.c.id_number), list(checked.people.values())).all()}
    now, who = utcnow(), actor.username
    stamps = {"created_at": now, "updated_at": now, "sync_pending": True}
    regs = [{"uuid": new_uuid(), "practitioner_id": ids.get(p, p), "institution_id": inst, "registered_on": on,
             "status": "正常", **stamps} for p, inst, on, _c, _d in checked.registrations]
    made = []
    if regs:
        t = Registration.__table__
        made = uow.session.execute(insert(t).returning(t.c.id, t.c.uuid), regs).all()
        by_uuid = {u: rid for rid, u in made}
        uow.session.execute(insert(RegistrationStatus.__table__), [
            {"uuid": new_uuid(), "registration_id": by_uuid[r["uuid"]], "status": "正常", "effective_on": r["registered_on"],
             "reason": "登记备案", "actor": who, **stamps} for r in regs])
    commitments = [{"uuid": new_uuid(), "practitioner_id": ids.get(p, p), "institution_id": inst, "kind": kind,
                    "signed_on": signed, **stamps} for p, inst, _on, kind, signed in checked.registrations if kind]
    if commitments:
        uow.session.execute(insert(ServiceCommitment.__table__), commitments)
    affected = {r["practitioner_id"] for r in regs} | {r["institution_id"] for r in regs}
    return [p["uuid"] for p in checked.people.values()] + [r["uuid"] for r in regs], affected
