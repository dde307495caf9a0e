"""Jobs: work done after the request that asked for it — a learning-session pack, checking and
saving an import.

A job is a database row (a :class:`~learnnet.models.SessionPack`, an
:class:`~learnnet.models.ImportUpload`) holding its :class:`~learnnet.models.JobState`, what it is
doing (``step``), how far it has come and its heartbeat. The rows are the queue too: any web worker
or server can report a job's progress and any worker can do it, embedded on SQLite as with several
app servers on PostgreSQL; nothing about a job lives in a process's memory.

The request that asks for a job makes its row, commits, and calls :func:`start`, which runs it the
way ``JOB_RUNNER`` says: claimed at once and done in a thread of the web process (``"thread"``,
the default), left queued for ``flask jobs work`` (``"worker"``), or claimed and done in the
request itself (``"inline"``, for tests).

The job is the commit boundary: the runner commits the claim, the progress the work reports, the
result and a failure; the work changes objects and flushes, as every service does.

While a job runs, a thread beside it writes its heartbeat every :data:`HEARTBEAT_EVERY` seconds. A
running job whose heartbeat is older than :data:`STALLED_AFTER` has died with its process (a
gunicorn worker killed mid-build, a restart): its page says so and offers to start again, and a
worker may take it over — :data:`MAX_ATTEMPTS` times at most, so that a job that kills its process
does not take every worker down with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute

from learnnet import clock
from learnnet.extensions import db
from learnnet.models.jobs import STOPPED, JobState

log = logging.getLogger(__name__)

# Seconds between two heartbeats of a running job.
HEARTBEAT_EVERY = 5.0
# A running job whose heartbeat is older than this has died with its process: a dozen beats
# missed (a busy database may hold one back for a few seconds, not for a minute).
STALLED_AFTER = dt.timedelta(minutes=1)
# Times a job is started: by its request or a worker, then by workers taking it over.
MAX_ATTEMPTS = 3

Row = Any
# ``report(step="drawing", progress=40)``, see :class:`Report`.
Reporter = Callable[..., None]


@dataclass(frozen=True)
class Kind:
    """One kind of job: where its rows are, and what doing one means.

    ``state`` is the rows' JobState column. ``work(row, report)`` does the job, changing the row
    and whatever else it makes, and returns the state it ended in (FAILED when it could not do
    what was asked; the row says why). ``failed(row, error)`` records on the row that the work
    raised ``error``.
    """

    name: str
    state: InstrumentedAttribute[str]
    work: Callable[[Row, Reporter], JobState]
    failed: Callable[[Row, Exception], None]

    @property
    def model(self) -> type:
        return self.state.class_

    def state_of(self, row: Row) -> str:
        return getattr(row, self.state.key)

    def is_stalled(self, row: Row, now: dt.datetime | None = None) -> bool:
        """Running, but its heartbeat has stopped: the process doing it has died."""
        if self.state_of(row) != JobState.RUNNING:
            return False
        return row.heartbeat_at is None or row.heartbeat_at < (now or clock.now()) - STALLED_AFTER

    def stopped(self, row: Row) -> bool:
        """Stopped before it finished because its process died: stalled now, or given up since."""
        return self.is_stalled(row) or (self.state_of(row) == JobState.FAILED and row.step == STOPPED)

    def queue(self, row: Row) -> None:
        """Make the row wait for a runner again, as a new job."""
        setattr(row, self.state.key, JobState.QUEUED)
        row.attempts, row.heartbeat_at = 0, None

    def stalled_clause(self, now: dt.datetime):
        model = self.model
        return and_(
            self.state == JobState.RUNNING,
            or_(model.heartbeat_at.is_(None), model.heartbeat_at < now - STALLED_AFTER),
        )

    def claimable_clause(self, now: dt.datetime):
        return or_(
            self.state == JobState.QUEUED,
            and_(self.stalled_clause(now), self.model.attempts < MAX_ATTEMPTS),
        )


def start(kind: Kind, row: Row) -> None:
    """Start a job whose row the request has committed, the way ``JOB_RUNNER`` says."""
    runner = current_app.config["JOB_RUNNER"]
    if runner == "worker" or not claim(kind, row.id):
        return  # a worker takes it, or has taken it already
    if runner == "inline":
        run(kind, row.id)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(
        target=_run_in_app, args=(app, kind, row.id), name=f"{kind.name}-{row.id}", daemon=True
    ).start()


def _run_in_app(app: Flask, kind: Kind, row_id: int) -> None:
    """Do a claimed job in an app context and database session of its own (a thread's)."""
    with app.app_context():
        try:
            run(kind, row_id)
        finally:
            db.session.remove()


def claim(kind: Kind, row_id: int, now: dt.datetime | None = None) -> bool:
    """Take a waiting or stalled job for this process. One UPDATE decides, so two workers never
    take the same job, on SQLite and PostgreSQL alike."""
    now = now or clock.now()
    model = kind.model
    taken = db.session.execute(
        update(model)
        .where(model.id == row_id, kind.claimable_clause(now))
        .values({kind.state: JobState.RUNNING, model.heartbeat_at: now, model.attempts: model.attempts + 1})
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def claim_next(kinds: Sequence[Kind]) -> tuple[Kind, int] | None:
    """Take the oldest waiting (or stalled) job of the first of ``kinds`` that has one."""
    for kind in kinds:
        model = kind.model
        while True:
            now = clock.now()
            row_id = db.session.scalar(
                select(model.id).where(kind.claimable_clause(now)).order_by(model.id).limit(1)
            )
            if row_id is None:
                break
            if claim(kind, row_id, now):
                return kind, row_id
    # End the transaction the looking began: a worker waiting for work holds no lock (SQLite
    # takes its write lock when a transaction begins).
    db.session.rollback()
    return None


def run(kind: Kind, row_id: int) -> JobState | None:
    """Do a job this process has claimed, with its heartbeat beside it; commit what it reports,
    its result, or its failure.

    Returns the state it ended in, or None when the job is no longer this process's: removed,
    given up by its page, or taken over by a worker after this process's heartbeat had stopped.
    """
    row = db.session.get(kind.model, row_id)
    if row is None:
        return None
    attempt = row.attempts
    if attempt > 1:
        log.info("%s %s: taken over (attempt %d)", kind.name, row_id, attempt)
    with Heartbeat(kind, row_id):
        try:
            ended = kind.work(row, Report(kind, row, attempt))
            return _finish(kind, row_id, attempt, ended)
        except _NotMine:
            return _finish(kind, row_id, attempt, None)
        except Exception as error:  # a failed job must say so on its page, never stay "running"
            log.exception("%s %s failed", kind.name, row_id)
            db.session.rollback()
            return _finish(kind, row_id, attempt, JobState.FAILED, error)


def _finish(
    kind: Kind, row_id: int, attempt: int, state: JobState | None, error: Exception | None = None
) -> JobState | None:
    """Commit how the job ended, if it is still this process's; else drop what it did."""
    if state is None or not _mine(kind, row_id, attempt):
        db.session.rollback()
        log.warning("%s %s is no longer this process's job; what it did is dropped", kind.name, row_id)
        return None
    row = db.session.get(kind.model, row_id)
    setattr(row, kind.state.key, state)
    if error is not None:
        kind.failed(row, error)
    db.session.commit()
    return state


class _NotMine(Exception):
    """The job is no longer this process's (see :func:`run`)."""


def _mine(kind: Kind, row_id: int, attempt: int) -> bool:
    """Whether the job still runs as this process's attempt. Its row stays locked until the
    commit (SQLite's transactions hold the write lock anyway), so no claim comes between."""
    model = kind.model
    with db.session.no_autoflush:
        found = db.session.execute(
            select(kind.state, model.attempts).where(model.id == row_id).with_for_update()
        ).first()
    return found is not None and found[0] == JobState.RUNNING and found[1] == attempt


class Report:
    """How a job tells how far it has come: ``report(step="drawing", progress=40)`` sets those
    values on its row with a heartbeat, and commits them so any server can show them.

    The commit expires no loaded object: work in the middle of a plan keeps what it has loaded.
    A job that is no longer this process's stops here.
    """

    def __init__(self, kind: Kind, row: Row, attempt: int):
        self.kind, self.row, self.attempt = kind, row, attempt

    def __call__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.row, name, value)
        self.row.heartbeat_at = clock.now()
        if not _mine(self.kind, self.row.id, self.attempt):
            raise _NotMine
        session = db.session()
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


class Heartbeat:
    """Writes a running job's heartbeat every :data:`HEARTBEAT_EVERY` seconds, from a thread and a
    database connection of its own, so the job shows it is alive while its own thread is busy
    (drawing a pack's charts reports nothing for a while). It stops with the job's work, or when
    the job is not running any more."""

    def __init__(self, kind: Kind, row_id: int):
        self.kind, self.row_id = kind, row_id
        engine = db.engine
        # A session bound to one connection rather than to an engine (the tests' one outer
        # transaction) has no connection to spare: there the job's reports are its heartbeat.
        self.engine = engine if isinstance(engine, Engine) else None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.engine is not None:
            self._thread = threading.Thread(
                target=self._beat_until_stopped, name=f"{self.kind.name}-{self.row_id}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def beat(self) -> bool:
        """Write the heartbeat now; False when the job is not running (any more)."""
        model = self.kind.model
        with self.engine.begin() as connection:
            written = connection.execute(
                update(model)
                .where(model.id == self.row_id, self.kind.state == JobState.RUNNING)
                .values({model.heartbeat_at: clock.now()})
            ).rowcount
        return written == 1

    def _beat_until_stopped(self) -> None:
        while not self._stopped.wait(HEARTBEAT_EVERY):
            try:
                if not self.beat():
                    return
            except SQLAlchemyError:  # a busy or lost database: the next beat tries again
                log.warning("%s %s: heartbeat not written", self.kind.name, self.row_id, exc_info=True)


def give_up(kind: Kind, row: Row) -> bool:
    """End a stalled job as stopped, so that no worker takes it over once its page has said it
    stopped. False when it is not stalled (any more): it finished, or a worker has taken it over.
    The request commits."""
    model = kind.model
    given_up = db.session.execute(
        update(model)
        .where(model.id == row.id, kind.stalled_clause(clock.now()))
        .values({kind.state: JobState.FAILED, model.step: STOPPED})
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(row)
    return given_up == 1


def work(
    kinds: Sequence[Kind], *, once: bool = False, interval: float = 2.0, echo: Callable[[str], None] = print
) -> None:
    """Do the jobs of ``kinds`` as they come, one at a time, the first kinds first (``flask jobs
    work``); with ``once``, those waiting now, then stop. Several workers may run side by side."""
    while True:
        claimed = claim_next(kinds)
        if claimed is None:
            if once:
                return
            time.sleep(interval)
            continue
        kind, row_id = claimed
        started = time.perf_counter()
        ended = run(kind, row_id) or "left to another worker"
        echo(f"{kind.name} {row_id}: {ended} in {time.perf_counter() - started:.1f} s")
        db.session.remove()
