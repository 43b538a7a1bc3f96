"""The bureau's risk rules for institutions and each institution's risk level (分类分级监管).

The rules in force are the newest the bureau set (signer or admin, with a reason, audited); until it sets its
own, the shipped sample applies and says so. Levels are computed set-based from the institutions' bad records
of the window: one query for any number of institutions.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from models.db.tables import CreditRecord, Subject
from models.db.tables_institutions import RiskRules as RiskRulesRow
from models.db.tables_warnings import CreditWarning
from models.policy.catalogue import kind_index
from models.policy.dates import add_months
from models.policy.errors import PolicyError
from models.policy.risk import Risk, RiskRules, risk_of, risk_rules_from_dict, sample_risk_rules
from models.services.base import Actor, Changes, Result, UnitOfWork, query, require, service
from models.validation import ValidationError, required


def rules_in_force(uow: UnitOfWork) -> RiskRules:
    row = uow.session.scalar(select(RiskRulesRow).order_by(RiskRulesRow.id.desc()).limit(1))
    return risk_rules_from_dict(json.loads(row.content) if row else sample_risk_rules())


@query
def export_rules(uow: UnitOfWork) -> dict:
    row = uow.session.scalar(select(RiskRulesRow).order_by(RiskRulesRow.id.desc()).limit(1))
    return json.loads(row.content) if row else sample_risk_rules()


@service
def set_rules(uow: UnitOfWork, *, actor: Actor, text: str, reason: str) -> Result:
    require(actor, "risk.manage")
    try:
        raw = json.loads(text)
        parsed = risk_rules_from_dict(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError("风险等级规则文件", f"不是有效的 JSON（第{exc.lineno}行：{exc.msg}）") from None
    except PolicyError as exc:
        raise ValidationError("风险等级规则文件", str(exc)) from None
    row = RiskRulesRow(content=json.dumps(raw, ensure_ascii=False), reason=required(reason, "变更原因"),
                       set_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "risk.set", "risk_rules", row.uuid, reason=row.reason,
              after={"id": parsed.id, "levels": [lv.level for lv in parsed.levels], "sample": parsed.sample})
    return Result(parsed, Changes(county=True))


def risks(uow: UnitOfWork, profile, institution_ids: list[int], day: date) -> dict[int, Risk]:
    """Each institution's risk level on the day, from its bad records of the window and its credit warnings open on
    the day (two queries per 5,000)."""
    rules = rules_in_force(uow)
    bad = [k.code for k in kind_index(profile).values() if not k.good and k.subject_type == "institution"]
    first = add_months(day, -rules.window_months)
    superseded = select(CreditRecord.supersedes_id).where(CreditRecord.supersedes_id.is_not(None))
    facts: dict[int, tuple[int, Decimal]] = {}
    for start in range(0, len(institution_ids), 5000):
        part = institution_ids[start:start + 5000]
        for sid, n, loss in uow.session.execute(
                select(CreditRecord.subject_id, func.count(), func.sum(CreditRecord.amount))
                .where(CreditRecord.subject_id.in_(part), CreditRecord.kind.in_(bad),
                       CreditRecord.decision_date > first, CreditRecord.decision_date <= day,
                       CreditRecord.id.not_in(superseded)).group_by(CreditRecord.subject_id)):
            facts[sid] = (n, Decimal(loss or 0))
    warned: dict[int, int] = {}
    for start in range(0, len(institution_ids), 5000):
        part = institution_ids[start:start + 5000]
        warned.update(uow.session.execute(
            select(CreditWarning.subject_id, func.count()).where(
                CreditWarning.subject_id.in_(part), CreditWarning.raised_on <= day,
                or_(CreditWarning.cleared_on.is_(None), CreditWarning.cleared_on > day))
            .group_by(CreditWarning.subject_id)).all())
    return {i: risk_of(rules, *facts.get(i, (0, Decimal(0))), warned.get(i, 0)) for i in institution_ids}


def institution_ids(uow: UnitOfWork, ids) -> list[int]:
    return list(uow.session.scalars(select(Subject.id).where(Subject.id.in_(ids), Subject.type == "institution")))
