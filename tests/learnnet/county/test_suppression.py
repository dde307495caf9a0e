"""The one small-number rule, for each kind of viewer."""

from __future__ import annotations

import pytest

from learnnet.county import services
from learnnet.county.suppression import Suppression, is_hidden, policy
from learnnet.networks.services import dashboard
from tests.clock import month, ym
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_counts_below_the_threshold_are_hidden_only_for_outsiders(county, world):
    tiny, big = county.tiny, county.teams[0]
    teams = list(county.network.teams)
    outsider = policy(world.users["viewer"], teams, 5)
    insider = policy(county.tiny_viewer, teams, 5)
    assert is_hidden(outsider, tiny, 4, 4)
    assert not is_hidden(outsider, tiny, 5, 20)
    assert not is_hidden(outsider, tiny, None)
    assert not is_hidden(insider, tiny, 4, 4)
    assert is_hidden(insider, big, 4, 4)
    # pooled over several teams: hidden when the viewer is outside any of them
    assert is_hidden(insider, [tiny, big], 3)


@pytest.mark.parametrize(
    "role, sees_all",
    [
        ("admin", True),
        ("centre", True),
        ("facilitator", True),
        ("team_member", False),
        ("viewer", False),
    ],
)
def test_who_sees_every_team_of_the_network(county, world, role, sees_all):
    rule = policy(world.users[role], list(county.network.teams), 5)
    assert (rule.open_team_ids is None) == sees_all


def test_published_suppresses_for_everyone(county, world):
    rule = policy(world.users["admin"], list(county.network.teams), 5, published=True)
    assert is_hidden(rule, county.tiny, 4)


def test_threshold_is_configurable(county, world):
    rule = Suppression(threshold=3, open_team_ids=frozenset())
    assert not is_hidden(rule, county.tiny, 4)
    assert is_hidden(rule, county.tiny, 2)


def test_comparison_rows_carry_no_numbers_when_suppressed(county, world):
    window = services.Window(month(21), month(21))
    rule = policy(world.users["viewer"], list(county.network.teams), 5)
    comparison = services.compare(county.screening, window, rule)
    row = [r for r in comparison.rows if r.team is county.tiny][0]
    assert (
        row.hidden
        and row.numerator is None
        and row.denominator is None
        and row.value is None
        and row.z is None
    )
    assert comparison.hidden_count == 1
    assert county.tiny.name not in [r.label for r in comparison.shown]
    # The funnel pools the rows shown: a target that pooled the small unit too would, beside every
    # other unit's numbers, give its numbers away (the total minus the rest).
    shown = comparison.shown
    assert comparison.result.target == pytest.approx(
        sum(r.numerator for r in shown) / sum(r.denominator for r in shown)
    )
    assert comparison.unit_labels == tuple(r.label for r in shown)
    # whoever may open every unit gets every unit pooled
    open_rule = policy(world.users["centre"], list(county.network.teams), 5)
    everyone = services.compare(county.screening, window, open_rule)
    assert len(everyone.unit_labels) == len(shown) + 1
    assert everyone.result.target == pytest.approx(
        sum(r.numerator for r in everyone.shown) / sum(r.denominator for r in everyone.shown)
    )
    assert everyone.result.target != pytest.approx(comparison.result.target)


def test_charts_and_effects_hide_the_small_unit_for_outsiders(county, world):
    window = services.Window(month(10), month(21))
    rule = policy(world.users["viewer"], list(county.network.teams), 5)
    charts = {c.team.id: c for c in services.team_charts(county.screening, window, rule)}
    assert len(charts[county.tiny.id].hidden_positions) == len(charts[county.tiny.id].analysis.series.periods)
    assert charts[county.teams[0].id].hidden_positions == ()
    # the small ward's effect rests on more than 5 screenings over the months, so it is shown
    effect = services.network_effect(county.screening, month(0), window.last, rule)
    assert not [t for t in effect.teams if t.team is county.tiny][0].hidden


