"""The indicator trees the bureau sets for itself; the shipped samples apply until it loads its own.

One tree per kind of subject (医保医（药）师, 定点医疗机构, 定点零售药店), each in versions with their own dates:
a version loaded today applies from its ``effective_from`` (today when the file names none), so an evaluation
as of an earlier day keeps the version in force then and a new version never rewrites past results.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from models import policy
from models.db.tables import IndicatorSetRow
from models.policy.packs import POLICY_DIR
from models.policy.indicator_trees import IndicatorSet, indicators_from_dict
from models.policy.score import tree_for
from models.services.base import Actor, Changes, Result, UnitOfWork, query, require, service
from models.validation import ValidationError, required

# Which subjects a tree kind covers: (subject type, institution kind).
TREE_KINDS = {"practitioner": ("practitioner", None), "medical": ("institution", "hospital"),
              "pharmacy": ("institution", "pharmacy")}
TREE_NAMES = {"practitioner": "医保医（药）师", "medical": "定点医疗机构", "pharmacy": "定点零售药店"}


def _rows(uow: UnitOfWork) -> list[IndicatorSetRow]:
    return list(uow.session.scalars(select(IndicatorSetRow).order_by(IndicatorSetRow.id)))


def with_bureau_indicators(uow: UnitOfWork, profile: policy.Profile) -> policy.Profile:
    """The profile with every tree version the bureau loaded after the shipped ones (later loaded wins a tie)."""
    rows = _rows(uow)
    if not rows or profile.indicators is None:
        return profile
    trees = (*(profile.trees or (profile.indicators,)), *(indicators_from_dict(json.loads(r.content)) for r in rows))
    prof = replace(profile, trees=trees)
    return replace(prof, indicators=tree_for(prof, "practitioner", None, date.today()) or profile.indicators)


def kind_of(parsed: IndicatorSet) -> str:
    if "institution" not in parsed.subject_types:
        return "practitioner"
    return "pharmacy" if "pharmacy" in parsed.institution_kinds else "medical"


def parse(text: str) -> tuple[dict, IndicatorSet]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError("指标体系文件", f"不是有效的 JSON（第{exc.lineno}行：{exc.msg}）") from None
    try:
        return raw, indicators_from_dict(raw)
    except (policy.PolicyError, KeyError, TypeError) as exc:
        raise ValidationError("指标体系文件", str(exc)) from None


def _check_kind(kind: str) -> None:
    if kind not in TREE_KINDS:
        raise ValidationError("指标体系类别", f"“{kind}”无法识别，应为 {'、'.join(TREE_KINDS)}")


@query
def export(uow: UnitOfWork, *, profile: policy.Profile, kind: str = "practitioner", on: date | None = None) -> dict:
    """The tree of this kind in force on the day (default today), as the JSON the admin edits and loads back."""
    _check_kind(kind)
    prof = with_bureau_indicators(uow, profile)
    tree = tree_for(prof, *TREE_KINDS[kind], on or date.today())
    for row in reversed(_rows(uow)):
        parsed = indicators_from_dict(json.loads(row.content))
        if tree is not None and (parsed.id, parsed.version, parsed.effective_from) == (
                tree.id, tree.version, tree.effective_from):
            return json.loads(row.content)
    name = tree.id if tree is not None else "sample"
    return json.loads((POLICY_DIR / "indicators" / f"{name}.json").read_text(encoding="utf-8"))


@query
def versions(uow: UnitOfWork, *, profile: policy.Profile) -> list[dict]:
    """Every tree version of the profile and of the bureau, with its kind and dates."""
    prof = with_bureau_indicators(uow, profile)
    out = []
    for t in prof.trees or ((prof.indicators,) if prof.indicators else ()):
        out.append({"kind": kind_of(t), "kind_name": TREE_NAMES[kind_of(t)], "id": t.id, "title": t.title,
                    "version": t.version, "sample": t.sample,
                    "effective_from": t.effective_from and t.effective_from.isoformat(),
                    "effective_to": t.effective_to and t.effective_to.isoformat()})
    return out


@service
def load(uow: UnitOfWork, *, actor: Actor, text: str, reason: str, today: date | None = None) -> Result:
    """A new version of one tree (admin). Without ``effective_from`` it applies from today: the results of
    earlier days were computed with the version then in force and stay so."""
    require(actor, "county.manage")
    raw, parsed = parse(text)
    today = today or date.today()
    if parsed.effective_from is None:
        raw["effective_from"] = today.isoformat()
        parsed = indicators_from_dict(raw)
    elif parsed.effective_from < today:
        raise ValidationError("施行日期", f"{parsed.effective_from} 早于今天：新版本不得改写已作出的评价结果，"
                                          "施行日期应为今天或以后")
    same = [indicators_from_dict(json.loads(r.content)) for r in _rows(uow)]
    if any((p.id, p.version) == (parsed.id, parsed.version) for p in same):
        raise ValidationError("版本", f"指标体系 {parsed.id} 第{parsed.version}版已载入，请改用新的版本号")
    row = IndicatorSetRow(content=json.dumps(raw, ensure_ascii=False), sample=parsed.sample,
                          reason=required(reason, "变更原因"), loaded_by=actor.username)
    uow.session.add(row)
    uow.session.flush()
    uow.audit(actor, "indicators.load", "indicator_set", row.uuid, reason=row.reason,
              after={"id": parsed.id, "version": parsed.version, "kind": kind_of(parsed),
                     "effective_from": parsed.effective_from, "sample": parsed.sample,
                     "leaves": len(parsed.leaves())})
    return Result(parsed, Changes(county=True))
