"""信用预警: warnings raised by the county's rules from the standing and the credit records.

淮医保发〔2020〕104号 三（五） asks for “失信行为的记录、公示和预警”; no document fixes when a warning is due or
at which level, so the rules are the bureau's (shipped as the sample ``resources/warnings/rules.json``, stored per
county when changed, each citing its basis). ``refresh`` runs the checks (``warning_checks``) set-based for the
given subjects, or the whole county, after their standing was brought up to date: a warning is stored with its
source and date when its cause is new, closed (``cleared_on``) when its cause no longer holds, and never raised
again for the same cause. A reviewer acknowledges a warning with a note (audited); a 信用提醒 notice can be drafted
from it (models/services/notices.py).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from importlib import resources

from sqlalchemy import func, select

from models.db.base import utcnow
from models.db.tables import Subject
from models.db.tables_warnings import WARNING_LEVELS, CreditWarning, WarningRuleSet
from models.services.base import (Actor, Changes, NotFound, Result, SYSTEM, UnitOfWork, day_text, query, require,
                                  service)
from models.services.county import current_county
from models.services.evaluation import among
from models.services.subjects import TYPE_NAMES, find_subject
from models.services.users import display_names
from models.services.warning_checks import CHECKS, REQUIRED_PARAMS, WarningRule, affected
from models.validation import ValidationError, clean, max_length, required

LEVELS = WARNING_LEVELS  # 提示 < 关注 < 警示
SUBJECT_TYPES = {"practitioner": "医保医（药）师", "institution": "定点医药机构", "any": "医保医（药）师和定点医药机构"}


# -- the rules -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleSet:
    rules: tuple[WarningRule, ...]
    sample: bool  # the shipped sample, not yet replaced by the bureau
    note: str
    changed_by: str | None = None
    changed_at: object = None
    reason: str = ""


def _shipped() -> dict:
    return json.loads(resources.files("resources").joinpath("warnings/rules.json").read_text(encoding="utf-8"))


def parse_rules(content: dict) -> tuple[WarningRule, ...]:
    """Checks a rule set as the admin loads it; every problem names the rule and the field."""
    rules = content.get("rules") if isinstance(content, dict) else None
    if not isinstance(rules, list) or not rules:
        raise ValidationError("预警规则", "应为包含 rules 列表的 JSON 对象")
    out, seen = [], set()
    for n, raw in enumerate(rules, 1):
        where = f"预警规则第{n}条"
        if not isinstance(raw, dict):
            raise ValidationError(where, "应为 JSON 对象")
        code = raw.get("code")
        if code not in CHECKS:
            raise ValidationError(f"{where} code", f"“{code}”不是可用的预警规则（可用：{'、'.join(CHECKS)}）")
        if code in seen:
            raise ValidationError(f"{where} code", f"“{code}”重复")
        seen.add(code)
        if raw.get("level") not in LEVELS:
            raise ValidationError(f"{where} level", f"预警级别只能是{'、'.join(LEVELS)}")
        params = raw.get("params") or {}
        for key in REQUIRED_PARAMS[code]:
            value = params.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValidationError(f"{where} params.{key}", "应为不小于1的整数")
        basis = clean(raw.get("basis"))
        if not basis:
            raise ValidationError(f"{where} basis", "每条预警规则须写明依据")
        subject_type = raw.get("subject_type", "any")
        if subject_type not in SUBJECT_TYPES:
            raise ValidationError(f"{where} subject_type", f"只能是{'、'.join(SUBJECT_TYPES)}")
        out.append(WarningRule(code, clean(raw.get("name")) or code, subject_type, raw["level"],
                               raw.get("enabled", True) is not False, dict(params), basis, clean(raw.get("explain")) or ""))
    return tuple(out)


def rules_in_force(uow: UnitOfWork) -> RuleSet:
    county = current_county(uow)
    row = uow.session.scalar(select(WarningRuleSet).where(WarningRuleSet.county_code == county.code)
                             .order_by(WarningRuleSet.id.desc()).limit(1))
    if row is None:
        shipped = _shipped()
        return RuleSet(parse_rules(shipped), True, shipped.get("note", ""))
    content = json.loads(row.content)
    return RuleSet(parse_rules(content), False, content.get("note", ""), row.changed_by, row.changed_at, row.reason)


@query
def rules(uow: UnitOfWork) -> RuleSet:
    """The rules in force for this county (the shipped sample until the bureau sets its own)."""
    return rules_in_force(uow)


@query
def export_rules(uow: UnitOfWork) -> dict:
    rs = rules_in_force(uow)
    return {"sample": rs.sample, "note": rs.note, "rules": [asdict(r) for r in rs.rules]}


@service
def set_rules(uow: UnitOfWork, *, actor: Actor, text: str, reason: str) -> Result:
    """The bureau's own warning rules (admin); the earlier ones stay as the record of what applied when."""
    require(actor, "warning.rules")
    reason = max_length(required(reason, "原因"), 500, "原因")
    try:
        content = json.loads(text)
    except ValueError:
        raise ValidationError("预警规则", "不是有效的 JSON") from None
    parsed = parse_rules(content)
    content = {"sample": False, "note": clean(content.get("note")) or "", "rules": [asdict(r) for r in parsed]}
    county = current_county(uow)
    uow.session.add(WarningRuleSet(county_code=county.code, content=json.dumps(content, ensure_ascii=False),
                                   reason=reason, changed_by=actor.username))
    uow.audit(actor, "warning.rules", "county", None, after=content, reason=reason)
    return Result(len(parsed), Changes(lists=True))


