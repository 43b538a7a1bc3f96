"""The date passing (tick): public notices that ended, measures that expired, standings that no longer hold.

Idempotent and monotone: processing a day twice changes nothing the second time, a day before one
already processed never ends or revokes a decision taken later, and each transition carries the date of
its own event, so a catch-up over N days leaves the state of N daily runs. The cost grows with what is
due (the standing says until when it holds), not with the size of the county.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from models.services import repairs, standing, warnings
from models.services.base import Actor, Changes, Result, UnitOfWork, require


@dataclass(frozen=True)
class TickRun:
    today: date
    subjects: int
    imposed: int
    expired: int
    ended: int
    restored: int
    registrations: int
    repairs_finished: int
    warnings_raised: int = 0


def tick(db, *, actor: Actor, today: date | None = None, progress=None) -> Result:
    """Process everything due by ``today`` (default: the real date)."""
    require(actor, "casework.tick")
    day = today or date.today()
    stats: Counter = Counter()
    with UnitOfWork(db) as uow:
        uow.session.info[standing.DAY] = day
        finished = repairs.finish_due(uow, actor, day, stats)
        stats += standing.refresh(uow, finished, actor=actor, day=day)
        uow.commit()
    run = standing.refresh_due(db, actor=actor, day=day, progress=progress)
    stats += run.stats
    warned = warnings.refresh_county(db, day=day)
    result = TickRun(day, run.subjects + len(finished), stats["imposed"], stats["expired"], stats["ended"],
                     stats["restored"], stats["registrations"], stats["repairs_finished"], warned["raised"])
    with UnitOfWork(db) as uow:
        uow.audit(actor, "casework.tick", "county", None, after=result.__dict__)
        uow.commit()
    return Result(result, Changes(lists=True))
