"""Exports follow who may see what; the team and network pages link to what the user may do."""

from __future__ import annotations

import pytest

from learnnet.imports.tables import read_table
from tests.clock import month
from tests.learnnet import factories as f


@pytest.mark.parametrize(
    ("role", "team", "status"),
    [
        ("team_member", "own_team", 200),
        ("team_member", "other_team", 403),
        ("viewer", "own_team", 403),
        ("facilitator", "other_team", 200),
        ("centre", "other_team", 200),
        ("admin", "far_team", 200),
    ],
)
def test_team_export_respects_who_may_see_the_team(client, auth, world, role, team, status):
    auth.login(world.users[role])
    for fmt in ("csv", "xlsx", "csv-semicolon"):
        assert client.get(f"/teams/{getattr(world, team).id}/export/{fmt}").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("team_member", 403), ("viewer", 403), ("facilitator", 200), ("centre", 200)]
)
def test_network_export_respects_who_may_see_the_network(client, auth, world, role, status):
    auth.login(world.users[role])
    assert client.get(f"/networks/{world.network.id}/export/xlsx").status_code == status


def test_team_export_holds_only_that_team(client, auth, world):
    f.MeasurementFactory(team=world.own_team, measure=world.measure, period=month(2))
    f.MeasurementFactory(team=world.other_team, measure=world.measure, period=month(2))
    auth.login(world.users["team_member"])
    response = client.get(f"/teams/{world.own_team.id}/export/csv")
    rows = read_table("x.csv", response.data).rows
    assert [r.cells["team"] for r in rows] == [world.own_team.name]
    assert response.headers["Content-Type"].startswith("text/csv")


def test_semicolon_export_is_for_norwegian_excel(client, auth, world, db_session):
    count = f.MeasureFactory(network=world.network, value_kind="continuous", multiplier=1.0)
    f.MeasurementFactory(
        team=world.own_team,
        measure=count,
        period=month(2),
        numerator=None,
        denominator=None,
        value=2.5,
    )
    auth.login(world.users["admin"])
    body = client.get(f"/teams/{world.own_team.id}/export/csv-semicolon").data
    assert body.startswith("\ufeff".encode())
    assert b";2,5;" in body


def test_team_page_links_to_import_and_export_for_a_member(client, auth, world):
    auth.login(world.users["team_member"])
    html = client.get(f"/teams/{world.own_team.id}").get_data(as_text=True)
    assert f"/teams/{world.own_team.id}/import" in html
    assert f"/teams/{world.own_team.id}/export/xlsx" in html


def test_network_page_links_to_import_only_for_facilitators(client, auth, world):
    auth.login(world.users["centre"])
    html = client.get(f"/networks/{world.network.id}").get_data(as_text=True)
    assert f"/networks/{world.network.id}/export/xlsx" in html
    assert f"/networks/{world.network.id}/import" not in html
    auth.logout()
    auth.login(world.users["facilitator"])
    html = client.get(f"/networks/{world.network.id}").get_data(as_text=True)
    assert f"/networks/{world.network.id}/import" in html
