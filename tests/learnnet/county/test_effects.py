"""The network's effect: pooled and per team, read with the improvement direction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from learnnet.county import services
from learnnet.county.suppression import policy
from learnnet.county.texts import effect_sentence
from tests.clock import month, nb_month
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_improving_teams_are_found_and_by_how_much(app, county, world):
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    effect = services.network_effect(county.screening, month(0), month(21), rule, month(10))
    teams = {t.team.name: t for t in effect.teams}
    assert teams[county.teams[0].name].verdict == "improved"  # +35 points from the network's start
    assert teams[county.teams[1].name].verdict == "improved"  # +25 points
    gains = {name: t.after - t.before for name, t in teams.items()}
    assert 25 < gains[county.teams[0].name] < 45
    assert 15 < gains[county.teams[1].name] < 35
    assert abs(gains[county.teams[2].name]) < 10  # no change
    assert effect.pooled is not None and effect.pooled.n_series == 4
    assert effect.aggregate is not None and effect.at == effect.periods.index(month(0))
    assert effect.aggregate.effect_at_change > 0.1
    with app.test_request_context():
        sentence = effect_sentence(
            county.screening,
            effect.pooled,
            effect.scale,
            effect.change,
            effect.periods[-1],
            who="Alle team",
            effect_at_end=effect.aggregate.effect_at_end,
        )
    assert "prosentpoeng høyere" in sentence and nb_month(month(21)) in sentence and "KI" in sentence


def test_a_change_before_any_data_is_explained(county, world):
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    effect = services.network_effect(county.screening, month(-60), month(21), rule)
    assert effect.problem == "change_outside_series" and effect.aggregate is None
    assert all(t.result is None for t in effect.teams)


def _effect(low, high):
    return SimpleNamespace(ratio=(low + high) / 2, ratio_ci_low=low, ratio_ci_high=high)


def test_lower_is_better_reads_a_fall_as_improvement():
    result = SimpleNamespace(level_change=_effect(0.4, 0.8), slope_change=_effect(0.9, 1.1))
    assert services.reading_of(result, "down") == "improved"
    assert services.reading_of(result, "up") == "worse"


def test_a_better_trend_counts_and_opposite_changes_are_unclear():
    rising = SimpleNamespace(level_change=_effect(0.8, 1.3), slope_change=_effect(1.02, 1.08))
    assert services.reading_of(rising, "up") == "improved"
    mixed = SimpleNamespace(level_change=_effect(1.5, 2.0), slope_change=_effect(0.8, 0.9))
    assert services.reading_of(mixed, "up") == "unclear"
