"""What every service shares: the acting user, roles, the unit of work, audit and Changes."""
from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from models.db.database import Database
from models.db.tables import AuditEntry

from models.actors import (  # noqa: F401 - re-exported: services import them from here
    ACTION_NAMES, PERMISSIONS, ROLE_BY_NAME, ROLES, SYSTEM, Actor, Changes, NotFound, PermissionDenied, Result,
    ServiceError, require,
)


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
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def to_json(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


def service(fn):
    """Turn ``fn(uow, **kw)`` into ``fn(db, **kw)`` that runs in one committed unit of work.

    The inner function stays reachable as ``fn.in_uow`` so one use case can compose others
    inside a single transaction.
    """

    @functools.wraps(fn)
    def run(db: Database, /, **kwargs):
        with UnitOfWork(db) as uow:
            result = fn(uow, **kwargs)
            uow.commit()
            return result

    run.in_uow = fn
    return run


def query(fn):
    """Like ``service`` for read-only use cases: nothing is committed."""

    @functools.wraps(fn)
    def run(db: Database, /, **kwargs):
        with UnitOfWork(db) as uow:
            return fn(uow, **kwargs)

    run.in_uow = fn
    return run


@service
def run_batch(uow: UnitOfWork, *, fn, items: list, **kwargs) -> Result:
    """Apply the service ``fn`` to every item in one transaction: all are written or none.

    A refusal names the item (第N条) so the user can find it in the input.
    """
    from models.validation import ValidationError

    values, changes = [], Changes()
    for n, item in enumerate(items, 1):
        try:
            result = fn.in_uow(uow, data=item, **kwargs)
        except ValidationError as exc:
            raise ValidationError(f"第{n}条 {exc.field}", exc.problem) from None
        except ServiceError as exc:
            raise type(exc)(f"第{n}条 {exc}") from None
        values.append(result.value)
        changes |= result.changes
    return Result(values, changes)
