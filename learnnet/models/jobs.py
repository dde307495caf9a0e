"""What every job's row holds: its state, what it is doing, its heartbeat (see :mod:`learnnet.jobs`).

A job is work done after the request that asked for it: a learning-session pack
(:class:`SessionPack`), checking or saving an import (:class:`ImportUpload`). Its row is its whole
state, so one runner can claim, follow and finish any of them.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from learnnet.models.types import UTCDateTime, choice_check


class JobState(enum.StrEnum):
    """Where a job is: waiting for a runner, being done, or ended one way or the other."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_STATES = tuple(state.value for state in JobState)
FINISHED = (JobState.DONE, JobState.FAILED)
# The step of a job whose process died before it finished, once its page has said so.
STOPPED = "stopped"


def state_column() -> Mapped[str]:
    """A job's state, queued when the row is made (in Python and in the database alike)."""
    return mapped_column(sa.String(10), default=JobState.QUEUED.value, server_default=JobState.QUEUED.value)


def state_check(column: str) -> sa.CheckConstraint:
    """The database's guard that ``column`` holds a :class:`JobState`."""
    return sa.CheckConstraint(choice_check(column, JOB_STATES), name=column)


class JobColumns:
    """The columns a job's row has beside its state (a mixin)."""

    # What the job is doing now, as a code its page translates (collecting, drawing, checking, ...).
    step: Mapped[str] = mapped_column(sa.String(20), default="queued", server_default="queued")
    # When the job last showed it was alive: claimed, telling its progress, or its heartbeat.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # How many times a runner has started it: a worker takes over a stalled job a few times only.
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
