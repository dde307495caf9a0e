"""Months as periods: a period is the first day of its month."""

from __future__ import annotations

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(period: dt.date, months: int) -> dt.date:
    index = period.year * 12 + period.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every period from ``first`` to ``last``, both included."""
    first, last = month_start(first), month_start(last)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, k) for k in range(max(count, 0))]


def default_entry_period(today: dt.date) -> dt.date:
    """Teams enter last month's numbers early in the next month."""
    return add_months(month_start(today), -1)


def parse_period(text: str | None) -> dt.date | None:
    """ "2026-03" (or "2026-03-01") as the period 2026-03-01; None when it is not a month."""
    if not text:
        return None
    parts = text.strip().split("-")
    # isdigit() also accepts superscripts and other scripts' digits, which int() refuses.
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (1900 <= year <= 2200 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)
