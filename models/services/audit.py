"""``credit-desk audit verify`` and the checks made at start and before each export (models/db/integrity.py).

Panan 第二十五条 punishes 篡改信息: a rewritten, inserted or deleted row with legal weight is found and
named, and no package leaves the county while the file is known to be altered. The chain's tail is also
compared with its anchor outside the database (models/db/anchor.py): a file cut short or put back from
an old copy is named as such; a backup restored with ``credit-desk restore`` is named as restored.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from models.db import anchor, integrity_check
from models.db.database import Database
from models.db.integrity import TABLE_NAMES
from models.services.base import ServiceError, UnitOfWork, query

TAIL = 50  # seals checked at start and before an export; `audit verify` checks them all


class Tampered(ServiceError):
    """The hash chain is broken: the database was altered outside the program."""


@dataclass(frozen=True)
class Report:
    """What ``audit verify`` found: the first broken link of each table, the anchor's word, and notes."""

    findings: tuple[integrity_check.Finding, ...]
    anchor_problem: str | None
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.findings and self.anchor_problem is None

    def problems(self) -> list[str]:
        return [*(str(f) for f in self.findings), *([self.anchor_problem] if self.anchor_problem else [])]


def _anchor_words(state: anchor.State) -> tuple[str | None, list[str]]:
    """(the problem, or None; notes that are not problems)."""
    notes = []
    if state.restored:
        r = state.restored
        notes.append(f"数据库于 {str(r.get('at', ''))[:16]} 用 credit-desk restore 从备份“{r.get('file', '')}”恢复"
                     + (f"，比被替换的数据库少 {r['seals_behind']} 次封存" if r.get("seals_behind") else "")
                     + "：这是恢复，不是篡改")
    if state.kind == anchor.NEWER:
        notes.append("数据库比本机记录的封存链末端新（上次写入后程序在记录末端之前被中止）：已核对并更新记录")
    if state.kind == anchor.DIVERGED:
        return ("封存链与本机记录的末端不符：封存记录被改写，或数据库被换成了另一份文件", notes)
    if state.kind == anchor.OLDER:
        tables = "、".join(TABLE_NAMES.get(t, (t,))[0] for t in state.tables)
        return (f"数据库比本机记录的状态旧：最近 {state.missing} 次封存（{tables}）不在数据库中。数据库可能被换成了旧的"
                "副本，或最近的记录连同封存被删除，或断电丢失了最近的写入；从备份恢复请用 credit-desk restore", notes)
    return None, notes


def _check(url: str, conn: Connection, tail: int | None) -> Report:
    findings = integrity_check.verify(conn, tail=tail)
    state = anchor.compare(url, conn)
    problem, notes = _anchor_words(state)
    if not findings and state.kind in (anchor.NONE, anchor.NEWER):
        anchor.reset(url, conn) if state.kind == anchor.NONE else anchor.record(url, anchor.current(conn))
    return Report(tuple(findings), problem, tuple(notes))


def _message(report: Report) -> str:
    return (f"数据完整性校验未通过：{report.problems()[0]}。数据库文件可能在本程序之外被改动过；"
            "请管理员运行 credit-desk audit verify 查看，并从改动前的备份恢复")


def tamper_check(uow: UnitOfWork, *, tail: int | None = TAIL) -> None:
    report = _check(uow.db.url, uow.session.connection(), tail)
    if not report.ok:
        raise Tampered(_message(report))


@query
def verify(uow: UnitOfWork) -> Report:
    """Every seal and every sealed row, and the anchor."""
    return _check(uow.db.url, uow.session.connection(), None)


def check_at_start(db: Database) -> str | None:
    """The chain's tail, as the program opens a database: the message to show, or None when intact."""
    with UnitOfWork(db) as uow:
        report = _check(db.url, uow.session.connection(), TAIL)
    return None if report.ok else _message(report)
