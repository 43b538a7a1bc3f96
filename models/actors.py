"""Who acts and what they may do, the refusals users read, and what a service returns.

Light on purpose (no database import): the sign-in dialog and the task runner need these before
anything else is loaded, and start-up imports only what the first dialog needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    "appeal.write": frozenset({"clerk"}),
    "appeal.decide": frozenset({"reviewer", "signer"}),
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
    "warning.ack": frozenset({"reviewer", "signer"}),
    "warning.rules": frozenset({"admin"}),
    "rating.draft": frozenset({"clerk"}),
    "rating.review": frozenset({"reviewer"}),
    "rating.sign_off": frozenset({"signer"}),
    "inspection.outcome": frozenset({"clerk", "reviewer"}),
    "risk.manage": frozenset({"signer", "admin"}),
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
    "rating.draft": "起草年度信用评价结果",
    "rating.review": "复核年度信用评价结果",
    "rating.sign_off": "签发和发布年度信用评价结果",
    "inspection.outcome": "登记抽查检查结果",
    "risk.manage": "设置机构风险等级规则",
    "measure.choose": "确定处理期限",
    "calendar.load": "载入节假日安排",
    "finding.write": "录入违规认定和责任认定",
    "finding.confirm": "审核确认违规认定",
    "objection.write": "登记异议申请",
    "objection.decide": "作出异议复核决定",
    "repair.write": "登记信用修复申请",
    "appeal.write": "登记申诉",
    "appeal.decide": "办理申诉（评估鉴定、作出申诉决定）",
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
    "notice.settings": "设置发文字号和本局办理时限",
    "cert.manage": "安装签章证书",
    "warning.ack": "确认信用预警",
    "warning.rules": "设置信用预警规则",
}


class ServiceError(Exception):
    """A refusal the user should read: the message is Chinese and complete."""


class ValidationError(ValueError):
    """A refused input. ``field`` is the Chinese label the user sees on the form (models/validation.py checks)."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}：{problem}")
        self.field = field
        self.problem = problem


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class AlreadyDone(ServiceError):
    """The same input was applied before: nothing is written twice (``existing`` names what is there)."""

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
