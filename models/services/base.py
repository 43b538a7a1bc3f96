"""What every service shares: the acting user, roles, the unit of work, audit and Changes."""
from __future__ import annotations

import dataclasses
import functools
import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.db import holders, integrity
from models.db.database import Database
from models.db.tables import AuditEntry

ROLES = {"clerk": "录入员", "reviewer": "审核员", "signer": "签发人", "admin": "管理员"}
ROLE_BY_NAME = {**{v: k for k, v in ROLES.items()}, **{k: k for k in ROLES}}

# Which roles may do what. Reading a credit file is open to every signed-in user.
PERMISSIONS: dict[str, frozenset[str]] = {
    "subject.write": frozenset({"clerk", "admin"}),
    "record.write": frozenset({"clerk"}),
    "record.correct": frozenset({"clerk", "reviewer"}),
    "id.view_full": frozenset({"reviewer", "signer", "admin"}),
    "users.manage": frozenset({"admin"}),
    "county.manage": frozenset({"admin"}),
    "demo.load": frozenset({"admin"}),
    "backup.make": frozenset({"admin"}),
    "evaluation.run": frozenset({"reviewer", "signer", "admin"}),
    "measure.choose": frozenset({"reviewer", "signer"}),
    "calendar.load": frozenset({"admin"}),
    "finding.write": frozenset({"clerk"}),
    "finding.confirm": frozenset({"reviewer"}),
    "objection.write": frozenset({"clerk"}),
    "objection.decide": frozenset({"reviewer", "signer"}),
    "repair.write": frozenset({"clerk"}),
    "repair.decide": frozenset({"reviewer", "signer"}),
    "measure.lift": frozenset({"reviewer", "signer"}),
    "casework.tick": frozenset({"reviewer", "signer", "admin"}),
    "inspection.draw": frozenset({"reviewer", "signer"}),
    "inspectors.manage": frozenset({"signer", "admin"}),
    "exchange.manage": frozenset({"admin"}),
    "exchange.run": frozenset({"reviewer", "admin"}),
    "excel.import": frozenset({"clerk", "admin"}),
    "notice.draft": frozenset({"clerk", "reviewer"}),
    "notice.review": frozenset({"reviewer"}),
    "notice.sign_off": frozenset({"signer"}),
    "notice.issue": frozenset({"signer", "clerk"}),  # 印发: the signer or the office clerk
    "notice.void": frozenset({"signer"}),
    "notice.deliver": frozenset({"clerk", "reviewer"}),
    "notice.settings": frozenset({"admin"}),
    "cert.manage": frozenset({"admin"}),
}

ACTION_NAMES = {
    "subject.write": "登记或修改信用主体",
    "record.write": "录入信用信息",
    "record.correct": "更正信用信息",
    "id.view_full": "查看完整证件号码",
    "users.manage": "管理用户",
    "county.manage": "设置本局信息和政策配置",
    "demo.load": "载入演示数据",
    "backup.make": "备份数据库",
    "evaluation.run": "运行信用评价",
    "measure.choose": "确定处理期限",
    "calendar.load": "载入节假日安排",
    "finding.write": "录入违规认定和责任认定",
    "finding.confirm": "审核确认违规认定",
    "objection.write": "登记异议申请",
    "objection.decide": "作出异议复核决定",
    "repair.write": "登记信用修复申请",
    "repair.decide": "作出信用修复决定",
    "measure.lift": "缩减或提前结束措施",
    "casework.tick": "按日期处理期满事项",
    "inspection.draw": "随机抽取检查对象和检查人员",
    "inspectors.manage": "维护执法检查人员名录",
    "exchange.manage": "管理数据交换密钥",
    "exchange.run": "导出或导入数据交换包",
    "excel.import": "从Excel导入名册和违规清单",
    "notice.draft": "起草告知书",
    "notice.review": "审核告知书",
    "notice.sign_off": "签发告知书",
    "notice.issue": "印发告知书（编号、签章）",
    "notice.void": "作废已印发的告知书",
    "notice.deliver": "登记告知书送达",
    "notice.settings": "设置发文字号",
    "cert.manage": "安装签章证书",
}


class ServiceError(Exception):
    """A refusal the user should read: the message is Chinese and complete."""


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class AlreadyDone(ServiceError):
    """The same fact was recorded before (same natural key): a batch skips the item and says so."""

    def __init__(self, message: str, existing: str):
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True)
class Actor:
    username: str
    display_name: str
    roles: frozenset[str]

    def can(self, permission: str) -> bool:
        return bool(self.roles & PERMISSIONS[permission])

    @property
    def role_names(self) -> str:
        return "、".join(ROLES[r] for r in ROLES if r in self.roles)


# The program itself, for work no person starts (migrations, scheduled expiry).
SYSTEM = Actor("system", "系统", frozenset())


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        allowed = "、".join(ROLES[r] for r in ROLES if r in PERMISSIONS[permission])
        raise PermissionDenied(
            f"用户“{actor.display_name}”（{actor.role_names or '无角色'}）无权{ACTION_NAMES[permission]}；需要角色：{allowed}"
        )


