"""A facilitator makes the next learning session's chart pack in one click and downloads it."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
import re
import zipfile
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from learnnet.extensions import db
from learnnet.measurements.periods import add_months, default_entry_period, months_between
from learnnet.models import LearningSession
from tests.clock import TODAY
from tests.learnnet import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def network(live_app):
    """Two teams with 14 months of a proportion, a facilitator, and a session next month."""
    with live_app.app_context():
        f.configure_factories(db.session)
        last = default_entry_period(TODAY)
        start = add_months(last, -13)
        network = f.NetworkFactory(start_date=start, end_date=add_months(last, 12))
        teams = [f.TeamFactory(network=network, name=f"Pakketeam {k}") for k in (1, 2)]
        measure = f.MeasureFactory(network=network, name="Beboere screenet for ernæringsrisiko", target=90.0)
        for k, team in enumerate(teams):
            for j, period in enumerate(months_between(start, last)):
                f.MeasurementFactory(
                    team=team, measure=measure, period=period, numerator=8 + (j + k) % 5, denominator=16
                )
        facilitator = f.UserFactory(role="facilitator", name="Vera Veileder")
        network.facilitators.append(facilitator)
        db.session.add(
            LearningSession(
                network_id=network.id,
                number=1,
                date=add_months(last, 2) + dt.timedelta(days=9),
                title="Oppstart",
            )
        )
        db.session.commit()
        world = SimpleNamespace(
            network_id=network.id, email=facilitator.email, password=f.PASSWORD, teams=[t.name for t in teams]
        )
        db.session.remove()
    return world


def test_facilitator_makes_the_pack_and_downloads_it(new_page, network, live_app, monkeypatch):
    # As in production: the request starts the build in a thread and the page polls its status.
    monkeypatch.setitem(live_app.config, "JOB_RUNNER", "thread")
    page = new_page("laptop", network.email, network.password)
    page.goto(f"/networks/{network.network_id}")
    page.get_by_role("button", name=re.compile("Lag diagrammene til samling 1")).click()
    expect(page.get_by_text(re.compile("Diagrampakken lages nå"))).to_be_visible()
    # The page follows the build by itself and shows the files when they are ready.
    pdf_link = page.get_by_test_id("pack-pdf").first
    expect(pdf_link).to_be_visible(timeout=90_000)
    expect(page.get_by_role("status").first).to_have_text("Ferdig.")
    # ... and no longer says the pack is being made
    expect(page.get_by_test_id("pack-notice")).to_have_text(re.compile("Diagrampakken er ferdig"))
    expect(page.get_by_text(re.compile("Diagrampakken lages nå"))).to_have_count(0)
    with page.expect_download() as pdf_download:
        pdf_link.click()
    pdf = PdfReader(io.BytesIO(pathlib.Path(pdf_download.value.path()).read_bytes()))
    # cover, contents, the network's one measure seen as one (pooled, teams with a signal), the
    # summary, a page per team
    assert len(pdf.pages) == 3 + 2 + len(network.teams)
    assert "Samling 1: Oppstart" in pdf.pages[0].extract_text()
    with page.expect_download() as zip_download:
        page.get_by_test_id("pack-zip").first.click()
    with zipfile.ZipFile(io.BytesIO(pathlib.Path(zip_download.value.path()).read_bytes())) as archive:
        teams = [name for name in archive.namelist() if not name.startswith("00-")]
        assert len(teams) == len(network.teams)
    # Loaded again once it is done, the page says the same.
    page.reload()
    expect(page.get_by_test_id("pack-notice")).to_have_text(re.compile("Diagrampakken er ferdig"))
    expect(page.get_by_text(re.compile("Diagrampakken lages nå"))).to_have_count(0)
    # The pack stays on the page for later.
    page.goto(f"/networks/{network.network_id}")
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
