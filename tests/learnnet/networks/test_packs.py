"""The learning-session pack: its data, its build, its reproducibility and the PDF's pages."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from dataclasses import replace
from functools import partial

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from learnnet import clock, jobs
from learnnet.models import Measurement, PdsaCycle, SessionPack
from learnnet.networks import packs
from tests.clock import day, month, nb_short_month
from tests.learnnet import factories as f
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_pack_data_holds_every_team_with_data_up_to_the_month_before_the_session(app, county):
    session = county.sessions[1]  # in the network's tenth month
    with app.test_request_context():
        data = packs.pack_data(session)
    assert [t.name for t in data.teams] == sorted(t.name for t in county.teams)
    assert all(len(t.charts) == 2 for t in data.teams)
    assert data.teams[0].charts[0].periods[-1] == nb_short_month(month(8))
    assert data.matrix is not None and len(data.matrix.cells) == 4
    sections = {t.name: t for t in data.teams}
    assert "Vekt" in " ".join(sections[county.teams[0].name].interventions)
    assert sections[county.teams[1].name].interventions == ()


@pytest.mark.parametrize(
    ("language", "title"), [("nb", "Samling 2: Midtveis"), ("en", "Learning session 2: Midtveis")]
)
def test_the_pack_title_names_the_session_once(app, county, language, title):
    county.sessions[1].title = "Samling 2: Midtveis"
    with app.test_request_context(), force_locale(language):
        assert packs.pack_data(county.sessions[1]).title == title


def _build(app, county, user, language="en", **kwargs) -> SessionPack:
    """A pack built as a job, by the runner, with ``build``'s own options."""
    with app.test_request_context():
        pack = packs.request_pack(county.sessions[1], user, language)
        assert jobs.claim(packs.JOB, pack.id)
        jobs.run(replace(packs.JOB, work=partial(packs.build, workers=1, **kwargs)), pack.id)
        return pack


def test_build_stores_a_pdf_with_the_expected_pages_and_a_zip_of_pngs(app, county, world):
    started = time.perf_counter()
    pack = _build(app, county, world.users["facilitator"])
    assert pack.status == "done", pack.error
    assert pack.progress == 100
    assert time.perf_counter() - started < 120
    reader = PdfReader(io.BytesIO(pack.pdf))
    # cover, contents, the network as one (a page per chart: each measure's pooled chart and its
    # teams with a signal), summary matrix, one page per team's chart: each is projected on its own
    measures = list(county.network.measures)
    assert len(measures) == 2
    assert len(reader.pages) == 3 + 2 * len(measures) + 2 * len(county.teams)
    text = [page.extract_text() for page in reader.pages]
    assert "Learning session 2: Midtveis" in text[0]
    assert "Contents" in text[1] and "The network as one" in text[1]
    for k, measure in enumerate(measures):
        pooled, signals = text[2 + 2 * k], text[3 + 2 * k]
        assert "The network as one" in pooled and "The network as one" in signals
        assert measure.name in pooled  # the pooled chart's title
        assert f"Teams with a signal: {measure.label}" in signals
    assert "Summary" in text[6]
    for k, team in enumerate(sorted(t.name for t in county.teams)):
        assert team in text[7 + 2 * k] and team in text[8 + 2 * k]
    with zipfile.ZipFile(io.BytesIO(pack.png_zip)) as archive:
        names = archive.namelist()
    # the network's pooled chart and teams with a signal per measure first, then the teams' charts
    assert len(names) == 2 * len(measures) + 2 * len(county.teams)
    assert all(name.startswith("00-") for name in names[:4])
    assert names[1].endswith("-signals.png")
    assert all(name.endswith(".png") for name in names)


