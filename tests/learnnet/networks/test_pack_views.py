"""Making a learning-session pack from the page: who may, its status, and the downloads."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pptx import Presentation
from pypdf import PdfReader

from learnnet import clock, jobs
from learnnet.measurements import recording
from learnnet.models import Measurement, SessionPack
from learnnet.networks import packs as pack_jobs
from tests.clock import day, month
from tests.learnnet import networkdata


@pytest.fixture
def county(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "inline")
    monkeypatch.setitem(app.config, "PACK_WORKERS", 1)
    return networkdata.build(world)


def _url(county, session=1):
    return f"/networks/{county.network.id}/sessions/{county.sessions[session].id}/pack"


def test_roles_who_may_make_and_see_packs(role_client, county):
    client = role_client.client
    can_see = role_client.role in ("admin", "centre", "facilitator")
    assert client.get(_url(county)).status_code == (200 if can_see else 403)
    assert client.post(_url(county)).status_code == (302 if can_see else 403)


def test_facilitator_makes_a_pack_and_downloads_it(client, auth, county, world, db_session):
    auth.login(world.users["facilitator"])
    response = client.post(_url(county))
    assert response.status_code == 302
    pack = db_session.query(SessionPack).one()
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    assert status["status"] == "done" and status["finished"] and status["progress"] == 100
    pdf = client.get(status["pdf"])
    assert pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    # cover, contents, the network as one (two pages per measure), summary, a page per team's chart
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    assert len(pages) == 3 + 2 * len(county.network.measures) + 2 * len(county.teams)
    assert "Nettverket samlet" in pages[2].extract_text()  # first after the contents
    archive = client.get(status["zip"])
    assert archive.mimetype == "application/zip"
    page = client.get(_url(county)).get_data(as_text=True)
    assert 'data-testid="pack-pdf"' in page and "packs.js" in page


def test_the_pack_is_also_a_presentation_in_the_users_language(client, auth, county, world, db_session):
    auth.login(world.users["facilitator"])  # who reads bokmål
    client.post(_url(county))
    pack = db_session.query(SessionPack).one()
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    response = client.get(status["pptx"])
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and disposition.endswith('.pptx"')
    slides = list(Presentation(io.BytesIO(response.data)).slides)
    measures, teams = len(county.network.measures), len(county.teams)
    # cover, contents, the network's pooled chart and teams with a signal per measure, summary,
    # then each team's chart per measure (every team here has numbers for both)
    assert len(slides) == 2 + 2 * measures + 1 + teams * measures
    titles = [slide.shapes.title.text for slide in slides]
    assert titles[1] == "Innhold" and titles[2 + 2 * measures] == "Sammendrag"
    first_team = sorted(t.name for t in county.teams)[0]
    assert titles[3 + 2 * measures].startswith(first_team)
    assert "Tallene" in slides[-1].notes_slide.notes_text_frame.text
    page = client.get(_url(county)).get_data(as_text=True)
    assert f'href="{status["pptx"]}"' in page


def test_a_pack_made_before_presentations_has_none_to_offer(client, auth, county, world, db_session):
    pack = SessionPack(
        session_id=county.sessions[1].id,
        status="done",
        step="done",
        progress=100,
        language="nb",
        data_until=month(8),
        error="",
        pdf=b"%PDF-1.4",
        png_zip=b"PK",
        pdf_size=8,
        zip_size=2,
    )
    db_session.add(pack)
    db_session.commit()
    auth.login(world.users["facilitator"])
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    assert status["pdf"] and status["pptx"] is None
    assert client.get(f"/networks/packs/{pack.id}/pptx").status_code == 404
    assert client.get(f"/networks/packs/{pack.id}/pdf").status_code == 200


def test_one_click_from_the_dashboard_prepares_the_next_session(client, auth, county, world, db_session):
    auth.login(world.users["facilitator"])
    page = client.get(f"/networks/{county.network.id}").get_data(as_text=True)
    assert f"/sessions/{county.sessions[2].id}/pack" in page  # the next session, in this month
    client.post(_url(county, 2))
    pack = db_session.query(SessionPack).one()
    assert pack.session_id == county.sessions[2].id and pack.status == "done"
    assert pack.data_until.isoformat() == month(21).isoformat()


def test_the_status_and_files_of_a_pack_are_private(client, auth, county, world, db_session):
    auth.login(world.users["facilitator"])
    client.post(_url(county))
    pack = db_session.query(SessionPack).one()
    for role in ("team_member", "viewer"):
        auth.logout()
        auth.login(world.users[role])
        assert client.get(f"/networks/packs/{pack.id}/status").status_code == 403
        assert client.get(f"/networks/packs/{pack.id}/pdf").status_code == 403
        assert client.get(f"/networks/packs/{pack.id}/pptx").status_code == 403
    assert client.get("/networks/packs/999999/status").status_code == 404


def test_a_running_pack_is_not_started_twice(client, auth, county, world, db_session, app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    client.post(_url(county))
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 1
    pack = db_session.query(SessionPack).one()
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    assert status["status"] == "queued" and not status["finished"] and status["pdf"] is None
    assert client.get(f"/networks/packs/{pack.id}/pdf").status_code == 404


def _running(county, db_session, heartbeat_seconds_ago: float) -> SessionPack:
    """A pack of everything, in Norwegian, being drawn by a process that last showed it was alive
    so many seconds ago."""
    started = clock.now() - dt.timedelta(minutes=5)
    session = county.sessions[1]
    everything = pack_jobs.default_choice(county.network)
    pack = SessionPack(
        session_id=county.sessions[1].id,
        status="running",
        step="drawing",
        progress=40,
        language="nb",
        data_until=month(8),
        choice=everything.as_json(),
        request_key=pack_jobs.request_key(session, everything, "nb"),
        error="",
        created_at=started,
        started_at=started,
        heartbeat_at=clock.now() - dt.timedelta(seconds=heartbeat_seconds_ago),
        attempts=1,
    )
    db_session.add(pack)
    db_session.commit()
    return pack


def test_a_build_with_a_heartbeat_is_being_made_however_long_it_takes(
    client, auth, county, world, db_session
):
    pack = _running(county, db_session, heartbeat_seconds_ago=50)
    auth.login(world.users["facilitator"])
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    assert status["status"] == "running" and not status["finished"]
    assert status["step"] == "Tegner diagrammene …"
    client.post(_url(county))  # follows the one being made
    assert db_session.query(SessionPack).count() == 1


def test_a_build_that_died_with_its_process_says_so_within_a_minute_and_can_be_started_again(
    client, auth, county, world, db_session
):
    dead = _running(county, db_session, heartbeat_seconds_ago=jobs.STALLED_AFTER.total_seconds() + 1)
    auth.login(world.users["facilitator"])
    status = client.get(f"/networks/packs/{dead.id}/status").get_json()
    assert status["status"] == "failed" and status["finished"]
    assert status["step"] == "Arbeidet stoppet før det ble ferdig. Start det på nytt."
    page = client.get(_url(county)).get_data(as_text=True)
    assert "Arbeidet stoppet før det ble ferdig." in page and 'data-testid="build-pack"' in page
    client.post(_url(county))
    assert db_session.query(SessionPack).filter_by(status="done").count() == 1
    # The dead one is given up: no worker takes it over beside the new one.
    db_session.refresh(dead)
    assert (dead.status, dead.step) == ("failed", "stopped")
    assert jobs.claim_next((pack_jobs.JOB,)) is None


def test_a_build_whose_thread_vanished_with_its_process_says_so_within_a_minute(
    client, auth, county, world, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "thread")
    # The request claims the build for its process, which dies before the thread does anything.
    monkeypatch.setattr(jobs, "_run_in_app", lambda app, kind, row_id: None)
    auth.login(world.users["facilitator"])
    client.post(_url(county))
    pack = db_session.query(SessionPack).one()
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    assert status["status"] == "running" and not status["finished"]
    pack.heartbeat_at = clock.now() - jobs.STALLED_AFTER - dt.timedelta(seconds=1)
    db_session.commit()
    status = client.get(f"/networks/packs/{pack.id}/status").get_json()
    assert status["status"] == "failed" and status["finished"]
    assert status["step"] == "Arbeidet stoppet før det ble ferdig. Start det på nytt."


def _heading(page: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


@pytest.mark.parametrize(
    ("language", "title", "heading"),
    [
        ("nb", "Samling 2: Midtveis", "Diagrampakke for samling 2: Midtveis"),
        ("nb", "samling 2 – Midtveis", "Diagrampakke for samling 2: Midtveis"),
        ("nb", "Midtveis", "Diagrampakke for samling 2: Midtveis"),
        ("nb", "Samling 2", "Diagrampakke for samling 2"),
        ("en", "Samling 2: Midtveis", "Chart pack for learning session 2: Midtveis"),
        ("en", "Learning session 2: Halfway", "Chart pack for learning session 2: Halfway"),
        ("nb", "Samling 20 år etter", "Diagrampakke for samling 2: Samling 20 år etter"),
    ],
)
def test_the_pack_page_names_the_session_once(
    client, auth, county, world, db_session, language, title, heading
):
    county.sessions[1].title = title
    world.users["facilitator"].language = language
    db_session.commit()
    auth.login(world.users["facilitator"])
    assert _heading(client.get(_url(county)).get_data(as_text=True)) == heading


BEING_MADE = "Diagrampakken lages nå"
READY = "Diagrampakken er ferdig"


def test_a_finished_pack_is_not_said_to_be_still_in_the_making(client, auth, county, world, db_session):
    auth.login(world.users["facilitator"])
    response = client.post(_url(county), follow_redirects=True)  # made in the request here
    page = response.get_data(as_text=True)
    assert READY in page and BEING_MADE not in page
    assert "Ferdig." in page
    # coming back later, nothing claims it is being made either
    later = client.get(_url(county)).get_data(as_text=True)
    assert BEING_MADE not in later and 'data-testid="pack-pdf"' in later


def test_a_pack_being_made_says_so_and_carries_what_to_say_when_ready(
    client, auth, county, world, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    page = client.post(_url(county), follow_redirects=True).get_data(as_text=True)
    notice = re.search(r'<div[^>]*data-testid="pack-notice"[^>]*>([^<]*)</div>', page)
    assert notice is not None and BEING_MADE in notice.group(1)
    assert f'data-done="{READY}' in notice.group(0)  # the page's script shows it when the pack is done
    # asking again follows the pack already being made rather than starting another
    again = client.post(_url(county))
    pack = db_session.query(SessionPack).one()
    assert again.headers["Location"].endswith(f"?pack={pack.id}")


# --- choosing what goes in, and one build per content ----------------------------------------


def _choose(county, teams, measures, notes=None, positions=None) -> dict:
    """The pack page's form: the teams and measures ticked, a position per measure, a text per team."""
    form = {"choose": "1"}
    for team in teams:
        form[f"team_{team.id}"] = "y"
    for team, text in (notes or {}).items():
        form[f"note_{team.id}"] = text
    for measure in measures:
        form[f"measure_{measure.id}"] = "y"
    for measure, position in (positions or {}).items():
        form[f"position_{measure.id}"] = str(position)
    return form


