"""Record kinds of the county's policy profile, as the services need them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from models.validation import ValidationError


@dataclass(frozen=True)
class KindSpec:
    code: str
    name: str
    subject_type: str
    good: bool
    band: tuple[int, int] | None
    score_effect: float | None
    needs_amount: bool
    basis: str


@lru_cache(maxsize=8)
def kinds(profile: str) -> dict[str, KindSpec]:
    from models.policy import catalogue_json, load_profile

    out = {}
    for k in catalogue_json(load_profile(profile)):
        band = tuple(k["band"]) if k.get("band") else None
        out[k["code"]] = KindSpec(k["code"], k["name"], k["subject_type"], bool(k["good"]), band,
                                  k.get("score_effect"), bool(k.get("needs_amount")), k.get("basis") or "")
    return out


def kind_spec(profile: str, code: str) -> KindSpec:
    found = kinds(profile).get(code)
    if found is None:
        raise ValidationError("信息类别", f"“{code}”不在本局政策配置的信息类别目录中（运行 credit-desk catalog 查看全部类别）")
    return found