def test_every_chart_has_a_zip_entry_of_its_own_named_by_team_and_measure(app, county, world, tmp_path):
    # two measures whose long names begin alike, as in the network on early detection
    county.screening.name = "Pasienter med fullstendig sett vitale tegn (NEWS2) ved innkomst"
    county.screening.short_name = "NEWS2 ved innkomst"
    county.falls.name = "Pasienter med fullstendig sett vitale tegn (NEWS2) ved mistanke om endret tilstand"
    county.falls.short_name = "NEWS2 ved endret tilstand"
    pack = _build(app, county, world.users["facilitator"], language="nb")
    assert pack.status == "done", pack.error
    with zipfile.ZipFile(io.BytesIO(pack.png_zip)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    assert len(list(tmp_path.rglob("*.png"))) == len(names) == 4 + 2 * len(county.teams)
    assert names[4:6] == [  # the first team by name: "Borre, avd. B"
        "01-borre-avd-b/01-news2-ved-innkomst.png",
        "01-borre-avd-b/02-news2-ved-endret-tilstand.png",
    ]


def test_the_same_data_gives_the_same_files(app, county, world):
    first = _build(app, county, world.users["facilitator"], reuse=False)
    second = _build(app, county, world.users["facilitator"], reuse=False)
    assert first.content_hash == second.content_hash
    assert first.pdf == second.pdf
    assert first.png_zip == second.png_zip
    assert first.pptx is not None and first.pptx == second.pptx


def test_a_failed_build_says_so(app, county, world, monkeypatch):
    def broken(_data, **_kwargs):
        raise RuntimeError("no paper")

    monkeypatch.setattr(packs, "render_pack", broken)
    pack = _build(app, county, world.users["facilitator"], reuse=False)
    assert pack.status == "failed"
    assert "no paper" in pack.error


def test_flask_packs_work_still_makes_queued_packs_and_says_its_new_name(
    app, county, world, runner, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "PACK_WORKERS", 1)
    with app.test_request_context():
        pack = packs.request_pack(county.sessions[0], world.users["facilitator"], "nb")
    db_session.commit()
    pack_id = pack.id
    result = runner.invoke(args=["packs", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert f"pack {pack_id}: done" in result.stdout
    assert "flask packs work is now flask jobs work" in result.stderr
    pack = db_session.get(SessionPack, pack_id)
    assert pack.status == "done" and pack.pdf.startswith(b"%PDF")
    assert jobs.claim_next((packs.JOB,)) is None


def test_flask_jobs_work_takes_over_a_pack_whose_process_died(
    app, county, world, runner, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "PACK_WORKERS", 1)
    with app.test_request_context():
        pack = packs.request_pack(county.sessions[0], world.users["facilitator"], "nb")
    db_session.commit()
    assert jobs.claim(packs.JOB, pack.id)  # a worker took it and was killed while drawing
    pack.heartbeat_at = clock.now() - jobs.STALLED_AFTER - dt.timedelta(seconds=1)
    db_session.commit()
    pack_id = pack.id
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert f"pack {pack_id}: done" in result.output
    pack = db_session.get(SessionPack, pack_id)
    assert (pack.status, pack.attempts) == ("done", 2) and pack.pdf.startswith(b"%PDF")


def test_the_progress_moves_with_every_page_and_png_drawn(app, county, world, monkeypatch):
    recorded = []
    report = jobs.Report.__call__

    def recording(self, **values):
        if "progress" in values:
            recorded.append(values["progress"])
        report(self, **values)

    monkeypatch.setattr(jobs.Report, "__call__", recording)
    pack = _build(app, county, world.users["facilitator"], reuse=False)
    assert pack.status == "done", pack.error
    pages = len(PdfReader(io.BytesIO(pack.pdf)).pages)
    with zipfile.ZipFile(io.BytesIO(pack.png_zip)) as archive:
        pngs = len(archive.namelist())
    # collecting, drawing starts, then one report per page and per PNG; done is written at the end
    assert recorded[:2] == [5, packs.DRAWING_FROM]
    drawing = recorded[2:]
    assert len(drawing) == pages + pngs
    assert drawing == sorted(drawing) and drawing[0] > packs.DRAWING_FROM and drawing[-1] == 99
    assert len(set(drawing)) > 10  # moving on, not a jump
    assert pack.progress == 100


# --- what a facilitator projects ----------------------------------------------------------------

EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
NB_MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
JARGON = (
    "p′",
    "u′",
    "Laney",
    "p chart",
    "u chart",
    "p-diagram",
    "u-diagram",
    "sigma",
    "run chart",
    "diagram",
)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


@pytest.mark.parametrize(
    ("language", "mark"),
    [
        ("en", lambda m: f"{EN_MONTHS[m.month - 1]} {m.year} is the latest month entered"),
        ("nb", lambda m: f"{NB_MONTHS[m.month - 1].capitalize()} {m.year} er siste registrerte måned"),
    ],
)
def test_a_chart_whose_latest_month_is_missing_says_which_month_is_the_latest(
    app, county, db_session, language, mark
):
    # the second session's pack runs to month 8; Tjøme has not entered its screening for month 8
    tjome = county.teams[2]
    for m in db_session.scalars(
        select(Measurement).where(
            Measurement.team_id == tjome.id,
            Measurement.measure_id == county.screening.id,
            Measurement.period == month(8),
        )
    ):
        db_session.delete(m)
    db_session.flush()
    db_session.expire_all()
    with app.test_request_context(), force_locale(language):
        data = packs.pack_data(county.sessions[1])
    sections = {t.name: t for t in data.teams}
    screening, falls = sections[tjome.name].charts
    assert screening.text.subtitle == mark(month(7))
    assert falls.text.subtitle == ""  # its month 8 is there
    assert all(c.text.subtitle == "" for t in data.teams if t.name != tjome.name for c in t.charts)
    row = data.matrix.teams.index(tjome.name)
    value = data.matrix.cells[row][0].value
    assert "\n" in value and value.split("\n")[0].endswith("%")  # the value, its month beneath it
    assert "\n" not in data.matrix.cells[row][1].value


@pytest.mark.parametrize("language", ["en", "nb"])
def test_every_reading_in_the_pack_is_at_most_two_plain_sentences(app, county, language):
    with app.test_request_context(), force_locale(language):
        data = packs.pack_data(county.sessions[2])
    readings = [c.text.alt_description for t in data.teams for c in t.charts]
    readings += [m.pooled.text.alt_description for m in data.network.measures if m.pooled is not None]
    assert len(readings) == 2 * len(county.teams) + 2
    for reading in readings:
        assert 1 <= len(_sentences(reading)) <= 2, reading
        assert not [word for word in JARGON if word in reading], reading


def test_each_page_names_the_team_and_the_period_once(app, county):
    with app.test_request_context(), force_locale("en"):
        data = packs.pack_data(county.sessions[1])
    for team in data.teams:
        assert team.name not in team.subtitle  # the title names it
        first, last = month(-18), month(8)  # the data begin 18 months before the network's start
        assert team.subtitle.endswith(
            f"{EN_MONTHS[first.month - 1]} {first.year} – {EN_MONTHS[last.month - 1]} {last.year}"
        )
        for chart in team.charts:
            assert team.name not in chart.text.subtitle
            assert str(last.year) not in chart.text.subtitle
    network = data.network
    assert str(month(8).year) in network.subtitle
    assert all(m.pooled.text.subtitle == "" and m.signals.text.subtitle == "" for m in network.measures)


def test_a_team_page_lists_the_changes_and_pdsa_cycles_of_the_period(app, county, db_session):
    # the second session's period: after the first session's data (month 1) up to month 8
    borre, tjome = county.teams[1], county.teams[2]
    earlier = f.InterventionFactory(team=borre, title="Ernæringskontakt", start_date=day(-3, 2))
    db_session.add_all(
        [
            PdsaCycle(intervention=earlier, number=1, start_date=day(-2, 1)),  # before the period
            PdsaCycle(intervention=earlier, number=2, start_date=day(5, 3)),
            PdsaCycle(intervention=earlier, number=3, start_date=day(7, 3)),
        ]
    )
    f.InterventionFactory(team=tjome, title="Mat om kvelden", start_date=day(-5, 1))  # nothing since
    db_session.flush()
    db_session.expire_all()
    with app.test_request_context(), force_locale("en"):
        data = packs.pack_data(county.sessions[1])
    sections = {t.name: t for t in data.teams}
    (line,) = sections[borre.name].interventions
    name = lambda m: f"{EN_MONTHS[m.month - 1]} {m.year}"  # noqa: E731
    assert (
        line == f"{name(month(-3))}: Ernæringskontakt · PDSA 2 ({name(month(5))}), PDSA 3 ({name(month(7))})"
    )
    assert sections[tjome.name].interventions == ()
    assert "Vekt" in " ".join(sections[county.teams[0].name].interventions)


def test_the_summary_shows_a_signal_neither_better_nor_worse_as_the_dashboard_does():
    # the dashboard's "neutral": a runs signal without a better side
    assert packs._matrix_variation("neutral", "up") == "neutral"
    assert packs._matrix_variation("improvement", "down") == "improvement_low"
    assert packs._matrix_variation(None, "up") is None
