"""Checks of one Excel column at a time, for a county's 100,000 rows.

A column is checked as a whole where it can be (one pass over its joined text finds whether any cell
needs a closer look); otherwise each distinct value is checked once, by the same check the forms use,
and every row holding a refused value gets that value's error. Values come as ``read_sheet`` gives
them: text, outer spaces already removed.
"""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from itertools import repeat
from typing import Callable

from models.services import records
from models.validation import ValidationError, clean, fold, max_length

Fail = Callable[[int, ValidationError], None]  # (index of the row in the column, the error) → noted
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?|")  # “1234.5”, or empty


def distinct(column: list, check: Callable, fail: Fail) -> dict:
    """``check`` once per distinct value: value → result (None where refused, and each row holding it failed)."""
    results, refused = {}, {}
    for value in set(column):
        try:
            results[value] = check(value)
        except ValidationError as exc:
            results[value], refused[value] = None, exc
    if refused:
        for i, value in enumerate(column):
            if value in refused:
                fail(i, refused[value])
    return results


def each_distinct(column: list, check: Callable, fail: Fail) -> list:
    """``check`` once per distinct value; the result for each row (None where its value was refused)."""
    return list(map(distinct(column, check, fail).__getitem__, column))


def text(column: list[str], limit: int, field: str, fail: Fail) -> list[str]:
    """Free text (a case number, a note): no control character, at most ``limit`` characters."""
    if "".join(column).isprintable() and max(map(len, column), default=0) <= limit:
        return column  # printable text holds no control character
    return each_distinct(column, lambda v: max_length(clean(v, field), limit, field), fail)


def code(column: list[str], field: str, fail: Fail) -> list[str]:
    """An ID number or credit code as the lookup keys it: full-width folded, upper case."""
    joined = "".join(column)
    if column and joined.isascii() and joined.isprintable():  # no line break inside a cell: split gives the cells back
        return "\n".join(column).upper().split("\n")
    return each_distinct(column, lambda v: fold(v, field).upper(), fail)


def fen(column: list[str], fail: Fail) -> list[int | None]:
    """The 金额 column as integer fen (None where empty), checked as the record form checks an amount."""
    if all(map(_PLAIN_AMOUNT.fullmatch, column)):  # yuan and at most two decimals: the digits are the fen
        return [int(yuan + cents.ljust(2, "0")) if yuan else None
                for yuan, _point, cents in map(str.partition, column, repeat("."))]
    return each_distinct(column, _fen, fail)


def _fen(value: str) -> int | None:
    yuan = records.amount_field(value)
    return None if yuan is None else int(yuan.scaleb(2))


@contextmanager
def paused_collector():
    """Python's cycle collector paused while a county's list is read, checked and written.

    The work allocates a few hundred thousand lists and tuples, none of them part of a cycle (reference
    counting frees them); the collector would otherwise walk every object of the program over and over
    as they pile up, about a tenth of the import's time. Cycles made meanwhile elsewhere are collected
    once it runs again.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
