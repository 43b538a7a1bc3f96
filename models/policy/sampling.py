"""“双随机、一公开” draws (鲁政办 2019 意见 二（一）; ratios by grade 磐 第十八条).

Random subjects and random inspectors; the probability of being drawn follows credit (grade
ratio) and risk (a weight the bureau sets). The draw is reproducible from its seed, and the
candidates' input order does not matter, so a published result can be re-derived by anyone.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Sequence

from models.policy.boundaries import to_decimal
from models.policy.errors import PolicyError
from models.policy.packs import Profile, basis
from models.policy.score import in_force


@dataclass(frozen=True)
class Candidate:
    uuid: str
    grade: str | None = None
    risk: Decimal = Decimal(1)  # 风险权重（本局设置，可配置）; 1 = ordinary


@dataclass(frozen=True)
class Selection:
    uuid: str
    probability: Decimal
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class InspectionDraw:
    seed: str
    base_ratio: Decimal
    selected: tuple[Selection, ...]
    basis: tuple[str, ...]


def probability(profile: Profile, as_of: date, candidate: Candidate, base_ratio: Decimal) -> Decimal:
    found = in_force(profile, "inspection", as_of)
    factor = Decimal(1)
    if found is not None and candidate.grade is not None:
        spec = found[1]["ratios"].get(candidate.grade)
        if spec is None:
            raise PolicyError(f"等级“{candidate.grade}”没有对应的抽查比例")
        if spec.get("ratio") is None:
            return Decimal(1)  # 全覆盖检查
        factor = to_decimal(spec["ratio"])
    return min(Decimal(1), base_ratio * factor * to_decimal(candidate.risk))


def draw_inspection(candidates: Sequence[Candidate], base_ratio: Decimal, seed: str | int, profile: Profile,
                    as_of: date, inspectors: Sequence[str] = (), per_subject: int = 2) -> InspectionDraw:
    base_ratio = to_decimal(base_ratio)
    if not Decimal(0) <= base_ratio <= Decimal(1):
        raise PolicyError("基础抽查比例应在0至1之间")
    if inspectors and len(inspectors) < per_subject:
        raise PolicyError(f"执法检查人员不足{per_subject}人，无法随机选派")
    rng = random.Random(str(seed))
    pool = sorted(set(inspectors))
    chosen = []
    for cand in sorted(candidates, key=lambda c: c.uuid):
        p = probability(profile, as_of, cand, base_ratio)
        roll = Decimal(rng.randrange(1_000_000)) / Decimal(1_000_000)
        if roll < p:
            team = tuple(sorted(rng.sample(pool, per_subject))) if pool else ()
            chosen.append(Selection(cand.uuid, p, team))
    cites = tuple(basis(e, r) for kind in ("sampling", "inspection") for e, r in profile.rules(kind)
                  if e.pack.covers(as_of))
    return InspectionDraw(str(seed), base_ratio, tuple(chosen), cites)
