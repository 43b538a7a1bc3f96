"""Exports of the grade distribution, run on the worker: the table and the subjects behind a count."""
from __future__ import annotations

from models.queries import statistics
from models.queries.statistics import Cell, Distribution
from models.services.base import Actor
from reports.xlsx import write_table


def export_table(dist: Distribution, *, path: str, title: str, progress=None) -> int:
    """The counts as shown, with a 合计 row and column."""
    frame = dist.with_totals()
    headers = [frame.index.name or statistics.DIMENSIONS[dist.dimension], *frame.columns]
    rows = ([label, *(int(v) for v in values)] for label, values in zip(frame.index, frame.to_numpy()))
    as_of = f"（评价结果截至 {dist.as_of.isoformat()}）" if dist.as_of else ""
    return write_table(path, headers, rows, sheet="等级分布", title=f"{title}{as_of}", progress=progress, total=len(frame))


def export_cell(db, *, actor: Actor, cell: Cell, path: str, progress=None) -> int:
    """Every subject of the count (not only the rows loaded on screen); -1 when cancelled."""
    total = statistics.cell_count(db, cell=cell)
    rows = statistics.iter_cell_rows(db, actor=actor, cell=cell)
    return write_table(path, statistics.LIST_COLUMNS, rows, sheet="名单", title=f"{cell.title}（共{total}个）",
                       progress=progress, total=total)
