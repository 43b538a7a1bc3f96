"""Record kinds of the county's policy profile, as the services need them: the engine's own
``KindSpec``, looked up by code."""
from __future__ import annotations

from typing import Mapping

from models.policy.catalogue import KindSpec, kind_index
from models.services import profiles
from models.validation import ValidationError

__all__ = ["KindSpec", "kind_spec", "kinds"]


def kinds(profile: str) -> Mapping[str, KindSpec]:
    return kind_index(profiles.profile(profile))


def kind_spec(profile: str, code: str) -> KindSpec:
    found = kinds(profile).get(code)
    if found is None:
        raise ValidationError("信息类别", f"“{code}”不在本局政策配置的信息类别目录中（运行 credit-desk catalog 查看全部类别）")
    return found
