"""Interrupted time series: segmented regression recovers known changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from measures.effects import (
    interrupted_time_series,
    newey_west_lags,
    pooled_interrupted_time_series,
)
from measures.errors import MeasureInputError

T, AT = 30, 15
t = np.arange(T)
post = (t >= AT).astype(float)


def line(b0, b1, b2, b3):
    return b0 + b1 * t + b2 * post + b3 * (t - AT) * post


def test_ols_recovers_level_and_slope_change():
    wiggle = 0.05 * np.sin(1.7 * t)           # small, deterministic noise
    y = line(20, 0.5, -4, -0.3) + wiggle
    result = interrupted_time_series("continuous", y, at=AT)
    assert result.level_change.estimate == pytest.approx(-4, abs=0.1)
    assert result.slope_change.estimate == pytest.approx(-0.3, abs=0.02)
    assert result.level_change.ci_low < -4 < result.level_change.ci_high
    assert result.level_change.ratio is None and result.level_change.scale == "value"
    # the counterfactual carries the baseline line on; fitted and counterfactual
    # agree before the change
    assert np.allclose(result.fitted[:AT], result.counterfactual[:AT])
    assert result.counterfactual[-1] == pytest.approx(20 + 0.5 * (T - 1), abs=0.2)
    assert result.effect_at_end == pytest.approx(-4 - 0.3 * (T - 1 - AT), abs=0.3)


def test_binomial_recovers_odds_ratio():
    rng = np.random.default_rng(5)
    n = np.full(T, 4000)
    logit = line(-1.0, 0.0, 0.8, 0.0)
    y = rng.binomial(n, 1 / (1 + np.exp(-logit)))
    result = interrupted_time_series("proportion", y, n, at=AT)
    lc = result.level_change
    assert lc.scale == "log_odds" and lc.ratio_name == "odds_ratio"
    assert lc.estimate == pytest.approx(0.8, abs=0.1)
    assert lc.ratio == pytest.approx(math.exp(lc.estimate))
    assert lc.p_value < 0.001
    assert result.slope_change.ci_low < 0 < result.slope_change.ci_high
    assert result.fitted[AT] - result.counterfactual[AT] == pytest.approx(result.effect_at_change)
    assert result.counterfactual.min() > 0 and result.fitted.max() < 1


def test_poisson_uses_exposure_as_offset():
    rng = np.random.default_rng(9)
    exposure = rng.integers(600, 900, T).astype(float)
    rate = np.exp(line(math.log(0.01), 0.0, -0.5, 0.0))
    falls = rng.poisson(rate * exposure)
    result = interrupted_time_series("rate", falls, exposure, at=AT)
    assert result.level_change.ratio_name == "rate_ratio"
    assert result.level_change.ratio_ci_low < math.exp(-0.5) < result.level_change.ratio_ci_high
    # rates, not counts, are modelled: the same rates over ten times the
    # exposure give the same point estimates
    scaled = interrupted_time_series("rate", falls * 10, exposure * 10, at=AT)
    assert scaled.level_change.estimate == pytest.approx(result.level_change.estimate, rel=1e-6)
    assert scaled.fitted[0] == pytest.approx(result.fitted[0], rel=1e-6)


def test_missing_periods_are_dropped_but_kept_in_the_lines():
    y = list(line(20, 0.5, -4, -0.3) + 0.05 * np.sin(1.7 * t))
    y[3] = None
    result = interrupted_time_series("continuous", y, at=AT)
    assert result.n_obs == T - 1 and result.fitted.shape == (T,)


def test_newey_west_rule():
    assert newey_west_lags(24) == 2
    assert newey_west_lags(100) == 4
    assert newey_west_lags(4) == 1


def test_pooled_estimate_over_teams_with_own_levels():
    rng = np.random.default_rng(21)
    ys, ns, ats = [], [], []
    for team, level in enumerate([-1.5, -1.0, -0.5, 0.0]):
        at = AT + team - 1
        p_post = (t >= at).astype(float)
        n = np.full(T, 800)
        logit = level + 0.6 * p_post
        ys.append(rng.binomial(n, 1 / (1 + np.exp(-logit))))
        ns.append(n)
        ats.append(at)
    pooled = pooled_interrupted_time_series("proportion", ys, ns, at=ats)
    assert pooled.n_series == 4 and pooled.n_obs == 4 * T
    assert pooled.level_change.ci_low < 0.6 < pooled.level_change.ci_high
    assert pooled.level_change.p_value < 0.001
    # without team intercepts the very different levels would bias the estimate;
    # with them a single team's estimate and the pooled one agree in sign
    single = interrupted_time_series("proportion", ys[0], ns[0], at=ats[0])
    assert np.sign(single.level_change.estimate) == np.sign(pooled.level_change.estimate)


@pytest.mark.parametrize("kwargs,field,problem", [
    (dict(kind="continuous", y=list(range(10)), at=0), "at", "out_of_range"),
    (dict(kind="continuous", y=list(range(10)), at=8), "y", "too_few_points"),
    (dict(kind="proportion", y=[5] * 10, n=[4] * 10, at=5), "y", "numerator_above_denominator"),
    (dict(kind="rate", y=[1] * 10, at=5), "n", "missing"),
    (dict(kind="rate", y=[1] * 10, n=[0] * 10, at=5), "n", "zero_denominator"),
    (dict(kind="proportion", y=[0] * 10, n=[10] * 10, at=5), "y", "no_events"),
    (dict(kind="proportion", y=[0] * 5 + [3] * 5, n=[10] * 10, at=5), "y", "no_events"),
    (dict(kind="proportion", y=[10] * 5 + [3] * 5, n=[10] * 10, at=5), "y", "all_events"),
    (dict(kind="odds", y=[1] * 10, at=5), "kind", "unknown_kind"),
])
def test_bad_input(kwargs, field, problem):
    with pytest.raises(MeasureInputError) as err:
        interrupted_time_series(**kwargs)
    assert (err.value.field, err.value.problem) == (field, problem)


def test_a_series_the_model_fits_exactly_is_refused_not_a_warning():
    # The step fits every month but the last one exactly: the HAC variance comes out a rounding
    # below 0. Its standard error is no number, so there is no effect to report.
    values = [0.0, 0.0, 0.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 0.0]
    with pytest.raises(MeasureInputError) as refused:
        interrupted_time_series("continuous", values, None, at=3)
    assert refused.value.problem == "cannot_fit"
