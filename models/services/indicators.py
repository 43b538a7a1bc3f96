"""The indicator tree the bureau sets for itself; the shipped sample applies until one is loaded."""
from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select

from models import policy
from models.db.tables import IndicatorSetRow
from models.policy.score import IndicatorSet, indicators_from_dict
from models.services.base import Actor, Changes, Result, UnitOfWork, query, require, service
from models.validation import ValidationError, required


def _newest(uow: UnitOfWork) -> IndicatorSetRow | None:
    return uow.session.scalar(select(IndicatorSetRow).order_by(IndicatorSetRow.id.desc()).limit(1))


def with_bureau_indicators(uow: UnitOfWork, profile: policy.Profile) -> policy.Profile:
    row = _newest(uow)
    if row is None or profile.indicators is None:
        return profile
    return replace(profile, indicators=indicators_from_dict(json.loads(row.content)))


def parse(text: str) -> tuple[dict, IndicatorSet]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError("指标体系文件", f"不是有效的 JSON（第{exc.lineno}行：{exc.msg}）") from None
    try:
        return raw, indicators_from_dict(raw)
    except (policy.PolicyError, KeyError, TypeError) as exc:
        raise ValidationError("指标体系文件", str(exc)) from None


@query
def export(uow: UnitOfWork, *, profile: policy.Profile) -> dict:
    """The tree in force, as the JSON the admin edits and loads back."""
    row = _newest(uow)
    if row is not None:
        return json.loads(row.content)
    from models.policy.packs import POLICY_DIR

    name = profile.indicators.id if profile.indicators is not None else "sample"
    return json.loads((POLICY_DIR / "indicators" / f"{name}.json").read_text(encoding="utf-8"))


@service
def load(uow: UnitOfWork, *, actor: Actor, text: str, reason: str) -> Result:
    require(actor, "county.manage")
    raw, parsed = parse(text)
    row = IndicatorSetRow(content=json.dumps(raw, ensure_ascii=False), sample=parsed.sample,
                          reason=required(reason, "变更原因"), loaded_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "indicators.load", "indicator_set", row.uuid, reason=row.reason,
              after={"id": parsed.id, "sample": parsed.sample, "leaves": len(parsed.leaves())})
    return Result(parsed, Changes(county=True))
