"""The network's effect in the measure's own unit, its figure, and p-values too small to print."""

from __future__ import annotations

import html
import re

import pytest

from learnnet.analysis.series import load_series
from learnnet.county import services
from learnnet.county.figures import effect_figure
from learnnet.suppression import policy
from measures.funnel import funnel
from tests.clock import month, ym
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_the_added_up_network_gives_its_effect_over_the_months_after_the_change(app, county, world):
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    window = services.Window(month(0), month(21))
    effect = services.comparison_page(county.screening, window, month(0), rule).effect
    impact = effect.impact
    assert impact == effect.aggregate.impact()
    assert (impact.first, impact.last) == (effect.at, len(effect.periods) - 1)
    # every team's numerators and denominators from the change on, added up here
    events = residents = 0.0
    for team in county.network.teams:
        series = load_series(team, county.screening, until=month(21))
        for period, y, n in zip(series.periods, series.numerators, series.denominators):
            if period >= month(0) and y is not None and n is not None:
                events, residents = events + y, residents + n
    assert impact.observed == pytest.approx(events / residents)
    assert impact.fitted == pytest.approx(impact.observed)
    # the teams improved (by 0, 25 and 35 points from the start): more than expected, for sure
    assert impact.difference > 0 and impact.ci_low > 0
    assert effect.aggregate.model == "level_and_trend"


def test_the_effect_figure_draws_the_fit_as_a_line_and_shades_the_effects_months(app, county, world):
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    window = services.Window(month(10), month(21))
    effect = services.comparison_page(county.screening, window, month(0), rule).effect
    with app.test_request_context():
        data = effect_figure(effect)
    assert data.cl is None and data.fitted is not None  # not the centre line's steps
    assert data.fitted[-1] == pytest.approx(effect.aggregate.fitted[-1] * effect.scale)
    # the months the effect is averaged over: the window's, from month 10 on
    assert data.window == (effect.periods.index(month(10)), len(effect.periods) - 1)
    assert all(v is None for v in data.counterfactual[: effect.at])


def test_a_dispersion_p_below_a_thousandth_is_not_printed_as_zero(client, auth, county, world):
    auth.login(world.users["centre"])
    args = {"measure": county.screening.id, "first": ym(10), "last": ym(21)}
    page = html.unescape(client.get("/county/compare", query_string=args).get_data(as_text=True))
    shown = re.search(r"φ = [0-9,]+, (p [<=] [^)]*)\)", page)
    assert shown is not None
    # the teams' proportions differ by 25 and 35 points: the funnel's dispersion test says so
    result = _units_funnel(county)
    assert result.dispersion_p < 0.001
    assert shown.group(1) == "p < 0,001"
    assert "p = 0,000" not in page


def _units_funnel(county):
    """The funnel over the comparison's months, computed here from the teams' series."""
    ys, ns = [], []
    for team in county.network.teams:
        series = load_series(team, county.screening, until=month(21))
        picked = [
            (y, n)
            for p, y, n in zip(series.periods, series.numerators, series.denominators)
            if month(10) <= p <= month(21) and y is not None and n is not None
        ]
        ys.append(sum(y for y, _ in picked))
        ns.append(sum(n for _, n in picked))
    return funnel("proportion", ys, ns)
