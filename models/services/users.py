"""Users, roles and signing in."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from sqlalchemy import func, select

from models.db.tables import User
from models.services.base import (
    ROLE_BY_NAME, ROLES, Actor, Changes, NotFound, Result, ServiceError, UnitOfWork, query, require, service,
)
from models.services.passwords import hash_password, password_problem, verify_password
from models.validation import ValidationError, max_length, required


@functools.cache
def unknown_user_hash() -> str:
    """A hash of the same cost as a real one that no password opens, made once when first needed."""
    return hash_password(os.urandom(16).hex())


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool

    @property
    def role_names(self) -> str:
        return "、".join(ROLES[r] for r in self.roles)


def _info(u: User) -> UserInfo:
    return UserInfo(u.username, u.display_name, tuple(r for r in ROLES if r in u.roles.split(",")), u.active)


def display_names(uow: UnitOfWork, usernames) -> dict[str, str]:
    """Login name → the name colleagues know (``users.display_name``), which is what screens show; a name this
    database does not hold (a row from another county) stays as it is."""
    wanted = {u for u in usernames if u}
    found = dict(uow.session.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).all()
                 ) if wanted else {}
    return {u: found.get(u) or ("系统" if u == "system" else u) for u in wanted}


@query
def names(uow: UnitOfWork, *, usernames) -> dict[str, str]:
    return display_names(uow, usernames)


def _actor(u: User) -> Actor:
    return Actor(u.username, u.display_name, frozenset(u.roles.split(",")))


def parse_roles(roles) -> tuple[str, ...]:
    """Accepts role codes or Chinese names, as a list or a comma-separated string."""
    items = roles.replace("，", ",").split(",") if isinstance(roles, str) else list(roles)
    codes = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item not in ROLE_BY_NAME:
            raise ValidationError("角色", f"“{item}”不是有效角色，应为：{'、'.join(ROLES.values())}")
        codes.append(ROLE_BY_NAME[item])
    if not codes:
        raise ValidationError("角色", "至少选择一个角色")
    return tuple(r for r in ROLES if r in codes)


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ValidationError("密码", problem)


def _new_user(uow: UnitOfWork, username: str, display_name: str, password: str, roles) -> User:
    username = max_length(required(username, "用户名"), 40, "用户名")
    display_name = max_length(required(display_name or username, "姓名"), 40, "姓名")
    codes = parse_roles(roles)
    _check_password(password)
    if uow.session.scalar(select(User).where(User.username == username)):
        raise ValidationError("用户名", f"“{username}”已被使用")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                roles=",".join(codes), active=True)
    uow.session.add(user)
    uow.session.flush()
    return user


@query
def has_users(uow: UnitOfWork) -> bool:
    return bool(uow.session.scalar(select(func.count()).select_from(User)))


@service
def create_first_admin(uow: UnitOfWork, *, username: str, password: str, display_name: str = "系统管理员") -> Actor:
    """The admin made on first start; only possible while there is no user at all."""
    if has_users.in_uow(uow):
        raise ServiceError("已有用户，不能再次创建初始管理员")
    user = _new_user(uow, username, display_name, password, ["admin"])
    actor = _actor(user)
    uow.audit(actor, "user.create_first_admin", "user", user.uuid, after={"username": username, "roles": ["admin"]})
    return actor


@service
def add_user(uow: UnitOfWork, *, actor: Actor, username: str, display_name: str, password: str, roles) -> Result:
    require(actor, "users.manage")
    user = _new_user(uow, username, display_name, password, roles)
    uow.audit(actor, "user.create", "user", user.uuid, after={"username": user.username, "roles": user.roles.split(",")})
    return Result(_info(user), Changes(users=True))


@query
def list_users(uow: UnitOfWork, *, actor: Actor) -> list[UserInfo]:
    require(actor, "users.manage")
    return [_info(u) for u in uow.session.scalars(select(User).order_by(User.id))]


@service
def change_password(uow: UnitOfWork, *, actor: Actor, username: str, new_password: str) -> Result:
    """Anyone may change their own password; an admin may reset anybody's."""
    if username != actor.username:
        require(actor, "users.manage")
    user = uow.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    _check_password(new_password)
    user.password_hash = hash_password(new_password)
    uow.audit(actor, "user.password", "user", user.uuid, reason="修改密码" if username == actor.username else "管理员重置密码")
    return Result(_info(user), Changes(users=True))


@service
def set_active(uow: UnitOfWork, *, actor: Actor, username: str, active: bool, reason: str) -> Result:
    """停用/启用: the account stays, with everything it did; only signing in is refused."""
    require(actor, "users.manage")
    user = uow.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    reason = required(reason, "原因")
    if not active and user.username == actor.username:
        raise ServiceError("不能停用自己的账号")
    admins = [u for u in uow.session.scalars(select(User).where(User.active.is_(True))) if "admin" in u.roles.split(",")]
    if not active and admins == [user]:
        raise ServiceError("这是最后一个启用的管理员账号，不能停用")
    if user.active != active:
        uow.audit(actor, "user.active", "user", user.uuid, before={"active": user.active}, after={"active": active},
                  reason=reason)
        user.active = active
    return Result(_info(user), Changes(users=True))


@query
def authenticate(uow: UnitOfWork, *, username: str, password: str) -> Actor:
    user = uow.session.scalar(select(User).where(User.username == (username or "").strip()))
    # Same message and the same work whether the name or the password is wrong: an unknown name is checked
    # against a hash made with the same cost, so the time taken gives no hint which users exist.
    stored = user.password_hash if user is not None else unknown_user_hash()
    if not verify_password(password or "", stored) or user is None:
        raise ServiceError("用户名或密码错误")
    if not user.active:
        raise ServiceError(f"用户“{user.username}”已停用，请联系管理员")
    return _actor(user)
