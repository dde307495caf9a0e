"""What users read on a tablet and on the projector: contrast, labels, the network matrix and its
key, the comparison filters."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from learnnet.extensions import db
from learnnet.measurements.periods import add_months, default_entry_period, months_between
from learnnet.models import UnitMembership
from tests.clock import TODAY
from tests.learnnet import factories as f

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
MEASURES = [
    ("NEWS2 ved innkomst", "Pasienter med fullstendig sett vitale tegn (NEWS2) ved innkomst", 90.0),
    (
        "NEWS2 ved endret tilstand",
        "Pasienter med fullstendig sett vitale tegn (NEWS2) ved endret tilstand",
        80.0,
    ),
    ("ISBAR ved legekontakt", "Kontakter med lege ved endret tilstand som er strukturert etter ISBAR", 80.0),
    ("Uplanlagte innleggelser", "Uplanlagte sykehusinnleggelser per 1 000 liggedøgn", None),
    ("Screening ernæring", "Beboere screenet for ernæringsmessig risiko innen fristen", 90.0),
    ("Trykksår", "Beboere med trykksår kategori 2 eller høyere", None),
    ("Fall", "Fall per 1 000 liggedøgn", None),
    ("Vektmåling", "Beboere veid siste måned", 95.0),
]
TEAMS = [
    "Bjønnesåsen sykehjem, avdeling 2",
    "Indre havn sykehjem, skjermet enhet",
    "Smidsrød helsehus, korttidsavdeling",
    "Re helsehus, langtidsavdeling",
    "Tjølling sykehjem",
]

# WCAG 2 contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """
(el) => {
  const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c[3] > 0.99) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255, 1];
  const fg = rgba(getComputedStyle(el).color);
  const mixed = [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
  const lum = (c) => { const l = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const [a, b] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.fixture
def network(live_app):
    """Eight measures with long names, five teams with long names, 14 months of data, a
    facilitator, a centre user and a member of the first team."""
    with live_app.app_context():
        f.configure_factories(db.session)
        last = default_entry_period(TODAY)
        start = add_months(last, -13)
        network = f.NetworkFactory(start_date=start, end_date=add_months(last, 12))
        teams = [f.TeamFactory(network=network, unit=f.UnitFactory(name=name)) for name in TEAMS]
        measures = [
            f.MeasureFactory(network=network, short_name=short, name=name, target=target)
            for short, name, target in MEASURES
        ]
        for k, team in enumerate(teams):
            for j, period in enumerate(months_between(start, last)):
                for i, measure in enumerate(measures):
                    # Some teams drift up late, so the matrix shows more than common cause.
                    numerator = 9 + (j + k + i) % 4 + (6 if k == i % len(teams) and j > 8 else 0)
                    f.MeasurementFactory(
                        team=team, measure=measure, period=period, numerator=numerator, denominator=16
                    )
        facilitator = f.UserFactory(role="facilitator", name="Vera Veileder")
        network.facilitators.append(facilitator)
        centre = f.UserFactory(role="centre", name="Kari Senter")
        member = f.UserFactory(role="team_member", name="Kari Nordmann")
        member.memberships.append(UnitMembership(unit=teams[0].unit))
        db.session.commit()
        world = SimpleNamespace(
            network_id=network.id,
            team_id=teams[0].id,
            measure_ids=[m.id for m in measures],
            measure_names=[m.name for m in measures],
            facilitator=facilitator.email,
            centre=centre.email,
            member=member.email,
            password=f.PASSWORD,
        )
        db.session.remove()
    return world


def open_as(browser, live_server, email, password, viewport):
    context = browser.new_context(viewport=viewport, locale="nb-NO", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord", exact=True).fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


@pytest.fixture
def as_user(browser, live_server, network):
    contexts = []

    def open_page(email, viewport=TABLET):
        context, page = open_as(browser, live_server, email, network.password, viewport)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def contrasts(page, selector):
    return {
        (el.inner_text().strip() or el.get_attribute("aria-label") or "?"): el.evaluate(CONTRAST_JS)
        for el in page.locator(selector).all()
        if el.is_visible()
    }


@pytest.mark.parametrize(
    "who, path", [("member", "/teams/{team}/entry"), ("facilitator", "/networks/{network}")]
)
def test_navigation_text_meets_wcag_aa_contrast(as_user, network, who, path):
    page = as_user(getattr(network, who))
    page.goto(path.format(team=network.team_id, network=network.network_id))
    found = contrasts(page, "nav.navbar .nav-link, nav.navbar .navbar-text")
    # The menu, "API tokens" and the user's name are all there to check.
    assert "API-tokens" in found
    assert {"Kari Nordmann", "Vera Veileder"} & set(found)
    assert len(found) >= 3
    low = {text: round(ratio, 2) for text, ratio in found.items() if ratio < 4.5}
    assert not low, f"below 4.5:1: {low}"


def test_matrix_icons_meet_wcag_aa_contrast(as_user, network):
    page = as_user(network.facilitator)
    page.goto(f"/networks/{network.network_id}")
    found = {el.get_attribute("class"): el.evaluate(CONTRAST_JS) for el in page.locator(".ln-icon").all()}
    assert any("ln-var-common" in c for c in found)
    low = {c: round(r, 2) for c, r in found.items() if r < 4.5}
    assert not low, f"below 4.5:1: {low}"


def test_matrix_fits_the_projector(as_user, network):
    page = as_user(network.facilitator, PROJECTOR)
    page.goto(f"/networks/{network.network_id}")
    matrix = page.get_by_test_id("matrix")
    box = page.locator(".table-responsive:has([data-testid=matrix])")
    assert box.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the matrix scrolls sideways at 1920 px"
    # Every measure column is on screen without scrolling.
    for name in (m[0] for m in MEASURES):
        header = matrix.get_by_role("columnheader", name=re.compile(re.escape(name)))
        edge = header.bounding_box()
        assert edge["x"] + edge["width"] <= PROJECTOR["width"], name


def test_matrix_scrolls_in_its_box_on_a_tablet_with_the_team_in_view(as_user, network):
    page = as_user(network.facilitator, TABLET)
    page.goto(f"/networks/{network.network_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    # The first four measures are readable without scrolling.
    for name in (m[0] for m in MEASURES[:4]):
        header = page.get_by_test_id("matrix").get_by_role("columnheader", name=re.compile(re.escape(name)))
        edge = header.bounding_box()
        assert edge["x"] + edge["width"] <= TABLET["width"], name
    # Eight measures do not fit 1024 px: the table scrolls in its own box, not the page.
    box = page.locator(".table-responsive:has([data-testid=matrix])")
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    team = page.get_by_test_id("matrix").get_by_role("rowheader").first
    left = box.bounding_box()["x"]
    assert team.bounding_box()["x"] >= left - 1, "the team column scrolled out of view"
    expect(team).to_contain_text(TEAMS[0])


def test_matrix_key_is_visible_and_in_norwegian(as_user, network):
    page = as_user(network.facilitator, TABLET)
    page.goto(f"/networks/{network.network_id}")
    key = page.get_by_test_id("matrix-legend")
    expect(key).to_be_visible()
    for text in (
        "Tilfeldig variasjon",
        "Spesiell variasjon: forbedring",
        "Spesiell variasjon: bekymring",
        "Spesiell variasjon: verken bedre eller dårligere",
        "Når målet",
        "Når ikke målet",
        "Når målet av og til",
    ):
        expect(key).to_contain_text(text)
    # English Pass/Fail letters have no place in the Norwegian matrix.
    symbols = page.locator("[data-testid=matrix] .ln-icon").all_inner_texts()
    assert symbols and not {"P", "F"} & set(symbols)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def test_each_comment_box_is_named_after_its_measure(as_user, network):
    page = as_user(network.member, TABLET)
    page.goto(f"/teams/{network.team_id}/entry")
    for measure_id, name in zip(network.measure_ids, network.measure_names):
        page.locator(f"section[data-measure='{measure_id}'] summary", has_text="Kommentar").click()
        box = page.get_by_role("textbox", name=f"Kommentar til {name}", exact=True)
        expect(box).to_have_count(1)
        expect(box).to_have_attribute("id", f"comment_{measure_id}")
        expect(box).to_have_accessible_description(re.compile("Skriv aldri navn"))


def test_comparison_filters_read_in_full_on_a_tablet(as_user, network):
    page = as_user(network.centre, TABLET)
    measure_id = network.measure_ids[1]
    page.goto(f"/county/compare?measure={measure_id}")
    measure = page.locator("select#measure")
    expect(measure.locator("option:checked")).to_have_text(MEASURES[1][0])
    needed, width = measure.evaluate(
        """(el) => {
          const s = getComputedStyle(el), ctx = document.createElement('canvas').getContext('2d');
          ctx.font = s.font;
          const text = ctx.measureText(el.options[el.selectedIndex].text).width;
          return [text + parseFloat(s.paddingLeft) + parseFloat(s.paddingRight), el.clientWidth];
        }"""
    )
    assert needed <= width, f"the chosen measure needs {needed:.0f} px, has {width} px"
    for field in ("first", "last", "change"):
        needed, width = page.locator(f"input#{field}").evaluate(
            """(el) => {
              const s = getComputedStyle(el), ctx = document.createElement('canvas').getContext('2d');
              ctx.font = s.font;
              // The longest month name is what the field must hold.
              const fmt = new Intl.DateTimeFormat(navigator.language, {month: 'long', year: 'numeric'});
              const text = Math.max(...[...Array(12).keys()].map((m) => ctx.measureText(fmt.format(new Date(2025, m, 15))).width));
              const picker = 1.5 * parseFloat(s.fontSize);
              return [text + picker + parseFloat(s.paddingLeft) + parseFloat(s.paddingRight), el.clientWidth];
            }"""
        )
        assert needed <= width, f"{field} needs {needed:.0f} px, has {width} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
