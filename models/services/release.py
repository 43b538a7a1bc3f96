"""The program's version, the schema revision and the policy packs in force (帮助 → 关于, --version),
and the 更新说明 shown once at the first start of a new version on a database an older one used.
"""
from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import select, text

from models.db.tables_program import ProgramVersion
from models.services import evaluation
from models.services.base import Actor, UnitOfWork, query, service
from models.services.county import get_county

DISTRIBUTION = "credit-desk"


def program_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "未安装版本"


def _key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


@dataclass(frozen=True)
class PackInForce:
    cite_as: str
    title: str
    version: str
    period: str
    reference: bool  # in the profile for comparison only (not applied to this county's decisions)


@dataclass(frozen=True)
class AboutInfo:
    version: str
    schema_revision: str
    county: str
    profile: str
    packs: tuple[PackInForce, ...]


def schema_revision(uow: UnitOfWork) -> str:
    try:
        rows = uow.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:  # noqa: BLE001 - a database that has never been migrated has no such table
        return "无"
    return "+".join(sorted(rows)) or "无"


@query
def about(uow: UnitOfWork, *, today: date | None = None) -> AboutInfo:
    """What 帮助 → 关于 and ``--version`` show; the packs are those of the county's profile covering today."""
    info = get_county.in_uow(uow)
    packs: tuple[PackInForce, ...] = ()
    if info is not None:
        day = today or date.today()
        prof = evaluation.profile_for(uow)
        packs = tuple(PackInForce(e.pack.cite_as, e.pack.title, e.pack.version, e.pack.period_text(), e.reference)
                      for e in prof.entries if e.pack.covers(day))
    return AboutInfo(program_version(), schema_revision(uow), f"{info.name}（{info.code}）" if info else "尚未初始化",
                     info.profile if info else "", packs)


def release_notes(since: str, upto: str) -> list[tuple[str, list[str]]]:
    """The notes of every version after ``since`` up to ``upto``, oldest first."""
    notes = json.loads((resources.files("resources") / "release_notes.json").read_text(encoding="utf-8"))
    return [(v, notes[v]) for v in sorted(notes, key=_key) if _key(since) < _key(v) <= _key(upto)]


@service
def check_in(uow: UnitOfWork, *, actor: Actor) -> list[tuple[str, list[str]]]:
    """Register this version on the database; the notes to show now (empty after the first time, or on a new file).

    The upgrade from 0.1.0 records that version for databases already in use (migration 0015).
    """
    version = program_version()
    rows = {r.version: r for r in uow.session.scalars(select(ProgramVersion))}
    mine = rows.get(version)
    if mine is None:
        mine = ProgramVersion(version=version, schema_revision=schema_revision(uow))
        uow.session.add(mine)
    older = [v for v in rows if _key(v) < _key(version)]
    if mine.notes_seen_by is not None or not older:
        mine.notes_seen_by = mine.notes_seen_by or actor.username
        return []
    mine.notes_seen_by = actor.username
    return release_notes(max(older, key=_key), version)
