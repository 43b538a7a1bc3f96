"""An institution's risk level for graded supervision (分类分级监管): the bureau's rules, a pure function.

The 2019 Shandong opinion 二（一） asks that inspections follow “定点医药机构的风险等级和信用水平”; how risk is
graded is the bureau's to set, so the shipped rules are a sample and say so. A level applies when the
institution's bad records of the window reach its count, their fund loss its amount, or its open credit warnings
(信用预警) their count (first level that fits).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from models.policy.boundaries import to_decimal
from models.policy.errors import PolicyError
from models.policy.packs import POLICY_DIR


@dataclass(frozen=True)
class RiskLevel:
    level: str
    factor: Decimal
    records_at_least: int | None = None
    loss_at_least: Decimal | None = None
    warnings_at_least: int | None = None

    def fits(self, records: int, loss: Decimal, warnings: int = 0) -> bool:
        return ((self.records_at_least is not None and records >= self.records_at_least)
                or (self.loss_at_least is not None and loss >= self.loss_at_least)
                or (self.warnings_at_least is not None and warnings >= self.warnings_at_least))


@dataclass(frozen=True)
class RiskRules:
    id: str
    sample: bool
    note: str
    basis: str
    window_months: int
    levels: tuple[RiskLevel, ...]
    otherwise: RiskLevel


@dataclass(frozen=True)
class Risk:
    level: str
    factor: Decimal
    text: str


def _level(raw: Mapping[str, Any], where: str) -> RiskLevel:
    try:
        factor = to_decimal(raw["factor"])
        level = RiskLevel(str(raw["level"]), factor,
                          None if raw.get("records_at_least") is None else int(raw["records_at_least"]),
                          None if raw.get("loss_at_least") is None else to_decimal(raw["loss_at_least"]),
                          None if raw.get("warnings_at_least") is None else int(raw["warnings_at_least"]))
    except (KeyError, TypeError, ValueError, PolicyError) as exc:
        raise PolicyError(f"{where}：风险等级定义不完整或格式错误（{exc}）") from None
    if not Decimal(0) < factor <= Decimal(10):
        raise PolicyError(f"{where}：风险等级“{level.level}”的系数 factor 应大于0且不超过10")
    return level


def risk_rules_from_dict(raw: Mapping[str, Any], where: str = "风险等级规则") -> RiskRules:
    try:
        levels = tuple(_level(x, where) for x in raw["levels"])
        otherwise = _level({"records_at_least": None, **raw["otherwise"]}, where)
        return RiskRules(str(raw["id"]), bool(raw.get("sample", False)), raw.get("note", ""), raw.get("basis", ""),
                         int(raw.get("window_months", 12)), levels, otherwise)
    except (KeyError, TypeError) as exc:
        raise PolicyError(f"{where}：缺少字段 {exc}") from None


def sample_risk_rules() -> dict:
    return json.loads((POLICY_DIR / "risk" / "sample.json").read_text(encoding="utf-8"))


def load_risk_rules(path: str | Path) -> RiskRules:
    return risk_rules_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def risk_of(rules: RiskRules, records: int, loss: Decimal, warnings: int = 0) -> Risk:
    level = next((lv for lv in rules.levels if lv.fits(records, loss, warnings)), rules.otherwise)
    sample = "（示例规则）" if rules.sample else ""
    return Risk(level.level, level.factor,
                f"近{rules.window_months}个月失信记录{records}条、基金损失{loss}元，未消除的信用预警{warnings}条，"
                f"风险等级{level.level}{sample}，"
                f"抽查系数{level.factor}，依据{rules.basis}")
