"""The numbering lock and the failures of issuing, told to the user in Chinese.

Numbers have no gaps and no duplicates: issuing takes the database's write lock before it reads the
highest number, so two offices issuing at once are served one after the other. The one who comes
second waits (and is told so), it is never shown "database is locked". What goes wrong inside rendering
or signing reaches the user as one Chinese sentence; the technical details go to the log, without ID
numbers, names or phone numbers (only the exception's type and where it happened).
"""
from __future__ import annotations

import logging
import time
import traceback

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from models.services.base import ServiceError, UnitOfWork

log = logging.getLogger("creditdesk.notices")
log.addHandler(logging.NullHandler())  # the application's handler writes the file; never stderr by default

WAIT_SECONDS = 600  # another office issuing 1,000 notices takes about a minute
_LOCK_NAME = 7_202_612  # pg advisory lock key for "notice numbering"


def _busy(exc: OperationalError) -> bool:
    message = str(exc.orig) if exc.orig is not None else str(exc)
    return "locked" in message or "busy" in message


def take_lock(uow: UnitOfWork, *, progress=None, wait_seconds: float = WAIT_SECONDS) -> None:
    """Hold the write lock for the rest of this unit of work; wait while another process holds it.

    SQLite: a write statement as the transaction's first statement takes the RESERVED lock (WAL: the one
    writer); each attempt waits busy_timeout. PostgreSQL: a transaction-scoped advisory lock."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_NAME})
        return
    started = time.monotonic()
    while True:
        try:
            session.execute(text("UPDATE notice_settings SET id = id WHERE 0 = 1"))
            return
        except OperationalError as exc:
            if not _busy(exc):
                raise
            session.rollback()
            waited = time.monotonic() - started
            if waited > wait_seconds:
                raise ServiceError(f"其他用户正在印发告知书，已等待{int(waited)}秒仍未完成；请稍后再印发"
                                   "（本次未编号、未保存任何告知书）") from None
            if progress is not None and progress(f"其他用户正在印发告知书，等待其完成后编号（已等待{int(waited)}秒）…") is False:
                raise ServiceError("已取消印发，未编号、未保存任何告知书") from None


def where(exc: BaseException) -> str:
    """The exception's type and the code locations it passed: no message, so no personal data."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return f"{type(exc).__name__} at " + " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}"
                                                    for f in reversed(frames))


def produced(produce, doc_type: str, facts: dict, stamp, key) -> tuple[bytes, int]:
    """Render and sign one document; a failure becomes a refusal the user reads and a line in the log."""
    try:
        return produce(doc_type, facts, stamp, key)
    except ServiceError:
        raise
    except Exception as exc:  # noqa: BLE001 -- anything from the renderer or the signer
        log.error("notice produce failed: type=%s number=%s %s", doc_type, stamp.number, where(exc))
        raise ServiceError(f"生成或签章{stamp.number}时出错，本次未编号、未保存任何告知书；"
                           "详细情况已记入日志，请联系管理员") from None
