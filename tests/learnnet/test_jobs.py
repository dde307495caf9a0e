"""The job runner: claiming, finishing and failing a job, stall detection, and a job whose row
another process has taken over. Packs serve as the jobs; the imports' own tests show their pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from learnnet import clock, jobs
from learnnet.imports import uploads
from learnnet.imports.services import Scope
from learnnet.models import ImportUpload, JobState, LearningSession, SessionPack
from learnnet.networks import packs
from tests.clock import month, ym


@pytest.fixture
def queued(world, db_session):
    """A queued pack of a learning session, as a request leaves it."""
    session = LearningSession(network_id=world.network.id, number=1, date=month(3), title="Oppstart")
    db_session.add(session)
    db_session.flush()
    pack = packs.request_pack(session, world.users["facilitator"], "nb")
    db_session.commit()
    return pack


def _job(work, failed=packs.JOB.failed) -> jobs.Kind:
    return replace(packs.JOB, work=work, failed=failed)


def test_a_job_is_queued_when_made_in_python_and_in_the_database_and_nothing_else_is_a_state(
    world, db_session, queued
):
    made = ImportUpload(key="python", user_id=world.users["facilitator"].id, network_id=world.network.id)
    made.filename, made.content = "data.csv", b""
    db_session.add(made)
    db_session.flush()
    row = {"user_id": world.users["facilitator"].id, "network_id": world.network.id, "filename": "data.csv"}
    db_session.execute(insert(ImportUpload.__table__).values(key="sql", content=b"", plan_digest="", **row))
    for key in ("python", "sql"):
        upload = db_session.scalar(select(ImportUpload).where(ImportUpload.key == key))
        db_session.refresh(upload)
        assert (upload.phase, upload.step, upload.work, upload.attempts) == ("queued", "queued", "check", 0)
    for column, value in (("phase", "reading"), ("work", "print")):
        with pytest.raises(IntegrityError), db_session.begin_nested():
            db_session.execute(update(ImportUpload).where(ImportUpload.key == "sql").values({column: value}))
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(update(SessionPack).where(SessionPack.id == queued.id).values(status="checked"))


def test_a_claimed_job_is_done_with_its_progress_committed_and_its_end(queued, db_session):
    steps = []

    def work(pack, report):
        assert pack.status == "running" and pack.attempts == 1
        report(step="drawing", progress=40)
        steps.append(db_session.get(SessionPack, pack.id).step)
        pack.step = "done"
        return JobState.DONE

    assert jobs.claim(packs.JOB, queued.id)
    assert not jobs.claim(packs.JOB, queued.id)  # nobody takes it twice
    assert jobs.run(_job(work), queued.id) == "done"
    assert steps == ["drawing"]
    pack = db_session.get(SessionPack, queued.id)
    assert (pack.status, pack.step, pack.progress) == ("done", "done", 40)
    assert jobs.claim_next((packs.JOB,)) is None


def test_a_job_whose_work_raises_fails_and_says_why_with_nothing_half_done(queued, db_session):
    def work(pack, report):
        report(step="drawing", progress=40)
        pack.content_hash = "half-way"
        raise RuntimeError("no paper")

    assert jobs.claim(packs.JOB, queued.id)
    assert jobs.run(_job(work), queued.id) == "failed"
    pack = db_session.get(SessionPack, queued.id)
    assert (pack.status, pack.step, pack.progress) == ("failed", "failed", 40)
    assert pack.error == "RuntimeError: no paper" and pack.content_hash is None


def test_a_job_is_stalled_when_its_heartbeat_is_a_minute_old(queued, db_session):
    assert jobs.claim(packs.JOB, queued.id)
    pack = db_session.get(SessionPack, queued.id)
    now = clock.now()
    assert not packs.JOB.is_stalled(pack, now)
    pack.heartbeat_at = now - jobs.STALLED_AFTER + dt.timedelta(seconds=5)
    assert not packs.JOB.is_stalled(pack, now)
    pack.heartbeat_at = now - jobs.STALLED_AFTER - dt.timedelta(seconds=1)
    assert packs.JOB.is_stalled(pack, now) and packs.JOB.stopped(pack)
    pack.status = JobState.DONE
    assert not packs.JOB.is_stalled(pack, now)


def test_a_stalled_job_given_up_is_not_taken_over(queued, db_session):
    assert jobs.claim(packs.JOB, queued.id)
    pack = db_session.get(SessionPack, queued.id)
    assert not jobs.give_up(packs.JOB, pack)  # alive: nothing to give up
    pack.heartbeat_at = clock.now() - dt.timedelta(minutes=2)
    db_session.commit()
    assert jobs.give_up(packs.JOB, pack)
    db_session.commit()
    assert (pack.status, pack.step) == ("failed", "stopped") and packs.JOB.stopped(pack)
    assert jobs.claim_next((packs.JOB,)) is None


def test_the_work_of_a_process_whose_job_was_taken_over_is_dropped(queued, db_session):
    """A process that was thought dead (its heartbeat held back) finds out at its next report or
    at its end, and leaves the job to the worker that took it over."""

    def work(pack, report):
        db_session.execute(update(SessionPack).where(SessionPack.id == pack.id).values(attempts=2))
        db_session.commit()  # another worker took the job over
        report(step="drawing", progress=40)
        raise AssertionError("not reached")

    def finished_late(pack, report):
        db_session.execute(update(SessionPack).where(SessionPack.id == pack.id).values(attempts=2))
        db_session.commit()
        pack.step = "done"
        return JobState.DONE

    for late in (work, finished_late):
        db_session.execute(update(SessionPack).values(status="queued", attempts=0, step="queued"))
        db_session.commit()
        assert jobs.claim(packs.JOB, queued.id)
        assert jobs.run(_job(late), queued.id) is None
        pack = db_session.get(SessionPack, queued.id)
        db_session.refresh(pack)
        assert (pack.status, pack.step, pack.attempts) == ("running", "queued", 2)


def test_a_row_removed_while_its_job_ran_ends_the_job_quietly(queued, db_session):
    def work(pack, report):
        db_session.execute(SessionPack.__table__.delete().where(SessionPack.id == pack.id))
        db_session.commit()
        report(step="drawing")

    assert jobs.claim(packs.JOB, queued.id)
    assert jobs.run(_job(work), queued.id) is None


def test_flask_jobs_work_does_every_kind_of_job_imports_first(
    world, queued, runner, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "PACK_WORKERS", 1)
    heading = "team,measure_code,month,numerator,denominator"
    rows = f"{heading}\n{world.own_team.id},{world.measure.code},{ym(1)},8,16\n"
    user = world.users["facilitator"]
    upload = uploads.start_upload(Scope(world.network), user, "data.csv", rows.encode(), "en")
    db_session.commit()
    upload_id, pack_id = upload.id, queued.id
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"import {upload_id}: done") and lines[1].startswith(f"pack {pack_id}: done")
    assert db_session.get(ImportUpload, upload_id).step == "checked"
    assert db_session.get(SessionPack, pack_id).status == "done"
