"""Indicator trees (评价指标体系): a county's tree of first-, second- and third-level indicators, how each
leaf scores, and which subjects and days a version applies to (磐医保〔2021〕43号第十三条: 评价指标另行制定).

Loading and checking the trees is here, below ``packs`` (a profile holds its trees) and ``score`` (which
scores a subject against one), so that neither has to reach up to the other.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

from models.policy.boundaries import to_decimal
from models.policy.errors import PolicyError

# The staff metrics an institution's leaf may count (淮医保发〔2020〕104号 三（四））.
STAFF_METRICS = ("with_points_share", "suspended", "terminated", "without_commitment_share")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: Decimal
    children: tuple["Indicator", ...] = ()
    start: str | None = None  # leaves only: "full" = 扣分项, "zero" = 加分项
    effects: Mapping[str, Decimal] | None = None
    objectionable: bool = True  # whether an objection may target this line (可申请异议)
    staff: Mapping[str, Decimal] | None = None  # institutions: effects of the staff's standing (淮 三（四）)
    loss: tuple[Decimal, Decimal] | None = None  # (per 元, effect): fund loss of the counted records
    sources: Mapping[str, Decimal] | None = None  # effect per counted bad record from this source (e.g. 稽核)

    def leaves(self) -> Iterable["Indicator"]:
        if not self.children:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    sample: bool
    note: str
    subject_types: tuple[str, ...]
    scale: Decimal
    window_months: int
    indicators: tuple[Indicator, ...]
    version: str = "1"
    effective_from: date | None = None  # None: since always (the shipped samples)
    effective_to: date | None = None
    institution_kinds: tuple[str, ...] = ()  # institution trees: hospital / clinic / pharmacy
    title: str = ""

    def applies_to(self, subject_type: str, institution_kind: str | None) -> bool:
        if subject_type not in self.subject_types:
            return False
        return subject_type != "institution" or institution_kind in self.institution_kinds

    def covers(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to)

    def cite(self) -> str:
        """How an evaluation names the tree it used: title, id and version, period."""
        start = self.effective_from.isoformat() if self.effective_from else "不限"
        return (f"指标体系“{self.title or self.id}”（{self.id}，第{self.version}版，施行日期{start}"
                f"{'，示例' if self.sample else ''}）")

    def leaves(self) -> list[Indicator]:
        return [leaf for top in self.indicators for leaf in top.leaves()]

    def effect_of(self, kind: str) -> Decimal | None:
        effects = [leaf.effects[kind] for leaf in self.leaves() if leaf.effects and kind in leaf.effects]
        return sum(effects, Decimal(0)) if effects else None


def _indicator(raw: Mapping[str, Any], level: int, where: str) -> Indicator:
    children = tuple(_indicator(c, level + 1, where) for c in raw.get("children", ()))
    weight = to_decimal(raw["weight"])
    if children:
        total = sum((c.weight for c in children), Decimal(0))
        if total != weight:
            raise PolicyError(f"{where}：指标 {raw['code']} 的下级分值合计 {total}，应为 {weight}")
        return Indicator(raw["code"], raw["name"], weight, children)
    if level != 3:
        raise PolicyError(f"{where}：指标 {raw['code']} 是{level}级指标，末级指标应为三级指标")
    if raw.get("start") not in ("full", "zero"):
        raise PolicyError(f"{where}：三级指标 {raw['code']} 的 start 只能是 full（扣分项）或 zero（加分项）")
    effects = {k: to_decimal(v) for k, v in raw.get("effects", {}).items()}
    staff = {k: to_decimal(v) for k, v in raw.get("staff", {}).items()}
    unknown = set(staff) - set(STAFF_METRICS)
    if unknown:
        raise PolicyError(f"{where}：三级指标 {raw['code']} 的人员指标 {'、'.join(sorted(unknown))} 无法识别，"
                          f"可用：{'、'.join(STAFF_METRICS)}")
    loss = raw.get("loss")
    if loss is not None:
        try:
            loss = (to_decimal(loss["per"]), to_decimal(loss["effect"]))
        except (KeyError, TypeError):
            raise PolicyError(f"{where}：三级指标 {raw['code']} 的 loss 应写明 per（元）与 effect（分）") from None
        if loss[0] <= 0:
            raise PolicyError(f"{where}：三级指标 {raw['code']} 的 loss.per 应大于0")
    sources = {k: to_decimal(v) for k, v in raw.get("sources", {}).items()}
    return Indicator(raw["code"], raw["name"], weight, (), raw["start"], effects, bool(raw.get("objectionable", True)),
                     staff or None, loss, sources or None)


def indicators_from_dict(raw: Mapping[str, Any], where: str = "指标体系") -> IndicatorSet:
    tops = tuple(_indicator(i, 1, where) for i in raw["indicators"])
    scale = to_decimal(raw.get("scale", 1000))
    total = sum((t.weight for t in tops), Decimal(0))
    if total != scale:
        raise PolicyError(f"{where}：一级指标分值合计 {total}，应为 {scale}")
    types = tuple(raw.get("subject_types", ("practitioner",)))
    kinds = tuple(raw.get("institution_kinds", ()))
    if "institution" in types and not kinds:
        raise PolicyError(f"{where}：机构指标体系须写明适用的机构类别 institution_kinds（hospital/clinic/pharmacy）")
    start, end = _day(raw.get("effective_from"), where), _day(raw.get("effective_to"), where)
    if start and end and end < start:
        raise PolicyError(f"{where}：有效期截止日早于施行日")
    return IndicatorSet(raw["id"], bool(raw.get("sample", False)), raw.get("note", ""), types, scale,
                        int(raw.get("window_months", 12)), tops, str(raw.get("version", "1")), start, end, kinds,
                        raw.get("title", ""))


def _day(raw, where: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise PolicyError(f"{where}：日期“{raw}”格式应为 YYYY-MM-DD") from None


def load_indicators(path: str | Path) -> IndicatorSet:
    path = Path(path)
    return indicators_from_dict(json.loads(path.read_text(encoding="utf-8")), f"指标体系文件 {path.name}")
