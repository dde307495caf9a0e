"""Analyses kept in the worker by what they are computed from: reused while it holds, never after."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from learnnet.analysis import series as analysis
from learnnet.clock import ZONE
from learnnet.measurements import recording
from learnnet.measurements.periods import add_months
from learnnet.models import ChartExclusion, ChartPhase, ChartSettings
from tests.clock import THIS_MONTH, month
from tests.learnnet import factories as f


def computed(result: analysis.Analysis) -> tuple:
    """What an analysis computed, comparable: the chart's records and its reading's statements."""
    reading = result.reading
    return (
        result.chart.to_records(),
        (reading.code, reading.variation, reading.rule_set, reading.direction, reading.headline),
        reading.statements,
        reading.assurance,
    )


@pytest.fixture
def counted(monkeypatch):
    """How many times an analysis was computed rather than taken as kept."""
    calls = []
    compute = analysis.analyse

    def counting(*args, **kwargs):
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(analysis, "analyse", counting)
    return calls


@pytest.fixture
def series(db_session, world):
    team, measure = world.own_team, world.measure
    for k in range(14):
        f.MeasurementFactory(team=team, measure=measure, period=month(k), numerator=6 + k % 5, denominator=16)
    db_session.flush()
    return team, measure


def test_an_analysis_is_computed_once_while_nothing_it_depends_on_changes(series, counted):
    team, measure = series
    first = analysis.analyse_team_measure(team, measure)
    again = analysis.analyse_team_measure(team, measure)
    assert len(counted) == 1
    assert computed(again) == computed(first)
    assert again.series.team is team and again.series.y == first.series.y


def _settings(db_session, team, measure) -> ChartSettings:
    settings = analysis.chart_settings(team, measure)
    if settings is None:
        settings = ChartSettings(team_id=team.id, measure_id=measure.id)
        db_session.add(settings)
    return settings


CHANGES = {
    "a month saved": lambda db, team, measure: recording.save_many(
        [recording.Change(team.id, measure.id, month(14), recording.Values(15, 16))], None
    ),
    "a month corrected": lambda db, team, measure: recording.save(
        team, measure, month(3), recording.Values(16, 16), None, base_version=1, confirmed=True
    ),
    "a phase": lambda db, team, measure: _settings(db, team, measure).phases.append(
        ChartPhase(start_period=month(8), label="Ny rutine")
    ),
    "a month left out": lambda db, team, measure: _settings(db, team, measure).exclusions.append(
        ChartExclusion(period=month(4), reason="Telling endret")
    ),
    "a frozen baseline": lambda db, team, measure: setattr(
        _settings(db, team, measure), "freeze_period", month(11)
    ),
    "another chart kind": lambda db, team, measure: setattr(
        _settings(db, team, measure), "chart_kind", "run"
    ),
    "a new target": lambda db, team, measure: setattr(measure, "target", 75.0),
    "the other direction": lambda db, team, measure: setattr(measure, "direction", "down"),
    "other rules": lambda db, team, measure: setattr(team.network, "rule_set", "ihi"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_what_an_analysis_is_computed_from_computes_it_again(
    db_session, series, counted, change
):
    team, measure = series
    before = analysis.analyse_team_measure(team, measure)
    CHANGES[change](db_session, team, measure)
    db_session.flush()
    after = analysis.analyse_team_measure(team, measure)
    assert len(counted) == 2, change
    fresh = analysis.analyse(analysis.load_series(team, measure), analysis.chart_settings(team, measure))
    assert computed(after) == computed(fresh)
    assert computed(after) != computed(before)


def test_a_month_later_the_series_is_a_month_longer(series, counted):
    team, measure = series
    before = analysis.analyse_team_measure(team, measure)
    # Noon on the first of next month (31 days on from 31 January would skip February).
    with time_machine.travel(dt.datetime.combine(add_months(THIS_MONTH, 1), dt.time(12), ZONE)):
        after = analysis.analyse_team_measure(team, measure)
    assert len(counted) == 2
    assert after.series.periods == (*before.series.periods, month(22))


def test_a_network_under_the_mdc_rules_draws_its_xmr_limits_at_two_point_six_six_moving_ranges(
    db_session, world
):
    # 8 and 10 of 16 in turn: 50 % and 62.5 %, mean 56.25 %, every moving range 12.5 points.
    team, measure = world.own_team, world.measure
    for k in range(14):
        numerator = (8, 10)[k % 2]
        f.MeasurementFactory(team=team, measure=measure, period=month(k), numerator=numerator, denominator=16)
    db_session.add(ChartSettings(team_id=team.id, measure_id=measure.id, chart_kind="i"))
    db_session.flush()
    series = analysis.load_series(team, measure)
    settings = analysis.chart_settings(team, measure)
    mdc = analysis.analyse(series, settings, rule_set="mdc").chart
    anhoej = analysis.analyse(series, settings, rule_set="anhoej").chart
    assert mdc.kind == anhoej.kind == "i"
    assert mdc.ucl[-1] == pytest.approx(0.5625 + 2.66 * 0.125)
    assert anhoej.ucl[-1] == pytest.approx(0.5625 + 3 * 0.125 / 1.128)