# -- raising and closing ---------------------------------------------------------------------------------

def refresh(uow: UnitOfWork, subject_ids, day: date | None = None) -> dict[str, int]:
    """Bring the warnings of these subjects (and of the institutions where a practitioner among them is
    registered) up to date as of ``day``, in this transaction; ``subject_ids=None``: the whole county.

    Call it after the standing of these subjects was refreshed, in the same unit of work."""
    day = day or date.today()
    ids = None if subject_ids is None else affected(uow, subject_ids)
    if ids == []:
        return {"raised": 0, "cleared": 0}
    hits = {}
    active = [r for r in rules_in_force(uow).rules if r.enabled]
    for rule in active:
        for hit in CHECKS[rule.code](uow, rule, day, ids):
            hits[(hit.subject_id, rule.code, hit.cause)] = (rule, hit)
    known = select(CreditWarning.subject_id, CreditWarning.rule, CreditWarning.cause, CreditWarning.id,
                   CreditWarning.cleared_on)
    if ids is not None:
        known = known.where(among(CreditWarning.subject_id, ids))
    existing = {(s, r, c): (i, cleared) for s, r, c, i, cleared in uow.session.execute(known)}
    raised = [CreditWarning(subject_id=s, rule=code, level=rule.level, cause=cause, text=hit.text, basis=hit.basis,
                            source=hit.source, source_ref=hit.source_ref, raised_on=day)
              for (s, code, cause), (rule, hit) in hits.items() if (s, code, cause) not in existing]
    uow.session.add_all(raised)
    ended = [i for key, (i, cleared) in existing.items() if cleared is None and key not in hits]
    if ended:
        uow.session.execute(CreditWarning.__table__.update().where(CreditWarning.id.in_(ended)).values(cleared_on=day))
    uow.session.flush()
    return {"raised": len(raised), "cleared": len(ended)}


def refresh_county(db, *, day: date | None = None) -> dict[str, int]:
    """Every subject of the county, in one transaction of its own (``tick``)."""
    with UnitOfWork(db) as uow:
        counts = refresh(uow, None, day)
        uow.audit(SYSTEM, "warning.refresh", "county", None, after={"day": day or date.today(), **counts})
        uow.commit()
    return counts


