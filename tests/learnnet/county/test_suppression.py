"""The one small-number rule, for each kind of viewer."""

from __future__ import annotations

import pytest

from learnnet.county import services
from learnnet.networks.services import dashboard
from learnnet.suppression import Suppression, is_hidden, policy
from tests.clock import month
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


def _page(county, user, window, change=None, **kw):
    teams = list(county.network.teams)
    return services.comparison_page(
        county.screening, window, change or month(0), policy(user, teams, 5), **kw
    )


def test_comparison_rows_carry_no_numbers_when_suppressed(county, world):
    window = services.Window(month(21), month(21))
    comparison = _page(county, world.users["viewer"], window).comparison
    row = [r for r in comparison.rows if r.team is county.tiny][0]
    assert row.hidden and row.numerator is None and row.denominator is None
    assert row.value is None and row.z is None
    assert county.tiny.name not in [r.label for r in comparison.shown]
    # The funnel is the centre's: computed from every unit, the small ward's point not drawn.
    centre = _page(county, world.users["centre"], window).comparison
    assert comparison.result.target == pytest.approx(centre.result.target)
    assert comparison.result.target == pytest.approx(
        sum(r.numerator for r in centre.shown) / sum(r.denominator for r in centre.shown)
    )


def test_charts_hide_the_small_unit_for_outsiders(county, world):
    window = services.Window(month(10), month(21))
    charts = {c.team.id: c for c in _page(county, world.users["viewer"], window).charts}
    tiny = charts[county.tiny.id]
    assert len(tiny.hidden_positions) == sum(1 for v in tiny.analysis.series.numerators if v is not None)
    assert charts[county.teams[0].id].hidden_positions == ()


def test_the_network_series_pools_every_team(county, world, db_session):
    from learnnet.models import Measurement

    window = services.Window(month(10), month(21))
    viewer = _page(county, world.users["viewer"], window).effect
    centre = _page(county, world.users["centre"], window).effect
    last = month(21)
    rows = db_session.query(Measurement).filter_by(measure_id=county.screening.id, period=last).all()
    pooled = sum(m.numerator for m in rows) / sum(m.denominator for m in rows)
    assert centre.observed[centre.periods.index(last)] == pytest.approx(pooled)
    # The viewer's network line is the centre's, or a gap: never the teams shown pooled.
    for mine, theirs in zip(viewer.observed, centre.observed, strict=True):
        assert mine is None or mine == pytest.approx(theirs)


def _numbers(page) -> dict:
    """Every number and verdict the page shows, by where it is shown."""
    shown = {}
    comparison, effect = page.comparison, page.effect
    for row in comparison.rows:
        for name in ("numerator", "denominator", "value", "z", "verdict"):
            shown[("row", row.label, name)] = getattr(row, name)
    if comparison.result is not None:
        shown["target"] = comparison.result.target
    for te in effect.teams:
        shown[("team", te.team.name, "verdict")] = te.verdict
        shown[("team", te.team.name, "before")] = te.before
        if te.impact is not None:
            for name in ("observed", "expected", "difference", "ci_low", "ci_high"):
                shown[("team", te.team.name, name)] = getattr(te.impact, name)
    for k, value in enumerate(effect.observed):
        shown[("network", effect.periods[k])] = value
    if effect.impact is not None:
        shown[("network", "difference")] = effect.impact.difference
    for chart in page.charts:
        series = chart.analysis.series
        for k, period in enumerate(series.periods):
            if k not in chart.hidden_positions:
                shown[("cell", chart.team.name, period)] = (series.numerators[k], series.denominators[k])
    return shown


@pytest.mark.parametrize("first, last", [(10, 21), (21, 21), (0, 21), (-18, 5)])
def test_a_viewer_sees_the_centres_numbers_or_a_hidden_cell(county, world, db_session, first, last):
    from learnnet.models import Measurement

    # A few small months in the big wards too, so that their totals need protecting.
    for team, k in ((county.teams[0], 12), (county.teams[1], 3), (county.teams[1], 15)):
        row = (
            db_session.query(Measurement)
            .filter_by(team_id=team.id, measure_id=county.screening.id, period=month(k))
            .one()
        )
        row.numerator, row.denominator = 2, 3
    db_session.flush()
    window = services.Window(month(first), month(last))
    viewer = _numbers(_page(county, world.users["viewer"], window))
    centre = _numbers(_page(county, world.users["centre"], window))
    assert viewer.keys() <= centre.keys()
    differ = {
        key: (mine, centre[key])
        for key, mine in viewer.items()
        if mine is not None and mine != pytest.approx(centre[key])
    }
    assert differ == {}
    # and something is hidden from the viewer that the centre sees
    assert any(mine is None and centre[key] is not None for key, mine in viewer.items())


