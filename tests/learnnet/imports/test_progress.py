"""Progress of an import: checked in chunks, recorded on the upload, reported to its owner only."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from learnnet.imports import services, uploads
from learnnet.imports.services import Scope, plan_import
from learnnet.imports.tables import read_table
from learnnet.models import ImportUpload, Measurement
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
    phases = []
    record = uploads.record_progress

    def spy(kept, phase, done, total):
        phases.append((phase, done, total))
        record(kept, phase, done, total)

    monkeypatch.setattr("learnnet.imports.views.record_progress", spy)
    monkeypatch.setattr(uploads, "record_progress", spy)
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 12))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    assert phases == [
        ("reading", 0, 0),
        ("checking", 0, 12),
        ("checking", 5, 12),
        ("checking", 10, 12),
        ("checking", 12, 12),
        ("checked", 12, 12),
    ]
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    assert (kept.phase, kept.rows_done, kept.rows_total) == ("checked", 12, 12)
    response = client.get(f"/imports/{key}/status")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "phase": "checked",
        "rows_done": 12,
        "rows_total": 12,
        "percent": 100,
        "finished": True,
        "text": "Kontrollert.",
    }

    phases.clear()
    response = client.post("/imports/commit", data={"key": key})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/networks/{world.network.id}"
    )
    assert [p[0] for p in phases] == ["checking"] * 4 + ["checked", "queued"] + ["checking"] * 4 + [
        "saving",
        "done",
    ]
    assert phases[-2:] == [("saving", 0, 12), ("done", 12, 12)]
    # Imported: the upload is gone, and so is its status.
    assert client.get(f"/imports/{key}/status").status_code == 404


def test_a_running_check_reports_its_share_of_rows(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 4))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    kept.phase, kept.rows_done, kept.rows_total = "checking", 1000, 4000
    db_session.commit()
    assert client.get(f"/imports/{key}/status").get_json() == {
        "phase": "checking",
        "rows_done": 1000,
        "rows_total": 4000,
        "percent": 25,
        "finished": False,
        "text": "Kontrollerer hver rad …",
    }
    # Not confirmed while it is still being checked.
    assert client.post("/imports/commit", data={"key": key}).status_code == 302
    assert db_session.query(ImportUpload).filter_by(key=key).one().phase == "checking"


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


def test_an_upload_left_half_way_by_a_request_that_died_can_be_confirmed(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 3))).get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    kept = db_session.query(ImportUpload).filter_by(key=key).one()
    kept.phase, kept.rows_done = "saving", 0
    kept.progress_at = kept.progress_at - uploads.STALLED_AFTER - dt.timedelta(minutes=1)
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
    monkeypatch.setitem(app.config, "PACK_RUNNER", "worker")
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

    work, claimed = uploads.claim_next_upload()
    assert work == "save"
    uploads.save_upload(claimed)
    assert client.get(f"/imports/{key}/status").get_json() == {
        "phase": "done",
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
    monkeypatch.setitem(app.config, "PACK_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    response = upload(client, f"/networks/{world.network.id}/import", csv_bytes(_rows(world, 7)))
    assert response.status_code == 302
    key = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/imports/{key}/status").get_json()["phase"] == "reading"
    html = client.get(f"/imports/{key}").get_data(as_text=True)
    assert 'class="ln-import-progress' in html and "Leser filen" in html
    assert client.post("/imports/commit", data={"key": key}).status_code == 302  # not yet: refused
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == 0

    work, kept = uploads.claim_next_upload()
    assert work == "check"
    uploads.check_upload(kept)
    assert client.get(f"/imports/{key}/status").get_json()["phase"] == "checked"
    html = client.get(f"/imports/{key}").get_data(as_text=True)
    assert "7 nye" in html and f'value="{key}"' in html
    assert uploads.claim_next_upload() is None


def test_an_unreadable_file_checked_after_the_request_says_why(
    app, client, auth, world, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "PACK_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    response = upload(
        client, f"/networks/{world.network.id}/import", b"PK\x03\x04 not a workbook", "data.xlsx"
    )
    key = response.headers["Location"].rsplit("/", 1)[1]
    uploads.check_upload(uploads.claim_next_upload()[1])
    html = client.get(f"/imports/{key}").get_data(as_text=True)
    assert "XLSX" in html and "is-invalid" in html
    assert db_session.query(ImportUpload).filter_by(key=key).one_or_none() is None