# -- reading and acknowledging -----------------------------------------------------------------------------

@dataclass(frozen=True)
class WarningInfo:
    uuid: str
    subject_uuid: str
    subject: str
    subject_type: str
    rule: str
    rule_name: str
    level: str
    text: str
    basis: str
    source: str
    raised_on: date
    cleared_on: date | None
    acknowledged_by: str | None
    acknowledged_at: object
    note: str | None

    @property
    def state(self) -> str:
        if self.cleared_on:
            return "已解除"
        return "已确认" if self.acknowledged_by else "待确认"


def _info(w: CreditWarning, s: Subject, names: dict[str, str]) -> WarningInfo:
    return WarningInfo(w.uuid, s.uuid, s.name, s.type, w.rule, names.get(w.rule, w.rule), w.level, w.text, w.basis,
                       w.source, w.raised_on, w.cleared_on, w.acknowledged_by, w.acknowledged_at, w.note)


@query
def list_warnings(uow: UnitOfWork, *, subject: str | None = None, open_only: bool = True,
                  level: str | None = None) -> list[WarningInfo]:
    """Warnings, highest level and newest first; ``subject`` (UUID, ID number or credit code) for one file."""
    names = {r.code: r.name for r in rules_in_force(uow).rules}
    stmt = select(CreditWarning, Subject).join(Subject, Subject.id == CreditWarning.subject_id)
    if subject is not None:
        stmt = stmt.where(CreditWarning.subject_id == find_subject(uow, subject).id)
    if open_only:
        stmt = stmt.where(CreditWarning.cleared_on.is_(None))
    if level is not None:
        stmt = stmt.where(CreditWarning.level == level)
    rows = uow.session.execute(stmt.order_by(CreditWarning.raised_on.desc(), CreditWarning.id.desc())).all()
    out = [_info(w, s, names) for w, s in rows]
    return sorted(out, key=lambda i: -LEVELS.index(i.level))  # stable: newest first within a level


@query
def counts(uow: UnitOfWork) -> dict[str, dict[str, int]]:
    """Open warnings by subject type and level: {subject type name: {level: n}}."""
    rows = uow.session.execute(select(Subject.type, CreditWarning.level, func.count())
                               .join(Subject, Subject.id == CreditWarning.subject_id)
                               .where(CreditWarning.cleared_on.is_(None)).group_by(Subject.type, CreditWarning.level))
    out: dict[str, dict[str, int]] = {}
    for type_, level, n in rows:
        out.setdefault(TYPE_NAMES[type_], dict.fromkeys(LEVELS, 0))[level] = n
    return out


def by_uuid(uow: UnitOfWork, uuid: str) -> CreditWarning:
    w = uow.session.scalar(select(CreditWarning).where(CreditWarning.uuid == clean(uuid)))
    if w is None:
        raise NotFound(f"找不到预警“{uuid}”")
    return w


@service
def acknowledge(uow: UnitOfWork, *, actor: Actor, warning: str, note: str) -> Result:
    """确认: a reviewer or signer read the warning and notes what follows (e.g. 已约谈提醒); audited."""
    require(actor, "warning.ack")
    note = max_length(required(note, "处理意见"), 500, "处理意见")
    w = by_uuid(uow, warning)
    if w.acknowledged_by:
        who = display_names(uow, {w.acknowledged_by}).get(w.acknowledged_by, w.acknowledged_by)
        raise ValidationError("预警", f"已由{who}于{day_text(w.acknowledged_at.astimezone().date())}确认，不能重复确认")
    w.acknowledged_by, w.acknowledged_at, w.note = actor.username, utcnow(), note
    uow.audit(actor, "warning.ack", "warning", w.uuid, after={"rule": w.rule, "level": w.level, "note": note},
              reason=note)
    return Result(_info(w, w.subject, {r.code: r.name for r in rules_in_force(uow).rules}),
                  Changes(subjects=frozenset({w.subject.uuid})))
