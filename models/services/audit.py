"""``credit-desk audit verify`` and the checks made at start and before each export (models/db/integrity.py).

Panan 第二十五条 punishes 篡改信息: a rewritten, inserted or deleted row with legal weight is found and
named, and no package leaves the county while the file is known to be altered.
"""
from __future__ import annotations

from models.db import integrity
from models.db.database import Database
from models.services.base import ServiceError, UnitOfWork, query

TAIL = 50  # seals checked at start and before an export; `audit verify` checks them all


class Tampered(ServiceError):
    """The hash chain is broken: the database was altered outside the program."""


def _message(found: integrity.Finding) -> str:
    return (f"数据完整性校验未通过：{found}。数据库文件可能在本程序之外被改动过；"
            "请管理员运行 credit-desk audit verify 查看，并从改动前的备份恢复")


def tamper_check(uow: UnitOfWork, *, tail: int | None = TAIL) -> None:
    found = integrity.verify(uow.session.connection(), tail=tail)
    if found is not None:
        raise Tampered(_message(found))


@query
def verify(uow: UnitOfWork) -> integrity.Finding | None:
    """Every seal and every sealed row: the first broken link, or None."""
    return integrity.verify(uow.session.connection())


def check_at_start(db: Database) -> str | None:
    """The chain's tail, as the program opens a database: the message to show, or None when intact."""
    with UnitOfWork(db) as uow:
        found = integrity.verify(uow.session.connection(), tail=TAIL)
    return None if found is None else _message(found)
