"""Record kinds (记录类别): merged per profile, the codes the DB side stores."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping
from decimal import Decimal

from models.policy.errors import PolicyError
from models.policy.packs import PackSet, Profile, ProfileEntry


@dataclass(frozen=True)
class KindSpec:
    code: str
    name: str
    subject_type: str
    good: bool
    band: tuple[int, int] | None
    score_effect: Decimal | None
    needs_amount: bool
    basis: str
    note: str | None = None

    def as_json(self) -> dict:
        return {
            "code": self.code, "name": self.name, "subject_type": self.subject_type, "good": self.good,
            "band": None if self.band is None else list(self.band),
            "score_effect": None if self.score_effect is None else str(self.score_effect),
            "needs_amount": self.needs_amount, "basis": self.basis, "note": self.note,
        }


def _merge(entries: list[ProfileEntry], indicators=None) -> list[KindSpec]:
    """First definition wins for name; bases of every pack defining the code are joined."""
    merged: dict[str, KindSpec] = {}
    for entry in entries:
        prefix = "参照" if entry.reference else ""
        for kind in entry.pack.kinds:
            cite = f"{prefix}{entry.pack.cite_as} {kind.article}"
            old = merged.get(kind.code)
            if old is None:
                effect = indicators.effect_of(kind.code) if indicators is not None else None
                merged[kind.code] = KindSpec(kind.code, kind.name, kind.subject_type, kind.good, kind.band,
                                             effect, kind.needs_amount, cite, kind.note)
                continue
            if (old.subject_type, old.good) != (kind.subject_type, kind.good):
                raise PolicyError(f"记录类别 {kind.code} 在 {entry.pack.id} 中的主体类型或守信/失信属性与先前定义冲突")
            merged[kind.code] = KindSpec(
                old.code, old.name, old.subject_type, old.good, old.band or kind.band, old.score_effect,
                old.needs_amount or kind.needs_amount, f"{old.basis}；{cite}", old.note or kind.note)
    return list(merged.values())


def catalogue(profile: Profile) -> list[KindSpec]:
    return _merge(list(profile.entries), profile.indicators)


def catalogue_json(profile: Profile) -> list[dict]:
    return [k.as_json() for k in catalogue(profile)]


def catalogue_all(packs: PackSet) -> list[KindSpec]:
    """Every kind any loaded pack defines, e.g. for an import that spans profiles."""
    return _merge([ProfileEntry(p, None) for p in packs])


@lru_cache(maxsize=32)
def _kind_index(profile: Profile) -> MappingProxyType:
    return MappingProxyType({k.code: k for k in catalogue(profile)})


def kind_index(profile: Profile) -> Mapping[str, KindSpec]:
    """Cached per profile object (profiles are immutable), read-only."""
    return _kind_index(profile)