def test_no_hidden_month_can_be_worked_out_from_the_page(county, world):
    import numpy as np

    window = services.Window(month(10), month(21))
    page = _page(county, world.users["viewer"], window)
    protection = page.protection
    unknown = sorted(protection.hidden_cells, key=str)
    assert unknown, "the small ward's months are hidden"
    # every total the page shows, as an equation in the hidden months (an independent solve)
    shown_totals = [
        [1.0 if key in cells else 0.0 for key in unknown] for key, cells in _shown_totals(page).items()
    ]
    rows = np.array([r for r in shown_totals if any(r)])
    _, s, vt = np.linalg.svd(rows)
    null = vt[int((s > 1e-9).sum()) :]
    assert all(np.abs(null[:, k]).max() > 1e-9 for k in range(len(unknown)))


def _shown_totals(page) -> dict:
    """The cells each shown total adds up, read from what the page shows (not from the audit)."""
    effect, comparison = page.effect, page.comparison
    cells = {}
    for chart in page.charts:
        series = chart.analysis.series
        for k, period in enumerate(series.periods):
            if series.numerators[k] is not None:
                cells.setdefault(chart.team.id, []).append(period)
    totals = {}
    window = comparison.window
    for row in comparison.rows:
        if row.numerator is not None:
            totals[("row", row.label)] = {
                (t.id, p) for t in row.teams for p in cells.get(t.id, []) if window.first <= p <= window.last
            }
    for te in effect.teams:
        if te.impact is not None:
            totals[("after", te.team.id)] = {
                (te.team.id, p) for p in cells.get(te.team.id, []) if effect.first <= p <= effect.last
            }
        if te.before is not None:
            totals[("before", te.team.id)] = {
                (te.team.id, p) for p in cells.get(te.team.id, []) if p < effect.change
            }
    for k, value in enumerate(effect.observed):
        if value is not None:
            period = effect.periods[k]
            totals[("month", period)] = {(t, p) for t, ps in cells.items() for p in ps if p == period}
    return totals


def test_dashboard_cells_hide_small_latest_months_for_outsiders(county, world):
    rule = policy(world.users["viewer"], list(county.network.teams), 5)
    board = dashboard(county.network, rule)
    cell = board.cell(county.tiny, county.screening)
    assert cell.hidden and cell.value is None and cell.variation is None
    assert not board.cell(county.teams[0], county.screening).hidden


def test_a_municipality_and_its_units_never_give_a_small_unit_away(county, world):
    # Færder's total minus Tjøme (shown in the unit view) would give the small ward's count.
    window = services.Window(month(21), month(21))
    viewer = world.users["viewer"]
    units = {r.label: r for r in _page(county, viewer, window).comparison.rows}
    towns = {r.label: r for r in _page(county, viewer, window, level="municipality").comparison.rows}
    assert units[county.tiny.name].hidden
    tjome = units["Tjøme omsorgssenter"]
    assert towns["Færder"].hidden or tjome.hidden
    assert not towns["Horten"].hidden
    members = _page(county, county.tiny_viewer, window, level="municipality").comparison.rows
    assert not [r for r in members if r.label == "Færder"][0].hidden


def test_a_hidden_month_leaves_no_limit_behind(county, world):
    # on a p chart a month's limits are set by its denominator: drawn beside a gap they would give
    # the hidden count back
    from learnnet.analysis.chartdata import figure_data
    from learnnet.county.figures import multiples_figure

    window = services.Window(month(10), month(21))
    page = _page(county, world.users["viewer"], window)
    tiny = next(c for c in page.charts if c.team is county.tiny)
    from flask import current_app

    with current_app.test_request_context():
        drawn = multiples_figure(list(page.charts), page.comparison)
        whole = figure_data(tiny.analysis)
    panel = next(p for p in drawn.panels if p.text.title == county.tiny.name)
    for k in tiny.hidden_positions:
        assert panel.y[k] is None
        assert panel.lcl is None or panel.lcl[k] is None
        assert panel.ucl is None or panel.ucl[k] is None
    assert whole.ucl is not None and any(whole.ucl[k] is not None for k in tiny.hidden_positions)


def test_the_funnels_curves_start_at_the_units_shown(county, world):
    window = services.Window(month(21), month(21))
    comparison = _page(county, world.users["viewer"], window).comparison
    shown = [r.denominator for r in comparison.shown]
    # (the curves run from 0.8 times the smallest denominator, on whole numbers)
    assert min(comparison.curves.denominator) >= int(0.8 * min(shown))
    centre = _page(county, world.users["centre"], window).comparison
    tiny = next(r for r in centre.rows if r.team is county.tiny)
    assert min(comparison.curves.denominator) > tiny.denominator
