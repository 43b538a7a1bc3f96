"""The bureau's own settings: county code and name, policy profile."""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from models.db.tables import County, CreditRecord
from models.services import users
from models.services.base import Actor, Changes, Result, ServiceError, UnitOfWork, query, require, service
from models.services.catalogue import kinds
from models.validation import ValidationError, county_code, max_length, required


@dataclass(frozen=True)
class CountyInfo:
    code: str
    name: str
    profile: str


def available_profiles() -> dict[str, str]:
    """Profile name → display name, from resources/policies/profiles/."""
    folder = resources.files("resources.policies") / "profiles"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name) if folder.is_dir() else []:
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found[entry.name[:-5]] = data.get("display_name") or data.get("name") or entry.name[:-5]
    return found


def profile_provinces() -> dict[str, tuple[str, str]]:
    """Province code (first two digits of GB/T 2260) → (profile, province name), from the profiles'
    ``provinces``: what first run proposes for a county code, and why."""
    folder = resources.files("resources.policies") / "profiles"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name) if folder.is_dir() else []:
        if entry.name.endswith(".json"):
            for code, province in json.loads(entry.read_text(encoding="utf-8")).get("provinces", {}).items():
                found.setdefault(code, (entry.name[:-5], province))
    return found


def _profile(name: str) -> str:
    profiles = available_profiles()
    name = required(name, "政策配置")
    if name not in profiles:
        raise ValidationError("政策配置", f"“{name}”不存在，可选：{'、'.join(f'{k}（{v}）' for k, v in profiles.items())}")
    return name


def _info(c: County) -> CountyInfo:
    return CountyInfo(c.code, c.name, c.profile)


def current_county(uow: UnitOfWork) -> County:
    county = uow.session.scalar(select(County))
    if county is None:
        raise ServiceError("数据库尚未初始化，请先运行 credit-desk init 或在程序中完成初始设置")
    return county


@query
def get_county(uow: UnitOfWork) -> CountyInfo | None:
    c = uow.session.scalar(select(County))
    return _info(c) if c else None


@service
def initialise(uow: UnitOfWork, *, code: str, name: str, profile: str, admin_username: str, admin_password: str) -> Result:
    """First start: the county and its first administrator, in one transaction."""
    if uow.session.scalar(select(County)) is not None:
        raise ServiceError("数据库已经初始化过，不能重复初始化")
    county = County(
        code=county_code(code), name=max_length(required(name, "县（区）名称"), 60, "县（区）名称"), profile=_profile(profile)
    )
    uow.session.add(county)
    admin = users.create_first_admin.in_uow(uow, username=admin_username, password=admin_password)
    uow.audit(admin, "county.init", "county", None, after={"code": county.code, "name": county.name, "profile": county.profile})
    return Result((_info(county), admin), Changes(county=True, users=True))


def _refuse_orphan_kinds(uow: UnitOfWork, profile: str) -> None:
    """Every recorded kind must exist in the new profile's catalogue, or its records could not be evaluated."""
    used = set(uow.session.scalars(select(CreditRecord.kind).distinct()))
    missing = sorted(used - set(kinds(profile)))
    if missing:
        raise ServiceError(f"政策配置“{profile}”的信息类别目录中没有已登记记录使用的类别：{'、'.join(missing)}，不能变更")


@service
def change_profile(uow: UnitOfWork, *, actor: Actor, profile: str, reason: str) -> Result:
    require(actor, "county.manage")
    county = uow.session.scalar(select(County))
    if county is None:
        raise ServiceError("数据库尚未初始化")
    before = county.profile
    new = _profile(profile)
    _refuse_orphan_kinds(uow, new)
    county.profile = new
    uow.audit(actor, "county.profile", "county", None, before={"profile": before}, after={"profile": county.profile},
              reason=required(reason, "变更原因"))
    return Result(_info(county), Changes(county=True))
