"""The network's effect: per team and for the network, in the measure's own unit with its interval,
read with the improvement direction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from learnnet.county import services
from learnnet.county.texts import answer_sentence, effect_sentence
from learnnet.suppression import policy
from tests.clock import month, nb_month
from tests.learnnet import networkdata


@pytest.fixture
def county(world):
    return networkdata.build(world)


def _effect(county, world, change=None, window=None):
    change = change or month(0)
    window = window or (month(10), month(21))
    rule = policy(world.users["centre"], list(county.network.teams), 5)
    return services.comparison_page(county.screening, services.Window(*window), change, rule).effect


def test_improving_teams_are_found_and_by_how_much(app, county, world):
    effect = _effect(county, world)
    teams = {t.team.name: t for t in effect.teams}
    # the test network raises the share screened by 35 and 25 points from the network's start; the
    # baseline's chance trend, carried on for a year and more, moves what is expected either way
    first, second, flat = (teams[county.teams[k].name] for k in range(3))
    assert first.verdict == "improved" and second.verdict == "improved"
    assert 15 < first.impact.difference * 100 < 60
    assert 10 < second.impact.difference * 100 < 55
    assert flat.impact.difference < min(first.impact.difference, second.impact.difference)
    # the numbers shown add up, the verdict is where the interval lies, and the rows run best first
    for te in effect.teams:
        if te.impact is not None:
            assert te.impact.observed - te.impact.expected == pytest.approx(te.impact.difference)
            assert te.impact.ci_low < te.impact.difference < te.impact.ci_high
            assert (te.verdict == "improved") == (te.impact.ci_low > 0)
    differences = [te.impact.difference for te in effect.teams if te.impact is not None]
    assert differences == sorted(differences, reverse=True)
    assert effect.impact is not None and effect.verdict == "improved"
    assert (effect.first, effect.last) == (month(10), month(21))
    with app.test_request_context():
        sentence = effect_sentence(
            county.screening, first.impact, effect.scale, effect.first, effect.last, who="Åsgårdstrand"
        )
        answer = answer_sentence(effect, "I år", county.screening)
    assert "prosentpoeng høyere" in sentence and nb_month(month(21)) in sentence and "KI" in sentence
    assert answer.startswith("I år: 2 av 4 enheter") and first.team.name in answer and "KI" in answer


def test_a_change_before_any_data_is_explained(county, world):
    effect = _effect(county, world, change=month(-60))
    assert effect.problem == "change_outside_series" and effect.aggregate is None
    assert all(t.impact is None and t.problem == "change_outside_series" for t in effect.teams)


def test_a_window_before_the_change_is_explained(county, world):
    effect = _effect(county, world, change=month(12), window=(month(2), month(8)))
    assert effect.problem == "window_before_change" and effect.impact is None


def _impact(low, high):
    return SimpleNamespace(difference=(low + high) / 2, ci_low=low, ci_high=high)


def test_the_verdict_follows_the_interval_and_the_direction():
    assert services.verdict_of(_impact(0.02, 0.08), "up") == "improved"
    assert services.verdict_of(_impact(0.02, 0.08), "down") == "worse"
    assert services.verdict_of(_impact(-3.0, -1.0), "down") == "improved"
    assert services.verdict_of(_impact(-0.01, 0.08), "up") == "unclear"


def test_a_short_baseline_is_said_beside_its_estimate(app, county, world):
    # The change four months after the data begin: the level-only model, and a word of caution.
    effect = _effect(county, world, change=month(-14), window=(month(-14), month(21)))
    team = effect.teams[0]
    assert team.impact is not None and team.impact.model == "level_only"
    with app.test_request_context():
        from learnnet.county.texts import caution_text, model_sentence

        assert "endring bare i nivå" in model_sentence(team.impact)
        assert "Færre enn 8 måneder før endringen" in caution_text(team.result)


def test_a_team_joining_at_the_start_is_not_read_as_the_networks_effect(world):
    # Team A, at about 10 % all along, has a year of months before the start; team B (as large) reports
    # from the start only, at 50 %. Pooling whoever reported would make a jump at the start.
    from tests.clock import END
    from tests.learnnet import factories as f

    network = f.NetworkFactory(region=world.region, name="Sammensatt", start_date=month(0), end_date=END)
    measure = f.MeasureFactory(network=network, code="mix.screened", name="Screenet", position=0)
    a, b = (f.TeamFactory(network=network, name=name) for name in ("Lag A", "Lag B"))
    for k in range(-12, 22):
        f.MeasurementFactory(team=a, measure=measure, period=month(k), numerator=1 + k % 3, denominator=20)
        if k >= 0:
            f.MeasurementFactory(team=b, measure=measure, period=month(k), numerator=10, denominator=20)
    rule = policy(world.users["centre"], [a, b], 5)
    effect = services.comparison_page(measure, services.Window(month(10), month(21)), month(0), rule).effect
    assert effect.verdict != "improved"
    team_a = next(te for te in effect.teams if te.team is a)
    assert team_a.verdict == "unclear"
