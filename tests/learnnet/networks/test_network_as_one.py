"""The network seen as one: the pooled chart, the teams with a signal, who may see them, and
what a viewer who may not open every team is not shown."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from learnnet.networks import figures
from learnnet.networks import services as svc
from learnnet.suppression import Suppression
from tests.clock import month
from tests.learnnet import factories as f
from tests.learnnet import networkdata

MONTHS = range(22)  # month(0) … month(21), last month: the whole series up to today


def _enter(team, measure, months: dict[int, tuple[int, int]]) -> None:
    for k, (numerator, denominator) in months.items():
        f.MeasurementFactory(
            team=team, measure=measure, period=month(k), numerator=numerator, denominator=denominator
        )


@pytest.fixture
def small(db_session):
    """Three teams: one that steps up half-way (a shift), two that vary at random, one of them
    without month 15."""
    network = f.NetworkFactory()
    measure = f.MeasureFactory(network=network, direction="up")
    shift, steady, gap = (f.TeamFactory(network=network, name=name) for name in ("A", "B", "C"))
    entered = {
        shift: {k: (4, 20) if k < 11 else (16, 20) for k in MONTHS},
        steady: {k: (5, 20) if k % 2 == 0 else (6, 20) for k in MONTHS},
        gap: {k: (9, 20) if k % 2 == 0 else (11, 20) for k in MONTHS if k != 15},
    }
    for team, months in entered.items():
        _enter(team, measure, months)
    db_session.flush()
    return SimpleNamespace(
        network=network, measure=measure, shift=shift, steady=steady, gap=gap, entered=entered
    )


EVERYONE = Suppression(threshold=5, open_team_ids=None)


def test_the_pooled_chart_is_the_sum_of_the_numerators_over_the_sum_of_the_denominators(small):
    chart = svc.pooled_chart(small.network, small.measure, EVERYONE)
    assert [m.period for m in chart.months] == [month(k) for k in MONTHS]
    # month 0 by hand: 4 + 5 + 9 = 18 of 20 + 20 + 20 = 60 → 30 %
    first = chart.months[0]
    assert (first.numerator, first.denominator, first.teams) == (18, 60, 3)
    assert first.value == pytest.approx(30.0)
    # month 15 holds two teams: 16 + 6 = 22 of 40 → 55 %
    partial = chart.months[15]
    assert (partial.numerator, partial.denominator, partial.teams) == (22, 40, 2)
    assert partial.value == pytest.approx(55.0)
    for k, pooled in zip(MONTHS, chart.months, strict=True):
        held = [months[k] for months in small.entered.values() if k in months]
        assert pooled.numerator == sum(n for n, _ in held)
        assert pooled.denominator == sum(d for _, d in held)
    assert chart.team_count == 3 and chart.partial_count == 1 and chart.hidden_count == 0


def test_a_month_not_every_team_has_entered_is_left_out_of_the_calculation(small):
    chart = svc.pooled_chart(small.network, small.measure, EVERYONE).analysis.chart
    assert chart.kind == "p"  # the measure's chart, as a team's
    assert not chart.include[15]
    assert chart.include[14] and chart.include[16]
    # the centre line is the pooled proportion of the full months only
    full = [k for k in MONTHS if k != 15]
    numerators = sum(sum(m[k][0] for m in small.entered.values()) for k in full)
    assert chart.cl[0] == pytest.approx(numerators / (60 * len(full)))


def test_signal_counts_follow_each_teams_own_chart(small):
    signals = svc.signal_counts(small.network, small.measure, EVERYONE)
    assert signals.periods == tuple(month(k) for k in MONTHS)
    counts = signals.counts
    # the team that steps up shows an improvement from its step on; before it, the level before
    # the change is neither better nor worse
    assert counts.improvement == tuple(1 if k >= 11 else 0 for k in MONTHS)
    assert counts.concern == tuple(0 for _ in MONTHS)
    assert counts.missing == tuple(1 if k == 15 else 0 for k in MONTHS)
    assert counts.neither == tuple(3 - counts.improvement[k] - counts.missing[k] for k in MONTHS)
    assert not signals.suppressed


def test_the_last_month_counts_as_the_dashboard_shows_the_teams(small):
    board = svc.dashboard(small.network, EVERYONE)
    icons = [board.cell(team, small.measure).variation for team in board.teams]
    counts = svc.signal_counts(small.network, small.measure, EVERYONE).counts
    assert counts.improvement[-1] == icons.count("improvement") == 1
    assert counts.concern[-1] == icons.count("concern") == 0


@pytest.fixture
def pair(db_session):
    """Two teams; the second enters a numerator of 2 in month 3."""
    network = f.NetworkFactory()
    measure = f.MeasureFactory(network=network)
    known, other = f.TeamFactory(network=network, name="Known"), f.TeamFactory(network=network, name="Other")
    _enter(known, measure, {k: (10, 20) for k in range(12)})
    _enter(other, measure, {k: (2, 20) if k == 3 else (8, 20) for k in range(12)})
    db_session.flush()
    return SimpleNamespace(network=network, measure=measure, known=known, other=other)


def test_a_viewer_who_knows_the_other_teams_does_not_get_a_small_count_back(app, pair):
    # they may open "Known": month 3's pooled 12/40 minus Known's 10/20 would give Other's 2/20
    viewer = Suppression(threshold=5, open_team_ids=frozenset({pair.known.id}))
    chart = svc.pooled_chart(pair.network, pair.measure, viewer, until=month(11))
    hidden = [m.period for m in chart.months if m.hidden]
    assert hidden == [month(3)]
    assert chart.months[3].value is None and chart.months[3].numerator is None
    # computed from every month (privacy hides outputs, never inputs), month 3 left blank
    everyone = svc.pooled_chart(pair.network, pair.measure, EVERYONE, until=month(11))
    assert np.allclose(chart.analysis.chart.cl, everyone.analysis.chart.cl, equal_nan=True)
    with app.test_request_context():
        drawn = figures.pooled_figure(chart, 5)
    assert drawn.y[3] is None and drawn.y[4] is not None
    assert chart.months[4].numerator == 18
    signals = svc.signal_counts(pair.network, pair.measure, viewer, until=month(11))
    assert signals.counts.missing[3] == 1 and signals.suppressed
    # who may open both teams sees every month
    assert svc.pooled_chart(pair.network, pair.measure, EVERYONE, until=month(11)).hidden_count == 0
    # published: the pooled month as a whole is the count, 12 ≥ 5
    published = Suppression(threshold=5, open_team_ids=frozenset(), published=True)
    assert svc.pooled_chart(pair.network, pair.measure, published, until=month(11)).hidden_count == 0


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_roles_who_see_the_network_as_one(role_client, county):
    network = county.network
    measure = county.screening
    expected = {"admin": 200, "centre": 200, "facilitator": 200, "team_member": 403, "viewer": 403}
    client = role_client.client
    status = expected[role_client.role]
    page = client.get(f"/networks/{network.id}?measure={measure.id}")
    assert page.status_code == status
    base = f"/networks/{network.id}/measures/{measure.id}"
    for path in ("pooled.svg", "signals.svg", "pooled.png?size=slide", "signals.png?size=tablet"):
        assert client.get(f"{base}/{path}").status_code == status, path
    for path in ("pooled-table.csv", "signals-table.xlsx"):
        assert client.get(f"{base}/{path}").status_code == status, path
    if status == 200:
        html = page.get_data(as_text=True)
        assert 'data-testid="pooled-chart"' in html and 'data-testid="signals-chart"' in html
        assert 'data-testid="pooled-table"' in html and 'data-testid="signals-table"' in html


def test_the_pooled_table_says_how_many_teams_each_month_holds(client, auth, small, world):
    auth.login(world.users["admin"])
    url = f"/networks/{small.network.id}/measures/{small.measure.id}/pooled-table.csv"
    rows = [line.split(";") for line in client.get(url).get_data(as_text=True).lstrip("\ufeff").splitlines()]
    assert rows[0] == ["Måned", "Teller", "Nevner", "%", "Team"]
    months = rows[1 : 1 + len(MONTHS)]  # newest first, then the notes
    assert [row[-1] for row in months] == ["2/3" if k == 15 else "3/3" for k in reversed(MONTHS)]
    assert months[-1][1:3] == ["18", "60"]  # month 0, as worked out above
    assert "3" in rows[1 + len(MONTHS)][0]  # the note on partial months names the three teams


def test_an_image_of_another_networks_measure_is_404(client, auth, county, world):
    auth.login(world.users["admin"])
    assert (
        client.get(f"/networks/{county.network.id}/measures/{world.measure.id}/pooled.svg").status_code == 404
    )
    assert (
        client.get(f"/networks/{county.network.id}/measures/{county.screening.id}/pooled.gif").status_code
        == 404
    )
