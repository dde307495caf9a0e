"""A facilitator imports a file: the check and the save run after the request, and the page
follows their progress until the preview and then the result are there."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from learnnet.extensions import db
from learnnet.measurements.periods import add_months, default_entry_period, months_between
from learnnet.models import Measurement
from tests.clock import TODAY
from tests.learnnet import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def network(live_app):
    with live_app.app_context():
        f.configure_factories(db.session)
        last = default_entry_period(TODAY)
        start = add_months(last, -11)
        network = f.NetworkFactory(start_date=start, end_date=add_months(last, 12))
        f.TeamFactory(network=network, name="Importteam")
        measure = f.MeasureFactory(network=network, code="screening")
        facilitator = f.UserFactory(role="facilitator")
        network.facilitators.append(facilitator)
        db.session.commit()
        rows = "\n".join(
            f"Importteam,screening,{p:%Y-%m},{8 + k % 5},16"
            for k, p in enumerate(months_between(start, last))
        )
        world = SimpleNamespace(
            network_id=network.id,
            email=facilitator.email,
            password=f.PASSWORD,
            csv="team,measure_code,month,numerator,denominator\n" + rows + "\n",
            months=len(months_between(start, last)),
            measure_id=measure.id,
        )
        db.session.remove()
    return world


def test_import_with_progress_in_a_background_thread(new_page, network, live_app, monkeypatch, tmp_path):
    monkeypatch.setitem(live_app.config, "JOB_RUNNER", "thread")
    page = new_page("laptop", network.email, network.password)
    page.goto(f"/networks/{network.network_id}/import")
    path = tmp_path / "data.csv"
    path.write_text(network.csv, encoding="utf-8")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Kontroller filen").click()
    # The progress page turns into the preview by itself.
    expect(page.get_by_text(f"{network.months} nye")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name=re.compile("Importer")).click()
    expect(page.get_by_text(re.compile("Importerte data.csv"))).to_be_visible(timeout=30_000)
    with live_app.app_context():
        assert (
            db.session.query(Measurement).filter_by(measure_id=network.measure_id).count() == network.months
        )
        db.session.remove()