def test_the_network_series_pools_only_the_months_a_viewer_is_shown(county, world, db_session):
    from learnnet.models import Measurement

    last, change = month(21), month(0)
    teams = list(county.network.teams)
    viewer = services.network_effect(county.screening, change, last, policy(world.users["viewer"], teams, 5))
    centre = services.network_effect(county.screening, change, last, policy(world.users["centre"], teams, 5))
    rows = db_session.query(Measurement).filter_by(measure_id=county.screening.id, period=last).all()
    others = [m for m in rows if m.team_id != county.tiny.id]
    assert len(others) == len(rows) - 1

    def pooled(rows):
        return sum(m.numerator for m in rows) / sum(m.denominator for m in rows)

    assert centre.observed[centre.periods.index(last)] == pytest.approx(pooled(rows))
    # the small ward's month is hidden from the viewer, so it is not in the viewer's network line
    assert viewer.observed[viewer.periods.index(last)] == pytest.approx(pooled(others))


def test_dashboard_cells_hide_small_latest_months_for_outsiders(county, world):
    rule = policy(world.users["viewer"], list(county.network.teams), 5)
    board = dashboard(county.network, rule)
    cell = board.cell(county.tiny, county.screening)
    assert cell.hidden and cell.value is None and cell.variation is None
    assert not board.cell(county.teams[0], county.screening).hidden


def test_a_municipality_is_suppressed_with_its_small_unit(county, world):
    # Færder's total minus Tjøme (shown in the unit view) would give the small ward's count.
    window = services.Window(month(21), month(21))
    rule = policy(world.users["viewer"], list(county.network.teams), 5)
    rows = {r.label: r for r in services.compare(county.screening, window, rule, level="municipality").rows}
    assert rows["Færder"].hidden and rows["Færder"].numerator is None
    assert not rows["Horten"].hidden
    open_rows = services.compare(
        county.screening,
        window,
        policy(county.tiny_viewer, list(county.network.teams), 5),
        level="municipality",
    ).rows
    assert not [r for r in open_rows if r.label == "Færder"][0].hidden


def test_a_teams_effect_leaves_out_its_months_hidden_from_the_viewer(county, world, db_session):
    from learnnet.models import Measurement

    last, change = month(21), month(0)
    team = county.teams[0]
    rows = (
        db_session.query(Measurement)
        .filter_by(team_id=team.id, measure_id=county.screening.id)
        .filter(Measurement.period < change)
        .order_by(Measurement.period)
        .all()
    )
    small = rows[0]
    small.numerator, small.denominator = 2, 3  # below the threshold: hidden from outsiders
    db_session.flush()
    teams = list(county.network.teams)

    def before(role):
        effect = services.network_effect(county.screening, change, last, policy(world.users[role], teams, 5))
        return next(t for t in effect.teams if t.team is team)

    def rate(chosen):
        return 100 * sum(m.numerator for m in chosen) / sum(m.denominator for m in chosen)

    viewer, centre = before("viewer"), before("centre")
    assert not viewer.hidden  # the team's other months are large enough to show
    assert centre.before == pytest.approx(rate(rows))
    # beside the months shown, an average that held the small month would give it away
    assert viewer.before == pytest.approx(rate(rows[1:]))
    assert viewer.result.effect_at_change != pytest.approx(centre.result.effect_at_change)


def test_the_network_line_says_whose_it_is_when_units_are_hidden(county, world, client, auth):
    last, change = month(21), month(0)
    teams = list(county.network.teams)
    viewer = services.network_effect(county.screening, change, last, policy(world.users["viewer"], teams, 5))
    centre = services.network_effect(county.screening, change, last, policy(world.users["centre"], teams, 5))
    assert centre.complete and not viewer.complete
    url = f"/county/compare?measure={county.screening.id}&change={ym(0)}"
    auth.login(world.users["viewer"])
    page = client.get(url).get_data(as_text=True)
    assert "Teamene som vises, samlet" in page and "Alle team samlet" not in page
    client.post("/logout")
    auth.login(world.users["centre"])
    page = client.get(url).get_data(as_text=True)
    assert "Alle team samlet" in page and "Teamene som vises" not in page