@dataclass(frozen=True)
class Changes:
    """What a service changed, so each screen decides for itself what to redraw."""

    subjects: frozenset[str] = frozenset()  # subject uuids whose file changed
    users: bool = False
    county: bool = False
    lists: bool = False  # subject lists (a subject added or renamed)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            subjects=self.subjects | other.subjects,
            users=self.users or other.users,
            county=self.county or other.county,
            lists=self.lists or other.lists,
        )


@dataclass(frozen=True)
class Result:
    value: Any
    changes: Changes = field(default_factory=Changes)
    notes: tuple[str, ...] = ()  # what a batch skipped, in words


class UnitOfWork:
    """One transaction; rolls back unless ``commit()`` was called (Cosmic Python)."""

    def __init__(self, db: Database):
        self.db = db
        self.session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        self.session = self.db.session()
        self.session.begin()
        return self

    def __exit__(self, *exc) -> None:
        assert self.session is not None
        if self.session.in_transaction():
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        assert self.session is not None
        self.session.flush()
        integrity.seal(self.session.connection())  # the rows with legal weight this transaction added
        self.session.commit()

    def audit(
        self,
        actor: Actor,
        action: str,
        entity_type: str,
        entity_uuid: str | None,
        *,
        before: dict | None = None,
        after: dict | None = None,
        reason: str = "",
    ) -> None:
        assert self.session is not None
        self.session.add(
            AuditEntry(
                actor=actor.username,
                action=action,
                entity_type=entity_type,
                entity_uuid=entity_uuid,
                reason=reason,
                before=to_json(before) if before is not None else None,
                after=to_json(after) if after is not None else None,
            )
        )


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, list):
        if all(type(v) is str for v in value):  # a county-sized list of UUIDs needs no conversion
            return value
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def to_json(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


# Seconds to wait before each new attempt when another program holds the database (each attempt itself
# already waits busy_timeout, 5 s); after the last one the user is told who holds it.
LOCK_RETRIES = (1.0, 2.0, 4.0)


class DatabaseBusy(ServiceError):
    """Another program kept the database locked through every retry."""


def _locked(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def retry_when_locked(db: Database, attempt):
    """``attempt()`` again while the database is locked (nothing of a failed attempt was kept), then a message."""
    for wait in (*LOCK_RETRIES, None):
        try:
            return attempt()
        except OperationalError as exc:
            if not _locked(exc):
                raise
            if wait is None:
                raise DatabaseBusy(f"数据库正被其他程序占用，已等待并重试{len(LOCK_RETRIES) + 1}次仍无法完成："
                                   f"{holders.describe(db.sqlite_file)}。请等它完成后重试，本次操作没有写入任何数据") from None
            time.sleep(wait)


def service(fn):
    """Turn ``fn(uow, **kw)`` into ``fn(db, **kw)`` that runs in one committed unit of work.

    The inner function stays reachable as ``fn.in_uow`` so one use case can compose others
    inside a single transaction.
    """

    @functools.wraps(fn)
    def run(db: Database, /, **kwargs):
        def once():
            with UnitOfWork(db) as uow:
                result = fn(uow, **kwargs)
                uow.commit()
                return result

        return retry_when_locked(db, once)

    run.in_uow = fn
    return run


def query(fn):
    """Like ``service`` for read-only use cases: nothing is committed."""

    @functools.wraps(fn)
    def run(db: Database, /, **kwargs):
        def once():
            with UnitOfWork(db) as uow:
                return fn(uow, **kwargs)

        return retry_when_locked(db, once)

    run.in_uow = fn
    return run


@service
def run_batch(uow: UnitOfWork, *, fn, items: list, **kwargs) -> Result:
    """Apply the service ``fn`` to every item in one transaction: all are written or none.

    A refusal names the item (第N条) so the user can find it in the input. An item recorded before (the
    same file imported again, after a kill or a failed report) is skipped with a note; the same item twice
    in one input is refused.
    """
    from models.validation import ValidationError

    values, changes, notes, made = [], Changes(), [], {}
    for n, item in enumerate(items, 1):
        try:
            result = fn.in_uow(uow, data=item, **kwargs)
        except AlreadyDone as exc:
            if exc.existing in made:
                raise ValidationError(f"第{n}条", f"与第{made[exc.existing]}条重复（同一事实在一次输入中出现两次）") from None
            notes.append(f"第{n}条：{exc}，已跳过")
            continue
        except ValidationError as exc:
            raise ValidationError(f"第{n}条 {exc.field}", exc.problem) from None
        except ServiceError as exc:
            raise type(exc)(f"第{n}条 {exc}") from None
        made[getattr(result.value, "uuid", None)] = n
        values.append(result.value)
        changes |= result.changes
    return Result(values, changes, tuple(notes))
