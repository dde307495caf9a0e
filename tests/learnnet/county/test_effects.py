"""The network's effect: pooled and per team, read with the improvement direction."""
from __future__ import annotations

import datetime as dt

import pytest

from learnnet.county import services
from learnnet.county.suppression import policy
from learnnet.county.texts import effect_sentence
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def test_improving_teams_are_found_and_the_steady_one_is_not(app, county, world):
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    effect = services.network_effect(county.screening, dt.date(2025, 1, 1), dt.date(2026, 10, 1), rule)
    verdicts = {t.team.name: t.verdict for t in effect.teams}
    assert verdicts[county.teams[0].name] == "improved"     # +35 points from January 2025
    assert verdicts[county.teams[1].name] == "improved"     # +25 points
    assert verdicts[county.teams[2].name] == "unclear"      # no change
    assert effect.pooled is not None and effect.pooled.n_series == 4
    assert effect.aggregate is not None and effect.at == effect.periods.index(dt.date(2025, 1, 1))
    assert effect.aggregate.effect_at_change > 0.1
    with app.test_request_context():
        sentence = effect_sentence(county.screening, effect.pooled, effect.scale, effect.change,
                                   who="Alle team", effect_at_change=effect.aggregate.effect_at_change)
    assert "prosentpoeng høyere" in sentence and "KI" in sentence


def test_a_change_before_any_data_is_explained(county, world):
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    effect = services.network_effect(county.screening, dt.date(2020, 1, 1), dt.date(2026, 10, 1), rule)
    assert effect.problem == "change_outside_series" and effect.aggregate is None
    assert all(t.result is None for t in effect.teams)


def test_lower_is_better_reads_a_fall_as_improvement():
    class Level:
        ratio, ratio_ci_low, ratio_ci_high = 0.6, 0.4, 0.8

    class Result:
        level_change = Level

    assert services.reading_of(Result, "down") == "improved"
    assert services.reading_of(Result, "up") == "worse"
