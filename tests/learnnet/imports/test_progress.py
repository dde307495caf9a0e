"""Progress of an import: checked in chunks, recorded on the upload, reported to its owner only."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from learnnet import clock, jobs
from learnnet.imports import services, uploads
from learnnet.imports.services import Scope, plan_import
from learnnet.imports.tables import read_table
from learnnet.models import ImportUpload, JobState, Measurement
from tests.clock import ym
from tests.learnnet.imports.conftest import csv_bytes, upload


def _rows(world, months: int) -> str:
    code = world.measure.code
    lines = [
        # history from the earliest month an import may hold: five years before the network's start
        f'"{world.own_team.name}",{code},{ym(m - 60)},{m % 10 + 1},20'
        for m in range(months)
    ]
    return "team,measure_code,month,numerator,denominator\n" + "\n".join(lines)


def test_rows_are_checked_in_chunks_and_progress_is_told(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 10)
    told = []
    table = read_table("data.csv", csv_bytes(_rows(world, 35)))
    plan_import(Scope(world.network), table, lambda done, total: told.append((done, total)))
    assert told == [(0, 35), (10, 35), (20, 35), (30, 35), (35, 35)]


def test_progress_is_recorded_on_the_upload_and_reported_by_the_status(
    client, auth, world, db_session, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK", 5)
    reports = []
    report = jobs.Report.__call__

    def spy(self, **values):
        reports.append((values["step"], values["rows_done"], values["rows_total"]))
        report(self, **values)

    monkeypatch.setattr(jobs.Report, "__call__", spy)
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 12))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    assert reports == [
        ("reading", 0, 0),
        ("checking", 0, 12),
        ("checking", 5, 12),
        ("checking", 10, 12),
        ("checking", 12, 12),
    ]
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    assert (kept.phase, kept.step, kept.rows_done, kept.rows_total) == ("done", "checked", 12, 12)
    response = client.get(f"/imports/{key}/status")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "phase": "done",
        "step": "checked",
        "rows_done": 12,
        "rows_total": 12,
        "percent": 100,
        "finished": True,
        "text": "Kontrollert.",
    }

    reports.clear()
    response = client.post("/imports/commit", data={"key": key})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/networks/{world.network.id}"
    )
    # Checked again in the request, which reports nothing, then in the job, which saves it.
    assert reports == [
        ("checking", 0, 12),
        ("checking", 5, 12),
        ("checking", 10, 12),
        ("checking", 12, 12),
        ("saving", 0, 12),
    ]
    # Imported: the upload is gone, and so is its status.
    assert client.get(f"/imports/{key}/status").status_code == 404


def test_a_running_check_reports_its_share_of_rows(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 4))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    kept.phase, kept.step, kept.rows_done, kept.rows_total = JobState.RUNNING, "checking", 1000, 4000
    kept.heartbeat_at = clock.now()
    db_session.commit()
    assert client.get(f"/imports/{key}/status").get_json() == {
        "phase": "running",
        "step": "checking",
        "rows_done": 1000,
        "rows_total": 4000,
        "percent": 25,
        "finished": False,
        "text": "Kontrollerer hver rad …",
    }
    # Not confirmed while it is still being checked.
    assert client.post("/imports/commit", data={"key": key}).status_code == 302
    assert db_session.query(ImportUpload).filter_by(key=key).one().phase == "running"


def test_another_users_upload_status_is_refused(client, auth, world):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 2))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    auth.logout()
    auth.login(world.users["admin"])
    assert client.get(f"/imports/{key}/status").status_code == 404
    auth.logout()
    assert client.get(f"/imports/{key}/status").status_code == 302


def test_a_save_left_half_way_by_a_process_that_died_can_be_confirmed_again(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 3))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    kept.work, kept.phase, kept.step, kept.rows_done = "save", JobState.RUNNING, "saving", 0
    kept.heartbeat_at = clock.now() - jobs.STALLED_AFTER - dt.timedelta(seconds=1)
    db_session.commit()
    assert client.post("/imports/commit", data={"key": key}).status_code == 302
    assert db_session.query(ImportUpload).filter_by(key=key).one_or_none() is None


def test_a_confirmed_import_is_saved_after_the_request_and_its_page_shows_the_progress(
    app, client, auth, world, db_session, monkeypatch
):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 5))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    response = client.post("/imports/commit", data={"key": key})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/imports/{key}")
    assert client.get(f"/imports/{key}/status").get_json()["phase"] == "queued"

    page = client.get(f"/imports/{key}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<progress class="ln-import-progress w-100" max="5" value="0">' in html
    assert f'data-import-status="/imports/{key}/status"' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert "style=" not in html and "<script>" not in html
    # Someone else cannot follow it.
    auth.logout()
    auth.login(world.users["admin"])
    assert client.get(f"/imports/{key}").status_code == 404
    auth.logout()
    auth.login(world.users["facilitator"])

    kind, upload_id = jobs.claim_next((uploads.JOB,))
    assert kind is uploads.JOB and db_session.get(ImportUpload, upload_id).work == "save"
    assert jobs.run(kind, upload_id) == "done"
    assert client.get(f"/imports/{key}/status").get_json() == {
        "phase": "done",
        "step": "done",
        "rows_done": 5,
        "rows_total": 5,
        "percent": 100,
        "finished": True,
        "text": "Importert.",
    }
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == 5
    done = client.get(f"/imports/{key}", follow_redirects=True).get_data(as_text=True)
    assert "5 nye" in done or "5 new" in done
    assert db_session.query(ImportUpload).filter_by(key=key).one_or_none() is None


def test_saving_that_fails_says_so_and_writes_nothing(app, client, auth, world, db_session, monkeypatch):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 3))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(uploads, "commit_import", broken)
    response = client.post("/imports/commit", data={"key": key}, follow_redirects=True)
    assert "Importen mislyktes" in response.get_data(
        as_text=True
    ) or "The import failed" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == 0
    # The file is still kept.
    assert db_session.query(ImportUpload).filter_by(key=key).one().phase == "failed"


def test_an_upload_is_checked_after_the_request_and_its_page_becomes_the_preview(
    app, client, auth, world, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    response = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 7)))
    assert response.status_code == 302
    key = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/imports/{key}/status").get_json()["step"] == "reading"
    html = client.get(f"/imports/{key}").get_data(as_text=True)
    assert 'class="ln-import-progress' in html and "Leser filen" in html
    assert client.post("/imports/commit", data={"key": key}).status_code == 302  # not yet: refused
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == 0

    kind, upload_id = jobs.claim_next((uploads.JOB,))
    assert db_session.get(ImportUpload, upload_id).work == "check"
    jobs.run(kind, upload_id)
    assert client.get(f"/imports/{key}/status").get_json()["step"] == "checked"
    html = client.get(f"/imports/{key}").get_data(as_text=True)
    assert "7 nye" in html and f'value="{key}"' in html
    assert jobs.claim_next((uploads.JOB,)) is None


def test_an_unreadable_file_checked_after_the_request_says_why(
    app, client, auth, world, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    response = upload(
        client, f"/networks/{world.network.id}/import", b"PK\x03\x04 not a workbook", "data.xlsx"
    )
    key = response.headers["Location"].rsplit("/", 1)[1]
    jobs.run(*jobs.claim_next((uploads.JOB,)))
    html = client.get(f"/imports/{key}").get_data(as_text=True)
    assert "XLSX" in html and "is-invalid" in html
    assert db_session.query(ImportUpload).filter_by(key=key).one_or_none() is None


def _queued(app, client, world, monkeypatch, rows: int = 3) -> str:
    """An upload left for a worker; its key."""
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    response = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, rows)))
    return response.headers["Location"].rsplit("/", 1)[1]


def _heartbeat_stopped(db_session, upload_id: int, seconds_ago: float) -> None:
    """The process doing the job last showed it was alive ``seconds_ago``."""
    kept = db_session.get(ImportUpload, upload_id)
    kept.heartbeat_at = clock.now() - dt.timedelta(seconds=seconds_ago)
    db_session.commit()


def test_a_check_whose_process_died_says_so_within_a_minute_and_asks_for_the_file_again(
    app, client, auth, world, db_session, monkeypatch
):
    auth.login(world.users["facilitator"])
    key = _queued(app, client, world, monkeypatch)
    _kind, upload_id = jobs.claim_next((uploads.JOB,))  # ... and the worker is killed
    _heartbeat_stopped(db_session, upload_id, 50)
    status = client.get(f"/imports/{key}/status").get_json()
    assert status["phase"] == "running" and not status["finished"]
    assert "ln-import-progress" in client.get(f"/imports/{key}").get_data(as_text=True)

    _heartbeat_stopped(db_session, upload_id, 61)
    status = client.get(f"/imports/{key}/status").get_json()
    assert status["finished"] and status["step"] == "stopped"
    assert status["text"] == "Stoppet før det ble ferdig."
    # The page's script loads the page again, which says what happened and asks for the file.
    html = client.get(f"/imports/{key}", follow_redirects=True).get_data(as_text=True)
    assert "Kontrollen av filen stoppet før den ble ferdig. Last den opp på nytt." in html
    assert 'type="file"' in html
    assert db_session.query(ImportUpload).filter_by(key=key).one_or_none() is None


def test_a_save_whose_process_died_says_so_and_no_worker_takes_it_over_after(
    app, client, auth, world, db_session, monkeypatch
):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 4))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    client.post("/imports/commit", data={"key": key})
    _kind, upload_id = jobs.claim_next((uploads.JOB,))
    _heartbeat_stopped(db_session, upload_id, 61)

    response = client.get(f"/imports/{key}", follow_redirects=True)
    assert "Importen stoppet før den ble ferdig. Ingenting ble importert" in response.get_data(as_text=True)
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    assert (kept.phase, kept.step) == ("failed", "stopped")
    assert jobs.claim_next((uploads.JOB,)) is None
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == 0
    # From the preview still open in another tab, it can be confirmed again.
    client.post("/imports/commit", data={"key": key})
    kind, upload_id = jobs.claim_next((uploads.JOB,))
    assert jobs.run(kind, upload_id) == "done"
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == 4


def test_a_worker_takes_over_a_job_whose_process_died(app, client, auth, world, db_session, monkeypatch):
    auth.login(world.users["facilitator"])
    key = _queued(app, client, world, monkeypatch, rows=5)
    _kind, upload_id = jobs.claim_next((uploads.JOB,))
    assert jobs.claim_next((uploads.JOB,)) is None  # taken, and alive
    _heartbeat_stopped(db_session, upload_id, 61)

    kind, taken = jobs.claim_next((uploads.JOB,))
    assert taken == upload_id and db_session.get(ImportUpload, upload_id).attempts == 2
    assert jobs.run(kind, taken) == "done"
    assert "5 nye" in client.get(f"/imports/{key}").get_data(as_text=True)


def test_a_job_that_keeps_killing_its_process_is_not_taken_over_for_ever(
    app, client, auth, world, db_session, monkeypatch
):
    auth.login(world.users["facilitator"])
    _queued(app, client, world, monkeypatch)
    for _attempt in range(jobs.MAX_ATTEMPTS):
        _kind, upload_id = jobs.claim_next((uploads.JOB,))
        _heartbeat_stopped(db_session, upload_id, 61)
    assert jobs.claim_next((uploads.JOB,)) is None
    assert uploads.JOB.is_stalled(db_session.get(ImportUpload, upload_id))
