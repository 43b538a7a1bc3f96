"""Calendar-month arithmetic for measures (DOMAIN §5: months are calendar months).

《民法典》第二百零二条: 按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，
月末日为期间的最后一日. So 3 months from 2025-11-30 ends on 2026-02-28, not in March.
"""
from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)
