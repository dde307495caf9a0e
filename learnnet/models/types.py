"""Column types shared by the models."""

from __future__ import annotations

from datetime import timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

# The largest value the database's INTEGER columns hold (ids and counts): 2³¹ − 1 on PostgreSQL.
MAX_INTEGER = 2_147_483_647


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    SQLite keeps no time zone, so values come back naive; this type stores UTC and hands back aware
    datetimes everywhere, so no code has to patch ``tzinfo`` by hand.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def choice_check(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values``."""
    quoted = ", ".join("'" + v + "'" for v in values)
    return f"{column} IN ({quoted})"
