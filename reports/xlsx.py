"""Writing tables to .xlsx with xlsxwriter, row by row (constant memory, nothing lost).

ID numbers and codes are written as text so Excel never turns them into 4.10123E+17.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path


def write_table(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "Sheet1",
                title: str | None = None, progress=None, total: int | None = None) -> int:
    """Write ``rows`` under ``headers``; returns the number of data rows.

    ``progress(done, total, message)`` returning False stops the export (the file is then removed).
    """
    import xlsxwriter  # here, not at the top: every list screen imports this module; xlsxwriter takes ~70 ms

    path = Path(path)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    text = book.add_format({"num_format": "@"})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    first = 0
    if title:
        ws.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        first = 1
    for col, name in enumerate(headers):
        ws.write_string(first, col, str(name), bold)
        ws.set_column(col, col, max(10, min(40, len(str(name)) * 2 + 4)))
    count = 0
    cancelled = False
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            r = first + count
            if value is None:
                continue
            if isinstance(value, Decimal):
                ws.write_number(r, col, float(value), money)  # display only; the text column keeps exactness
            elif isinstance(value, (datetime, date)):
                ws.write_datetime(r, col, datetime(value.year, value.month, value.day)
                                  if not isinstance(value, datetime) else value.replace(tzinfo=None), day)
            elif isinstance(value, bool):
                ws.write_string(r, col, "是" if value else "否")
            elif isinstance(value, (int, float)):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, str(value), text)
        if progress and count % 2000 == 0 and progress(count, total or 0, "导出Excel") is False:
            cancelled = True
            break
    ws.freeze_panes(first + 1, 0)
    book.close()
    if cancelled:
        path.unlink(missing_ok=True)
        return -1
    return count
