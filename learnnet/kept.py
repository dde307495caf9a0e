"""Results kept in a worker's memory, by everything they were computed from.

Each worker process keeps its own bounded map; several app servers need nothing shared, because a
key holds every input of what it names (a series' version read from the database on each request,
a chart's whole content), so a kept result is never out of date — only unused, and then it ages
out. The least recently used entry goes first.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache

_every: weakref.WeakSet[Kept] = weakref.WeakSet()


class Kept:
    """A bounded map, least recently used out first, that a worker's threads may share.

    ``getsizeof`` measures a value; the sizes add up to at most ``maxsize``. A value larger than
    the whole map is not kept."""

    def __init__(self, maxsize: int, getsizeof: Callable[[Any], int] | None = None) -> None:
        self._lock = threading.Lock()
        self._values: LRUCache = LRUCache(maxsize=maxsize, getsizeof=getsizeof)
        _every.add(self)

    def get(self, key: Hashable) -> Any:
        with self._lock:
            return self._values.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock, contextlib.suppress(ValueError):  # ValueError: larger than the whole map
            self._values[key] = value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def forget_everything() -> None:
    """Empty every map of this process (the tests do, as their database is rolled back after each)."""
    for kept in list(_every):
        kept.clear()
