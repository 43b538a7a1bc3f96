"""导出Excel for every list, with one exporter: the rows as the table shows them (visible columns in
their order), the whole list even when the table pages through the database, progress and cancel."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from PySide6.QtWidgets import QWidget

from reports.xlsx import write_table
from views.feedback import tell
from views.file_dialogs import save_file_name
from views.table_model import Column, PagedTableModel
from views.table_view import RecordTable

BATCH = 2000


def visible_columns(table: RecordTable) -> list[Column]:
    header, columns = table.horizontalHeader(), table.model().columns
    return [columns[i] for i in sorted(range(header.count()), key=header.visualIndex) if not header.isSectionHidden(i)]


def _paged(db, fetch, sort: str | None, descending: bool) -> Iterator:
    offset = 0
    while True:
        rows = fetch(db, offset=offset, limit=BATCH, sort=sort, descending=descending)
        yield from rows
        if len(rows) < BATCH:
            return
        offset += len(rows)


def _write(db, *, path: str, title: str, columns: list[Column], rows: list | None, paged: tuple | None,
           total: int | None, progress=None) -> int:
    """Runs on the worker. Returns the number of rows, or -1 when the user cancelled."""
    if paged is not None:
        rows = _paged(db, *paged)
    return write_table(path, [c.title for c in columns], ([c.value(r) for c in columns] for r in rows),
                       sheet=title, title=f"{title}（{date.today().isoformat()}导出）", progress=progress, total=total)


def export_table(parent: QWidget, runner, table: RecordTable, title: str) -> None:
    """Asks where to save, writes on the worker, then says how many rows went where."""
    path = save_file_name(parent, "导出Excel", f"{title}-{date.today().isoformat()}.xlsx", "Excel 工作簿 (*.xlsx)")
    if not path:
        return

    def done(rows: int) -> None:
        tell(parent, "导出Excel", "已取消导出，未保存文件。" if rows < 0 else f"已导出 {rows:,} 行到\n{path}")

    model = table.model()
    if isinstance(model, PagedTableModel):  # the whole list, not only the pages loaded so far
        rows, paged, total = None, (model.fetch, model.sort_key, model.descending), model.total
    else:
        rows, paged, total = list(model.rows), None, len(model.rows)
    runner.service(_write, path=path, title=title, columns=visible_columns(table), rows=rows, paged=paged,
                   total=total, progress_title="正在导出Excel…", cancellable=True, on_done=done)
