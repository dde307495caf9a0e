"""Browser tests: Playwright drives Debian's Chromium against learnnet served on localhost.

Without /usr/bin/chromium the tests skip, saying why; with ``LEARNNET_REQUIRE_BROWSER=1`` (set by
CI) a missing browser is a failure instead.
"""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest

from learnnet.extensions import db
from learnnet.models import UnitMembership
from tests.clock import last_day, month
from tests.learnnet import factories as f

CHROMIUM = os.environ.get("LEARNNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {
    "tablet-portrait": {"width": 810, "height": 1080},
    "tablet-landscape": {"width": 1080, "height": 810},
    "laptop": {"width": 1366, "height": 768},
}


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("LEARNNET_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"LEARNNET_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture
def county(live_app):
    """A network with a proportion, a rate and a count measure, two teams, a member of one.

    Committed, since the server runs in its own thread with its own connections; each test gets
    a network of its own so tests stay independent.
    """
    with live_app.app_context():
        f.configure_factories(db.session)
        network = f.NetworkFactory(start_date=month(0), end_date=last_day(35))
        unit = f.UnitFactory(name="Borre sykehjem, avd. 1")
        own = f.TeamFactory(network=network, unit=unit, name="Borre avd. 1")
        other = f.TeamFactory(network=network, name="Indre havn avd. 2")
        proportion = f.MeasureFactory(network=network, name="Beboere screenet for ernæringsrisiko")
        rate = f.RateMeasureFactory(network=network)
        count = f.CountMeasureFactory(network=network, name="Antall trykksår")
        member = f.UserFactory(role="team_member", name="Kari Nordmann")
        member.memberships.append(UnitMembership(unit=unit))
        colleague = f.UserFactory(role="team_member", name="Ola Hansen")
        colleague.memberships.append(UnitMembership(unit=unit))
        db.session.commit()
        world = SimpleNamespace(
            network_id=network.id,
            team_id=own.id,
            other_team_id=other.id,
            proportion_id=proportion.id,
            rate_id=rate.id,
            count_id=count.id,
            member_email=member.email,
            colleague_email=colleague.email,
            password=f.PASSWORD,
        )
        db.session.remove()
    return world


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(params=list(SIZES))
def size(request):
    return request.param


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies and storage) at a size, logged in or not."""
    contexts = []

    def open_page(size: str = "tablet-portrait", email: str | None = None, password: str | None = None):
        context = browser.new_context(viewport=SIZES[size], locale="nb-NO", base_url=live_server)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if email:
            login(page, email, password)
        return page

    yield open_page
    for context in contexts:
        context.close()


def login(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord", exact=True).fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/login" not in url)
