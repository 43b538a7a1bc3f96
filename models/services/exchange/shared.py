"""What the city forwards to a county: other counties' rows about the subjects they share.

A practitioner who works in several counties has one file (一医一档; 鲁医保发〔2024〕25号 第五条:
results are recognised across counties). The city sends a county every row another county holds
about a subject the county also holds, with the rows those rows point at, once per version.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from models.db.tables import Subject
from models.db.tables_exchange import ExchangeAlias, ExchangeDelivered
from models.services.base import UnitOfWork
from models.services.exchange.keys import role_of
from models.services.exchange.rows import synced_tables

CHUNK = 5000


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def shared_subjects(uow: UnitOfWork, county: str) -> set[int]:
    """Subjects held both by ``county`` and by at least one other county."""
    s, a = Subject.__table__.c, ExchangeAlias.__table__.c
    alias = select(a.local_uuid).where(a.table_name == "subjects")
    own_elsewhere = select(s.id).where(s.origin_county == county, s.uuid.in_(alias.where(a.county != county)))
    others_here = select(s.id).where(or_(s.origin_county.is_(None), s.origin_county != county),
                                     s.uuid.in_(alias.where(a.county == county)))
    return set(uow.session.scalars(own_elsewhere)) | set(uow.session.scalars(others_here))


def forward_ids(uow: UnitOfWork, *, own: str, receiver: str) -> dict[str, set[int]]:
    """Table name → ids of rows to forward to ``receiver`` (only a city forwards, only to a county)."""
    if role_of(own) != "city" or role_of(receiver) != "county":
        return {}
    specs = synced_tables()
    about: dict[str, set[int]] = {"subjects": shared_subjects(uow, receiver)}
    if not about["subjects"]:
        return {}
    for spec in specs:  # children of what is about the shared subjects, parents first
        if spec.name == "subjects":
            continue
        t, found = spec.table, set()
        for ref in spec.refs:
            if ref.kind == "row" and about.get(ref.target) and ref.target != spec.name:
                for part in _chunks(about[ref.target]):
                    found |= set(uow.session.scalars(select(t.c.id).where(t.c[ref.column].in_(part))))
        if found:
            about[spec.name] = found
    forward = {name: _not_owned_by(uow, name, ids, receiver) for name, ids in about.items()}
    _add_parents(uow, forward, receiver)
    return {name: ids - _delivered(uow, name, ids, receiver) for name, ids in forward.items() if ids}


def _table(name: str):
    return next(s for s in synced_tables() if s.name == name)


def _not_owned_by(uow: UnitOfWork, name: str, ids: set[int], county: str) -> set[int]:
    t, out = _table(name).table, set()
    for part in _chunks(ids):
        out |= set(uow.session.scalars(select(t.c.id).where(
            t.c.id.in_(part), or_(t.c.origin_county.is_(None), t.c.origin_county != county))))
    return out


def _add_parents(uow: UnitOfWork, forward: dict[str, set[int]], receiver: str) -> None:
    """Rows the forwarded rows point at, unless the receiver owns them (it has them already)."""
    changed = True
    while changed:
        changed = False
        for spec in synced_tables():
            ids = forward.get(spec.name)
            if not ids:
                continue
            for ref in spec.refs:
                if ref.kind != "row":
                    continue
                targets = set()
                for part in _chunks(ids):
                    targets |= {v for v in uow.session.scalars(select(spec.table.c[ref.column]).where(
                        spec.table.c.id.in_(part))) if v is not None}
                new = _not_owned_by(uow, ref.target, targets - forward.get(ref.target, set()), receiver)
                if new:
                    forward.setdefault(ref.target, set()).update(new)
                    changed = True


def _delivered(uow: UnitOfWork, name: str, ids: set[int], receiver: str) -> set[int]:
    """Rows the receiver acknowledged at the version they have now."""
    t, dt, out = _table(name).table, ExchangeDelivered.__table__, set()
    d = dt.c
    for part in _chunks(ids):
        out |= set(uow.session.scalars(select(t.c.id).join(dt, and_(
            d.receiver == receiver, d.table_name == name, d.row_uuid == t.c.uuid, d.row_updated_at == t.c.updated_at))
            .where(t.c.id.in_(part))))
    return out
