"""Result values. Every result names the rule (document number, article) that produced it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.policy.boundaries import Range
from models.policy.facts import MeasureChoice

# Measure status: why a measure has (or lacks) dates.
IN_EFFECT, ENDED, PENDING_CHOICE, OPTIONAL, PER_AGREEMENT = (
    "in_effect", "ended", "pending_choice", "optional", "per_agreement")
STATUS_TEXT = {IN_EFFECT: "执行中", ENDED: "已期满", PENDING_CHOICE: "待经办人在法定范围内选择期限",
               OPTIONAL: "可以采取（由本局决定）", PER_AGREEMENT: "按照服务协议约定执行"}


@dataclass(frozen=True)
class PointsEntry:
    record: str
    kind: str
    decision_date: date
    points: int | None  # None: no 责任认定 yet, nothing can be scored
    basis: str
    note: str | None = None


@dataclass(frozen=True)
class PointsSummary:
    year: int
    total: int
    entries: tuple[PointsEntry, ...]


@dataclass(frozen=True)
class Measure:
    kind: str
    name: str
    start: date | None
    end: date | None  # last day (对应日, 《民法典》第二百零二条); None = open or not yet chosen
    status: str
    basis: str
    record: str | None = None
    allowed_range: Range | None = None  # months the handler may choose within
    chosen: MeasureChoice | None = None
    note: str | None = None
    incentive: bool = False  # 守信激励: withheld while a sanction is in effect (淮医保发〔2020〕104号 三（五）)


@dataclass(frozen=True)
class ListEntry:
    list: str  # red | black
    list_name: str
    since: date
    basis: str
    record: str | None = None


@dataclass(frozen=True)
class Uncovered:
    record: str
    kind: str
    decision_date: date
    packs: tuple[str, ...]  # packs whose rules would apply but are not in force that day
    rule_types: tuple[str, ...] = ()  # the rule families left without a rule in force


@dataclass(frozen=True)
class RuleStatus:
    status: str  # in_force | no_rule_in_force
    uncovered: tuple[Uncovered, ...] = ()
    covered: tuple[tuple[str, date, date | None], ...] = ()  # (pack id, from, to) of the profile

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"


@dataclass(frozen=True)
class Part:
    """What one rule family contributes to an evaluation; evaluate() concatenates parts."""

    measures: tuple[Measure, ...] = ()
    lists: tuple[ListEntry, ...] = ()
    explanations: tuple[str, ...] = ()
    uncovered: tuple[Uncovered, ...] = ()
