"""A subject's legal standing: the one place that brings it up to date and the one place it is read.

Write paths call :func:`after_change` with the subjects whose facts changed, inside their own unit
of work; readers call :func:`of` (one subject, as of a day) or read the ``subject_standing`` table
(lists and charts).
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select

from models.db.tables import Subject
from models.services import evaluation, lifecycle
from models.services.base import Actor, UnitOfWork


def after_change(uow: UnitOfWork, actor: Actor, subject_ids: Iterable[int], *, today: date | None = None) -> None:
    """The facts of these subjects changed: bring their standing up to date in the same transaction."""
    ids = sorted(set(subject_ids))
    if not ids:
        return
    day = today or date.today()
    evaluation.refresh(uow, ids, actor=actor)
    for s in uow.session.scalars(select(Subject).where(Subject.id.in_(ids))):
        lifecycle.sync(uow, actor, s, day)


def of(uow: UnitOfWork, subject: Subject, day: date | None = None) -> dict:
    """The standing of one subject as of a day, in the JSON contract of ``explain``."""
    return lifecycle.current_evaluation(uow, subject, day or date.today()).to_json()
