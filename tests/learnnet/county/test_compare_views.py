"""The county comparison: who may see it, what it shows, and small numbers suppressed everywhere."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.clock import ym
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def _args(county, **extra):
    return {"measure": county.screening.id, "first": ym(10), "last": ym(21), **extra}


def test_roles_who_may_compare(role_client, county):
    response = role_client.client.get("/county/compare", query_string=_args(county))
    expected = {"admin": 200, "centre": 200, "facilitator": 200, "viewer": 200, "team_member": 403}
    assert response.status_code == expected[role_client.role]


def test_facilitator_of_another_network_may_not_compare_it(client, auth, county, world):
    from tests.learnnet import factories as f

    stranger = f.UserFactory(role="facilitator", email="stranger@example.no")
    auth.login(stranger)
    assert client.get("/county/compare", query_string=_args(county)).status_code == 403


def test_centre_sees_every_unit_with_z_scores_and_the_effect(client, auth, county, world):
    auth.login(world.users["centre"])
    page = client.get("/county/compare", query_string=_args(county)).get_data(as_text=True)
    for team in county.teams:
        assert team.name in page
    assert "suppression-note" not in page
    assert "effect-sentence" in page
    for path in ("/county/compare/funnel.svg", "/county/compare/effect.svg", "/county/compare/multiples.svg"):
        response = client.get(path, query_string=_args(county))
        assert response.status_code == 200, path
        assert response.mimetype == "image/svg+xml"


def test_municipalities_aggregate_their_units(client, auth, county, world):
    auth.login(world.users["centre"])
    response = client.get("/county/compare/units.csv", query_string=_args(county, level="municipality"))
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    labels = [r[0] for r in rows[1:3]]
    assert labels == ["Færder", "Horten"]


def _one_month(county):
    # One month: the small ward's counts (4 residents) are below the threshold.
    return _args(county, first=ym(21), last=ym(21))


def _line(text, name):
    return [line for line in text.splitlines() if line.startswith(name)][0]


def test_viewer_gets_small_units_suppressed_in_page_and_exports(client, auth, county, world):
    auth.login(world.users["viewer"])
    page = client.get("/county/compare", query_string=_one_month(county)).get_data(as_text=True)
    assert "suppression-note" in page
    assert "Alle anslag er beregnet av alle tallene" in page
    response = client.get("/county/compare/units.csv", query_string=_one_month(county))
    tiny = _line(response.get_data(as_text=True), county.tiny.name).split(";")
    assert tiny[2:6] == ["", "", "", ""]
    big = _line(response.get_data(as_text=True), county.teams[0].name).split(";")
    assert big[2] and big[3]
    workbook = load_workbook(
        io.BytesIO(client.get("/county/compare/units.xlsx", query_string=_one_month(county)).data)
    )
    sheet = workbook.active
    tiny_row = [row for row in sheet.iter_rows(values_only=True) if row[0] == county.tiny.name][0]
    assert tiny_row[2] is None and tiny_row[3] is None and tiny_row[4] is None
    # The small ward's monthly points are gaps in the small multiples; the big wards' are drawn.
    assert client.get("/county/compare/multiples.svg", query_string=_one_month(county)).status_code == 200


def test_members_of_the_small_unit_see_its_numbers(client, auth, county):
    auth.login(county.tiny_viewer)
    response = client.get("/county/compare/units.csv", query_string=_one_month(county))
    tiny = _line(response.get_data(as_text=True), county.tiny.name).split(";")
    assert tiny[3] == "4"


def test_centre_sees_everything_but_may_ask_for_the_published_view(client, auth, county, world):
    auth.login(world.users["centre"])
    response = client.get("/county/compare/units.csv", query_string=_one_month(county))
    assert _line(response.get_data(as_text=True), county.tiny.name).split(";")[3] == "4"
    response = client.get("/county/compare/units.csv", query_string=_one_month(county) | {"published": 1})
    assert _line(response.get_data(as_text=True), county.tiny.name).split(";")[3] == ""


def test_malformed_parameters_fall_back_to_defaults(client, auth, county, world):
    auth.login(world.users["centre"])
    response = client.get(
        "/county/compare",
        query_string={
            "measure": county.screening.id,
            "first": "x",
            "last": "2026-99",
            "level": "?",
            "adjust": "lots",
        },
    )
    assert response.status_code == 200
    assert client.get("/county/compare", query_string={"measure": 999999}).status_code == 404
    assert client.get("/county/compare/funnel.gif", query_string=_args(county)).status_code == 404


def test_facilitators_reach_the_comparison_from_the_menu(client, auth, county, world):
    auth.login(world.users["facilitator"])
    home = client.get("/networks/").get_data(as_text=True)
    assert 'href="/county/compare"' in home
    page = client.get("/county/compare")
    assert page.status_code == 200
    # the networks they facilitate are offered
    assert county.network.name in page.get_data(as_text=True)


def test_the_centre_reaches_the_answer_in_two_clicks_from_home(client, auth, county, world):
    import html
    import re

    auth.login(world.users["centre"])
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    links = re.findall(r'href="([^"]*period=year[^"]*)"', home)
    wanted = [link for link in links if f"measure={county.screening.id}" in link]
    assert wanted, "the county overview links straight to this year's answer"
    page = client.get(html.unescape(wanted[0])).get_data(as_text=True)
    answer = re.search(r'data-testid="answer">([^<]*)<', page).group(1)
    assert "av 4 enheter" in answer and "KI" in answer
    assert 'data-testid="forest"' in page
    assert (
        client.get(
            "/county/compare/forest.png", query_string={"measure": county.screening.id, "period": "year"}
        ).mimetype
        == "image/png"
    )


def _verdicts(client, county, extra=None):
    query = {"measure": county.screening.id, "period": "start"} | (extra or {})
    text = client.get("/county/compare/effects.csv", query_string=query).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    return {row[0]: row[1:] for row in rows[1:] if row and row[0]}


def test_a_viewer_exports_the_centres_verdicts_or_suppressed(client, auth, county, world):
    auth.login(world.users["centre"])
    centre = _verdicts(client, county)
    client.post("/logout")
    auth.login(world.users["viewer"])
    viewer = _verdicts(client, county)
    teams = [team.name for team in county.teams]
    assert set(teams) <= viewer.keys()
    for name in teams:
        if viewer[name][0] != "skjult":
            assert viewer[name] == centre[name], name


def test_limits_are_chosen_automatically_and_named_with_their_scale(client, auth, county, world):
    auth.login(world.users["centre"])
    page = client.get("/county/compare", query_string=_args(county)).get_data(as_text=True)
    assert '<option value="auto" selected>' in page
    method = page.split('data-testid="funnel-method">', 1)[1].split("</p>", 1)[0]
    assert "vinkelskalaen" in method and "Valgt automatisk" in method
    plain = client.get("/county/compare", query_string=_args(county, adjust="none")).get_data(as_text=True)
    method = plain.split('data-testid="funnel-method">', 1)[1].split("</p>", 1)[0]
    assert "Eksakte binomiske grenser" in method and "Valgt automatisk" not in method


def test_only_proportions_and_rates_are_compared(client, auth, county, world):
    from tests.learnnet import factories as f

    counted = f.MeasureFactory(network=county.network, code="falls.count", value_kind="count", position=5)
    auth.login(world.users["centre"])
    assert client.get("/county/compare", query_string={"measure": counted.id}).status_code == 404


def test_a_window_past_last_month_ends_at_last_month(client, auth, county, world):
    auth.login(world.users["centre"])
    page = client.get("/county/compare", query_string=_args(county, last="2199-12")).get_data(as_text=True)
    assert f'id="last" name="last" value="{ym(21)}"' in page
    assert "desember 2199" not in page