def _pages_text(client, pack) -> list[str]:
    pdf = client.get(f"/networks/packs/{pack.id}/pdf")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]


def test_the_facilitator_chooses_teams_measures_their_order_and_a_text(
    client, auth, county, world, db_session
):
    auth.login(world.users["facilitator"])
    page = client.get(_url(county)).get_data(as_text=True)
    # everything is ticked at first, and the text field says no patient information goes there
    for team in county.teams:
        assert re.search(
            rf'<input[^>]*checked[^>]*name="team_{team.id}"|name="team_{team.id}"[^>]*checked', page
        )
    assert "aggregerte" in page and "pasient" in page
    borre, tjome = county.teams[1], county.teams[2]
    learned = "Vekt hver mandag virket.\n\nNeste: kveldsmåltid."
    form = _choose(
        county,
        [tjome, borre],
        [county.screening, county.falls],
        notes={borre: learned},
        positions={county.falls: 1, county.screening: 2},
    )
    response = client.post(_url(county), data=form)
    assert response.status_code == 302
    pack = db_session.query(SessionPack).one()
    assert pack.status == "done", pack.error
    text = _pages_text(client, pack)
    # cover, contents, the network as one (falls first; a pooled chart and a teams-with-a-signal page
    # per measure), the summary, Borre's charts (one a page) and its text, then Tjøme's charts: two
    # teams of four, by name
    assert len(text) == 2 + 2 * 2 + 1 + (2 + 1) + 2
    assert "Fall" in text[2] and county.falls.name in text[2]
    assert county.screening.name in text[4]
    assert borre.name in text[7] and tjome.name not in text[7]
    assert borre.name in text[9] and "Hva vi lærte" in text[9]
    assert "Vekt hver mandag virket." in text[9] and "Neste: kveldsmåltid." in text[9]
    assert tjome.name in text[10]
    assert all(county.teams[0].name not in t for t in text[7:])
    # the falls chart comes first among a team's pages too
    assert county.falls.name in text[7] and county.screening.name in text[8]
    # the page shows what the pack holds
    page = client.get(_url(county)).get_data(as_text=True)
    content = re.search(r'data-testid="pack-content">(.*?)</div>', page, re.S).group(1)
    assert borre.name in content and tjome.name in content and county.teams[0].name not in content


