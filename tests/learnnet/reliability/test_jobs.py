"""Jobs against a database of their own with committed data, as workers meet it: several workers
taking jobs side by side take each one once, and a running job's heartbeat is written from a
thread and a connection of its own while its work is busy. On PostgreSQL when TEST_DATABASE_URL
is set, else on SQLite."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from learnnet import jobs
from learnnet.extensions import db
from learnnet.models import JobState, LearningSession, SessionPack, Team
from learnnet.networks import packs
from tests.clock import month
from tests.conftest import scratch_postgres_database
from tests.learnnet.reliability.committed import team_app

WORKERS = 4
JOBS = 24


@pytest.fixture
def queued_app(tmp_path):
    """An app whose database holds JOBS queued packs; the app and the packs' ids."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        with scratch_postgres_database(server_url, "jobs") as url:
            yield from _app(url)
    else:
        yield from _app(f"sqlite:///{tmp_path}/jobs.sqlite3")


def _app(url):
    for served in team_app(url):
        with served.app.app_context():
            team = db.session.get(Team, served.team_id)
            session = LearningSession(network_id=team.network_id, number=1, date=month(3), title="Oppstart")
            db.session.add(session)
            db.session.flush()
            made = [
                SessionPack(session_id=session.id, data_until=month(2), language="nb", error="")
                for _ in range(JOBS)
            ]
            db.session.add_all(made)
            db.session.commit()
            ids = [p.id for p in made]
            db.session.remove()
        yield served.app, ids


def test_workers_side_by_side_take_each_job_once(queued_app):
    app, ids = queued_app
    taken: list[list[int]] = [[] for _ in range(WORKERS)]
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def worker(index: int) -> None:
        try:
            with app.app_context():
                start.wait()
                while (claimed := jobs.claim_next((packs.JOB,))) is not None:
                    taken[index].append(claimed[1])
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    every = [pack_id for one in taken for pack_id in one]
    assert sorted(every) == sorted(ids)  # each once, none left
    with app.app_context():
        rows = db.session.execute(select(SessionPack.status, SessionPack.attempts)).all()
        assert {tuple(row) for row in rows} == {("running", 1)}
        db.session.remove()


def test_a_running_job_writes_its_heartbeat_while_its_work_is_busy(queued_app, monkeypatch):
    app, ids = queued_app
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.05)

    def busy(pack, report):
        """Reports once, then waits (as drawing a pack does) until the heartbeat has moved."""
        report(step="drawing", progress=40)
        reported = pack.heartbeat_at
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.engine.connect() as connection:
                beat = connection.scalar(select(SessionPack.heartbeat_at).where(SessionPack.id == pack.id))
            if beat > reported:
                return JobState.DONE
            time.sleep(0.02)
        return JobState.FAILED

    with app.app_context():
        assert jobs.claim(packs.JOB, ids[0])
        assert jobs.run(replace(packs.JOB, work=busy), ids[0]) == "done"
        db.session.remove()


def test_the_heartbeat_stops_when_the_job_is_no_longer_running(queued_app):
    app, ids = queued_app
    with app.app_context():
        heartbeat = jobs.Heartbeat(packs.JOB, ids[0])
        assert not heartbeat.beat()  # queued: no one is doing it
        assert jobs.claim(packs.JOB, ids[0])
        assert heartbeat.beat()
        db.session.remove()
