"""The one clock: what time it is, and which day it is in the county.

Every "now" and "today" in learnnet comes from here. Timestamps are stored in UTC; the day, and so
the month a save belongs to, is the day in Norway: a save at 00:30 on 1 March, Norwegian time, is a
March save although it is still February in UTC. Tests freeze this clock in one fixture
(``tests/conftest.py``), so no test depends on the day it runs.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# The county's time zone: the days, months and years the users live in.
ZONE = ZoneInfo("Europe/Oslo")


def now() -> dt.datetime:
    """This moment, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def today() -> dt.date:
    """Today's date in Norway."""
    return now().astimezone(ZONE).date()


def this_month() -> dt.date:
    """The first day of the current month in Norway: the period a save made now belongs to."""
    return today().replace(day=1)