def test_a_choice_without_a_team_or_a_measure_is_refused_with_a_reason(
    client, auth, county, world, db_session
):
    auth.login(world.users["facilitator"])
    response = client.post(_url(county), data=_choose(county, [], [county.falls]))
    assert response.status_code == 400
    assert "Velg minst ett team." in response.get_data(as_text=True)
    response = client.post(_url(county), data=_choose(county, county.teams, []))
    assert response.status_code == 400
    assert "Velg minst én måling." in response.get_data(as_text=True)
    assert db_session.query(SessionPack).count() == 0


def test_asking_again_for_the_same_content_gives_the_pack_already_made(
    client, auth, county, world, db_session
):
    auth.login(world.users["facilitator"])
    locations = {client.post(_url(county)).headers["Location"] for _ in range(4)}
    pack = db_session.query(SessionPack).one()  # four clicks, one pack
    assert pack.status == "done"
    assert locations == {f"{_url(county)}?pack={pack.id}"}
    # the same choice from the pack's page is the same content as the dashboard's one click
    form = _choose(county, county.teams, [county.screening, county.falls])
    assert client.post(_url(county), data=form).headers["Location"].endswith(f"?pack={pack.id}")
    assert db_session.query(SessionPack).count() == 1


def test_a_changed_choice_or_changed_data_builds_anew(client, auth, county, world, db_session):
    auth.login(world.users["facilitator"])
    client.post(_url(county))
    fewer = _choose(county, county.teams[:2], [county.screening, county.falls])
    client.post(_url(county), data=fewer)
    reordered = _choose(county, county.teams, [county.screening, county.falls], positions={county.falls: 1})
    client.post(_url(county), data=reordered)
    with_text = _choose(
        county, county.teams, [county.screening, county.falls], notes={county.teams[0]: "Tavlemøter"}
    )
    client.post(_url(county), data=with_text)
    assert db_session.query(SessionPack).count() == 4
    # a month of the pack's data corrected: the same click now builds a new pack
    saved = (
        db_session.query(Measurement)
        .filter_by(team_id=county.teams[0].id, measure_id=county.screening.id, period=month(5))
        .one()
    )
    change = recording.Change(
        saved.team_id,
        saved.measure_id,
        saved.period,
        recording.Values(saved.denominator - 1, saved.denominator),
        recording.Base(saved.id, saved.version),
    )
    recording.save_many([change], world.users["facilitator"])
    db_session.commit()
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 5
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 5


def test_a_changed_target_name_or_change_idea_builds_anew(client, auth, county, world, db_session):
    # what the pages show beside the numbers is content too: the same click after such a change
    # must not hand back the pack drawn before it
    from tests.learnnet import factories as f

    auth.login(world.users["facilitator"])
    client.post(_url(county))
    county.screening.target = 80.0
    db_session.commit()
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 2
    county.teams[1].name = "Borre, avd. B (ny)"
    db_session.commit()
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 3
    f.InterventionFactory(
        team=county.teams[1], title="Måltidsvert", short_label="Vert", start_date=day(20, 3)
    )
    db_session.commit()
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 4
    client.post(_url(county))
    assert db_session.query(SessionPack).count() == 4


def test_a_pack_of_another_choice_is_built_while_one_is_being_made(
    client, auth, county, world, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "worker")
    auth.login(world.users["facilitator"])
    client.post(_url(county))
    client.post(_url(county), data=_choose(county, county.teams[:1], [county.falls]))
    client.post(_url(county))  # the first again, still waiting: followed
    assert db_session.query(SessionPack).filter_by(status="queued").count() == 2
