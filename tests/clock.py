"""The day the suite runs on, and the test network's calendar around it.

Every test runs with learnnet's clock frozen (``frozen_clock`` in ``tests/conftest.py``) at noon,
Norwegian time, on ``TODAY``: today in Norway, or the day ``LEARNNET_TEST_TODAY`` names
(``LEARNNET_TEST_TODAY=2029-02-28 make test``), so that any day can be tried before it comes.

Tests never write a calendar date of their own for data the app judges against today: they take
months from here. The test network (``NetworkFactory``) starts 22 months before this month and ends
with the next one, so ``month(0)`` … ``month(21)`` are past months with room for a year of data on
either side of ``month(12)``, ``month(22)`` is this month and ``month(23)`` is still to come.
"""

from __future__ import annotations

import datetime as dt
import os

from babel.dates import format_date

from learnnet.clock import ZONE
from learnnet.measurements.periods import add_months


def _today() -> dt.date:
    text = os.environ.get("LEARNNET_TEST_TODAY", "").strip()
    if not text:
        return dt.datetime.now(ZONE).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"LEARNNET_TEST_TODAY must be a date like 2029-02-28, not {text!r}") from None


TODAY = _today()
# Noon: a run that starts late in the evening still ends on the day it is about.
MOMENT = dt.datetime.combine(TODAY, dt.time(12, 0), ZONE)
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = add_months(THIS_MONTH, -1)


def network_period(this_month: dt.date) -> tuple[dt.date, dt.date]:
    """The test network's first and last day when ``this_month`` is the current month."""
    return add_months(this_month, -22), add_months(this_month, 2) - dt.timedelta(days=1)


# NetworkFactory's default period, on TODAY.
START, END = network_period(THIS_MONTH)


def month(k: int) -> dt.date:
    """The network's ``k``-th month (0 is its first; negative is before its start)."""
    return add_months(START, k)


def ym(k: int) -> str:
    """``month(k)`` as a form or a file writes it: "2025-03"."""
    return f"{month(k):%Y-%m}"


def day(k: int, day_of_month: int) -> dt.date:
    """A day in the network's ``k``-th month (up to the 28th: every month has one)."""
    if not 1 <= day_of_month <= 28:
        raise ValueError("use last_day(k) for the end of a month")
    return month(k).replace(day=day_of_month)


def last_day(k: int) -> dt.date:
    """The last day of the network's ``k``-th month."""
    return add_months(month(k), 1) - dt.timedelta(days=1)


def nb_month(period: dt.date) -> str:
    """The month as the Norwegian pages name it: "januar 2026"."""
    return format_date(period, "LLLL y", locale="nb")


def nb_short_month(period: dt.date) -> str:
    """The month as the Norwegian tables shorten it: "jan. 2026", "mars 2026"."""
    return format_date(period, "MMM y", locale="nb")


def en_month(period: dt.date) -> str:
    """The month as the English pages name it: "January 2026"."""
    return format_date(period, "LLLL y", locale="en")


def nb_day(day: dt.date) -> str:
    """A day as the Norwegian pages write it: "1. januar 2025"."""
    return format_date(day, "d. MMMM y", locale="nb")
