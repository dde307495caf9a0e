"""The unusual-value rule: ordinary months pass, typing errors are questioned."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from learnnet.measurements import recording
from learnnet.measurements.periods import add_months
from tests.clock import month
from tests.learnnet import factories as f

PERIOD = month(18)


def _history(pairs):
    """Earlier months, newest first, as the rule reads them."""
    months = [add_months(PERIOD, -1 - k) for k in range(len(pairs))]
    return [
        SimpleNamespace(period=p, numerator=n, denominator=d, value=None) for p, (n, d) in zip(months, pairs)
    ]


@pytest.fixture(autouse=True)
def in_a_request(app):
    with app.test_request_context():
        yield


def _warnings(measure, world, numerator, denominator, history):
    problems = recording.check(
        world.own_team, measure, PERIOD, recording.Values(numerator, denominator), history=history
    )
    return [p for p in problems if p.severity == "warning" and p.field == "numerator"]


@pytest.fixture
def admissions(world, db_session):
    """Unplanned admissions per 1000 resident days: months vary more than chance alone."""
    measure = f.RateMeasureFactory(network=world.network)
    db_session.flush()
    return measure


def test_an_ordinary_month_of_a_measure_with_large_denominators_is_not_questioned(world, admissions):
    history = _history([(20, 4700), (90, 4600), (10, 4800), (60, 4550), (30, 4700), (80, 4650), (40, 4720)])
    assert _warnings(admissions, world, 100, 4690, history) == []


def test_a_typing_error_is_still_questioned(world, admissions):
    history = _history([(20, 4700), (90, 4600), (10, 4800), (60, 4550), (30, 4700), (80, 4650), (40, 4720)])
    assert _warnings(admissions, world, 1000, 4690, history)


def test_a_proportion_far_from_a_steady_history_is_questioned(world):
    history = _history([(40, 80), (44, 80)] * 4)
    assert _warnings(world.measure, world, 80, 80, history)
    assert _warnings(world.measure, world, 46, 80, history) == []


def test_after_an_improvement_the_new_level_is_ordinary_and_a_slip_is_still_questioned(world):
    improving = [(4 + k, 16) for k in range(12)]  # 4/16 up to 15/16, oldest first
    history = _history(list(reversed(improving)))
    assert _warnings(world.measure, world, 15, 16, history) == []
    assert _warnings(world.measure, world, 0, 16, history)


def test_a_team_at_a_new_level_with_large_denominators_is_compared_with_that_level(world):
    history = _history([(180, 200)] * 6 + [(120, 200)] * 12)  # newest first: 90 % now, 60 % before
    assert _warnings(world.measure, world, 182, 200, history) == []
    assert _warnings(world.measure, world, 20, 200, history)
