"""What every service shares: the acting user, roles, the unit of work, audit and Changes."""
from __future__ import annotations

import dataclasses
import functools
import json
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, ClassVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.actors import (  # noqa: F401 - re-exported: services import them from here
    ACTION_NAMES, PERMISSIONS, ROLE_BY_NAME, ROLES, SYSTEM, Actor, AlreadyDone, Changes, NotFound, PermissionDenied,
    Result, ServiceError, require,
)
from models.db import anchor, holders, integrity
from models.db.database import Database
from models.db.tables import AuditEntry
from models.validation import ValidationError


class UnitOfWork:
    """One transaction; rolls back unless ``commit()`` was called (Cosmic Python).

    ``before_commit`` holds what must happen in every transaction that commits: models.services.standing
    adds the refresh of the standing of every subject whose facts the transaction wrote.
    """

    before_commit: ClassVar[list[Callable[[UnitOfWork], None]]] = []

    def __init__(self, db: Database):
        self.db = db
        self.session: Session | None = None
        self.actor: Actor | None = None  # the first user this unit of work audits for

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
        for hook in self.before_commit:
            hook(self)
        self.session.flush()
        tail = integrity.seal(self.session.connection())  # the rows with legal weight this transaction wrote
        self.session.commit()
        anchor.record(self.db.url, tail)  # the chain's new tail, outside the database

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
        self.actor = self.actor or actor
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


def day_text(d: date) -> str:
    """A date as the user reads it and a notice prints it (2026年9月3日), in messages and texts alike."""
    return f"{d.year}年{d.month}月{d.day}日"


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
