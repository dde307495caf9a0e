"""Interrupted time series: segmented regression recovers known changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from measures.effects import (
    choose_model,
    hac_covariance,
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
    # With a level and a trend change the step fits every month but the last one exactly: the
    # HAC variance comes out a rounding from 0, so there is no interval to report.
    values = [0.0, 0.0, 0.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 0.0]
    with pytest.raises(MeasureInputError) as refused:
        interrupted_time_series("continuous", values, None, at=3, model="level_and_trend")
    assert refused.value.problem == "cannot_fit"


# --- the effect in the measure's own unit ---------------------------------------------------


def test_continuous_impact_and_interval_worked_by_hand():
    # Before: t = 0..3, y = 1, 3, 2, 4: the line 1.3 + 0.8·t, residuals −0.3, 0.9, −0.9, 0.3.
    # After: t = 4..7, y = 8, 7, 9, 8: mean 8, the line 8 + 0.2·(t − 5.5), residuals 0.3, −0.9,
    # 0.9, −0.3. The counterfactual over the after months is 1.3 + 0.8·5.5 = 5.7, so the effect
    # is 8 − 5.7 = 2.3.
    # With lag 0 the covariance is White's (HC0) times N/(N − k) = 8/4. The mean of the after
    # months has the weight 1/4 on each after residual; the counterfactual's mean is
    # ȳ_before + 0.8·(5.5 − 1.5), with the weight a_t = 1/4 + (5.5 − 1.5)(t − 1.5)/5 = −0.95,
    # −0.15, 0.65, 1.45 on the before residuals:
    #   Var_HAC = 2 · (Σ e²/16 + Σ a_t² e_t²) = 2 · (1.8/16 + 0.6309) = 1.4868.
    # The model's own variance, σ̂² = Σ e²/(N − k) = 3.6/4 = 0.9 times the weights' squares
    # (4 · 1/16 + Σ a_t² = 0.25 + 3.45), is 3.33: larger, so the interval uses it.
    result = interrupted_time_series("continuous", [1, 3, 2, 4, 8, 7, 9, 8], at=4, maxlags=0,
                                     model="level_and_trend")
    assert result.level_change.estimate == pytest.approx(7.7 - 4.5)
    assert result.slope_change.estimate == pytest.approx(0.2 - 0.8)
    impact = result.impact()
    assert (impact.first, impact.last, impact.n_periods) == (4, 7, 4)
    assert impact.observed == pytest.approx(8.0) and impact.fitted == pytest.approx(8.0)
    assert impact.expected == pytest.approx(5.7)
    assert impact.difference == pytest.approx(2.3)
    assert impact.std_error == pytest.approx(math.sqrt(3.33))
    assert impact.df == 4
    half = 2.7764451051977987 * math.sqrt(3.33)     # t(0.975, 4 df)
    assert impact.ci_low == pytest.approx(2.3 - half) and impact.ci_high == pytest.approx(2.3 + half)


def _glm_by_formula(kind, y, n, at, lags):
    """The segmented regression fitted by statsmodels' formula API, with its own HAC."""
    import pandas as pd
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    steps = np.arange(len(y))
    after = (steps >= at).astype(float)
    frame = pd.DataFrame({"events": y, "others": n - y, "n": n, "t": steps, "post": after,
                          "since": (steps - at) * after})
    hac = (dict(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
           if lags is not None else {})
    if kind == "proportion":
        return smf.glm("events + others ~ t + post + since", frame,
                       family=sm.families.Binomial()).fit(**hac)
    return smf.glm("events ~ t + post + since", frame, family=sm.families.Poisson(),
                   offset=np.log(frame["n"])).fit(**hac)


@pytest.mark.parametrize("kind", ["proportion", "rate"])
def test_impact_agrees_with_an_independent_statsmodels_fit(kind):
    rng = np.random.default_rng(17)
    n = rng.integers(80, 160, T).astype(float)
    eta = line(-1.2 if kind == "proportion" else math.log(0.05), 0.01, 0.4, -0.02)
    mean = 1 / (1 + np.exp(-eta)) if kind == "proportion" else np.exp(eta)
    y = (rng.binomial(n.astype(int), mean) if kind == "proportion"
         else rng.poisson(mean * n)).astype(float)
    reference = _glm_by_formula(kind, y, n, AT, lags=2)
    result = interrupted_time_series(kind, y, n, at=AT, maxlags=2)
    assert result.model == "level_and_trend" and result.df_resid == T - 4
    beta = reference.params[["Intercept", "t", "post", "since"]].to_numpy()
    cov = reference.cov_params().loc[["Intercept", "t", "post", "since"],
                                     ["Intercept", "t", "post", "since"]].to_numpy()
    np.testing.assert_allclose(result.params, beta, rtol=0, atol=1e-8)
    np.testing.assert_allclose(result.cov_params, cov, rtol=0, atol=1e-8)
    # the effect over the last six months, by the delta method done here
    window = np.arange(T - 6, T)
    x = np.column_stack([np.ones(6), window, np.ones(6), window - AT])
    x_cf = x * np.array([1, 1, 0, 0])

    def mean_and_derivative(lin):
        if kind == "proportion":
            p = 1 / (1 + np.exp(-lin))
            return p, p * (1 - p)
        return np.exp(lin), np.exp(lin)

    w = n[window] / n[window].sum()
    mu, dmu = mean_and_derivative(x @ beta)
    cf, dcf = mean_and_derivative(x_cf @ beta)
    # the difference the reader sees: observed minus expected (the model's line, w @ mu, is what
    # the interval's width is computed for)
    assert result.impact(T - 6, T - 1).fitted == pytest.approx(w @ mu, abs=1e-8)
    difference = y[window].sum() / n[window].sum() - w @ cf
    gradient = (w * dmu) @ x - (w * dcf) @ x_cf
    # never narrower than the model's own interval, with the Pearson dispersion (at least 1)
    model_based = _glm_by_formula(kind, y, n, AT, lags=None)
    names = ["Intercept", "t", "post", "since"]
    dispersion = max(1.0, model_based.pearson_chi2 / model_based.df_resid)
    model_cov = model_based.cov_params().loc[names, names].to_numpy() * dispersion
    se = math.sqrt(max(gradient @ cov @ gradient, gradient @ model_cov @ gradient))
    from scipy import stats
    q = stats.t.ppf(0.975, T - 4)
    impact = result.impact(T - 6, T - 1)
    assert impact.observed == pytest.approx(y[window].sum() / n[window].sum(), abs=1e-12)
    assert impact.difference == pytest.approx(difference, abs=1e-8)
    assert impact.expected == pytest.approx(w @ cf, abs=1e-8)
    # (the model's own covariance is the reference fit's, whose IRLS stops at its tolerance)
    assert impact.std_error == pytest.approx(se, abs=1e-7)
    assert impact.ci_low == pytest.approx(difference - q * se, abs=1e-7)
    assert impact.ci_high == pytest.approx(difference + q * se, abs=1e-7)
    # the coefficient intervals are Student's t with N − k degrees of freedom as well
    lc = result.level_change
    assert lc.ci_high - lc.estimate == pytest.approx(
        q * math.sqrt(max(cov[2, 2], model_cov[2, 2])), abs=1e-7)


@pytest.mark.parametrize("kind", ["proportion", "rate"])
def test_over_the_whole_post_change_segment_the_fit_is_what_was_observed(kind):
    rng = np.random.default_rng(4)
    n = rng.integers(40, 90, T).astype(float)
    y = rng.binomial(n.astype(int), 0.3 + 0.2 * post).astype(float)
    y[AT + 2] = np.nan                       # a month missing after the change
    result = interrupted_time_series(kind, y, n, at=AT)
    impact = result.impact()
    kept = ~np.isnan(y) & (t >= AT)
    assert (impact.first, impact.last, impact.n_periods) == (AT, T - 1, int(kept.sum()))
    assert impact.observed == pytest.approx(y[kept].sum() / n[kept].sum(), rel=1e-12)
    assert impact.fitted == pytest.approx(impact.observed, rel=1e-9)
    assert impact.difference == pytest.approx(impact.observed - impact.expected, rel=1e-9)
    assert impact.ci_low < impact.difference < impact.ci_high


def test_a_network_added_up_gives_its_impact():
    # Three teams' months added up (Σ numerators over Σ denominators per month) are one series.
    rng = np.random.default_rng(8)
    ns = [np.full(T, size) for size in (30.0, 50.0, 80.0)]
    ys = [rng.binomial(size.astype(int), 0.4 + 0.15 * post).astype(float) for size in ns]
    total_y, total_n = sum(ys), sum(ns)
    impact = interrupted_time_series("proportion", total_y, total_n, at=AT).impact()
    assert impact.observed == pytest.approx(total_y[AT:].sum() / total_n[AT:].sum())
    assert impact.ci_low < 0.15 < impact.ci_high


@pytest.mark.parametrize("first,last,field", [(AT - 1, T - 1, "first"), (AT, T, "last"),
                                              (AT + 3, AT + 2, "last")])
def test_an_impact_window_must_lie_after_the_change(first, last, field):
    result = interrupted_time_series("continuous", line(20, 0.5, -4, -0.3) + np.sin(t), at=AT)
    with pytest.raises(MeasureInputError) as refused:
        result.impact(first, last)
    assert (refused.value.field, refused.value.problem) == (field, "out_of_range")


def test_a_window_of_missing_months_has_no_impact():
    y = list(line(20, 0.5, -4, -0.3) + np.sin(t))
    y[AT + 1] = y[AT + 2] = None
    with pytest.raises(MeasureInputError) as refused:
        interrupted_time_series("continuous", y, at=AT).impact(AT + 1, AT + 2)
    assert (refused.value.field, refused.value.problem) == ("window", "too_few_points")


# --- which model ----------------------------------------------------------------------------


@pytest.mark.parametrize("before,after,model,reason", [
    (8, 8, "level_and_trend", "enough_points"),
    (7, 20, "level_only", "short_baseline"),
    (24, 7, "level_only", "short_follow_up"),
    (3, 3, "level_only", "short_baseline"),
])
def test_the_model_follows_the_segments_lengths(before, after, model, reason):
    assert choose_model(before, after) == (model, reason)
    assert choose_model(before, after, "level_and_trend") == ("level_and_trend", "requested")


def test_a_short_baseline_gives_a_level_change_and_says_so():
    steps = np.arange(18)
    y = 10 + 0.3 * steps + 3 * (steps >= 6) + 0.2 * np.cos(2.1 * steps)
    result = interrupted_time_series("continuous", y, at=6)
    assert (result.model, result.model_reason) == ("level_only", "short_baseline")
    assert result.cautions == ("few_points_before",)
    assert result.params.size == 3 and result.df_resid == 18 - 3
    assert result.level_change.estimate == pytest.approx(3, abs=0.2)
    assert result.slope_change.estimated is False and result.slope_change.estimate == 0.0
    # the counterfactual carries the common trend on: 10 + 0.3·t
    assert result.counterfactual[-1] == pytest.approx(10 + 0.3 * 17, abs=0.3)
    assert result.impact().model == "level_only"
    assert result.impact().difference == pytest.approx(3, abs=0.2)


def test_segments_of_eight_months_say_nothing():
    y = line(20, 0.5, -4, -0.3) + 0.05 * np.sin(1.7 * t)
    result = interrupted_time_series("continuous", y, at=AT)
    assert result.model == "level_and_trend" and result.cautions == ()


def test_an_unknown_model_is_refused():
    with pytest.raises(MeasureInputError) as refused:
        interrupted_time_series("continuous", list(range(20)), at=10, model="trend_only")
    assert (refused.value.field, refused.value.problem) == ("model", "unknown_model")


# --- what the independent check found ----------------------------------------------------


QUASI_SEPARATED = [0, 0, 0, 0, 0, 5, 6, 7, 5, 6, 7, 6]


def test_quasi_separation_is_refused_not_a_huge_level_change():
    # With a trend before the change, the line through five months of no events and then 5 %
    # rises for ever: the level change ran off to −22 (odds ratio 3e-10) "successfully".
    with pytest.raises(MeasureInputError) as refused:
        interrupted_time_series("proportion", QUASI_SEPARATED, [100] * 12, at=6,
                                model="level_and_trend")
    assert (refused.value.field, refused.value.problem) == ("y", "cannot_fit")


def test_the_quasi_separated_series_with_its_short_baseline_gets_a_level_change():
    # Six months before the change are too few for a trend change; the level-only model has a
    # finite maximum (one slope through both segments).
    result = interrupted_time_series("proportion", QUASI_SEPARATED, [100] * 12, at=6)
    assert result.model == "level_only" and "few_points_before" in result.cautions
    assert abs(result.level_change.estimate) < 5 and result.level_change.std_error < 5


def test_a_trend_that_takes_a_segment_to_no_events_is_refused():
    # after the change: 4 events, then none at all — a falling line fits the zeros exactly
    y = [5, 6, 4, 5, 6, 5, 4, 6, 5, 5, 4, 0, 0, 0, 0, 0, 0, 0]
    with pytest.raises(MeasureInputError) as refused:
        interrupted_time_series("rate", y, [100] * 18, at=10, model="level_and_trend")
    assert refused.value.problem == "cannot_fit"


def test_the_hac_lags_follow_calendar_time_across_a_missing_month():
    wobble = np.array([0.4, -0.3, 0.5, 0.1, -0.6, 0.2, 0.3, -0.2, -0.4, 0.6, 0.1, -0.5,
                       0.3, 0.2, -0.1, 0.4, -0.3, -0.2, 0.5, 0.1])
    steps = np.arange(20)
    y = 5 + 0.2 * steps - 1.5 * (steps >= 10) + wobble
    y_missing = y.copy()
    y_missing[4] = np.nan
    result = interrupted_time_series("continuous", y_missing, at=10, maxlags=2)
    # by hand: OLS on the 19 months, scores g_s = x_s·e_s, and every pair of months s, u at
    # most two months apart in time weighted 1 − |s − u|/3
    kept = np.flatnonzero(~np.isnan(y_missing))
    x = np.column_stack([np.ones(kept.size), kept, kept >= 10, (kept - 10) * (kept >= 10)])
    beta = np.linalg.solve(x.T @ x, x.T @ y[kept])
    scores = x * (y[kept] - x @ beta)[:, None]
    meat = np.zeros((4, 4))
    for i, s in enumerate(kept):
        for j, u in enumerate(kept):
            if abs(s - u) <= 2:
                meat += (1 - abs(s - u) / 3) * np.outer(scores[i], scores[j])
    bread = np.linalg.inv(x.T @ x)
    expected = 19 / (19 - 4) * bread @ meat @ bread
    np.testing.assert_allclose(result.cov_params, expected, rtol=1e-10, atol=1e-14)
    # the months either side of the gap are two apart, not one
    assert abs(kept[4] - kept[3]) == 2


def test_hac_without_gaps_is_statsmodels_panel_hac():
    import statsmodels.api as sm

    rng = np.random.default_rng(2)
    ys = [line(level, 0.1, -1, 0.05) + rng.normal(0, 0.5, T) for level in (5, 7, 9)]
    pooled = pooled_interrupted_time_series("continuous", ys, at=AT, maxlags=2)
    design = np.column_stack([t, post, (t - AT) * post])
    exog = np.vstack([np.column_stack([np.eye(3)[[g] * T], design]) for g in range(3)])
    groups = np.repeat(np.arange(3), T)
    reference = sm.OLS(np.concatenate(ys), exog).fit(
        cov_type="hac-panel", cov_kwds={"groups": groups, "maxlags": 2, "use_correction": "hac"})
    assert pooled.level_change.estimate == pytest.approx(reference.params[4], abs=1e-10)
    plain = sm.OLS(np.concatenate(ys), exog).fit()
    for k, effect in ((4, pooled.level_change), (5, pooled.slope_change)):
        # the panel HAC error, or the model's own where that is larger
        assert effect.std_error == pytest.approx(max(reference.bse[k], plain.bse[k]), abs=1e-10)
    assert pooled.df_resid == 3 * T - 6


def test_hac_covariance_is_the_newey_west_sum_without_gaps():
    scores = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -1.0], [-0.5, 1.5]])
    bread = np.eye(2)
    # lag 1, weight 1/2: Σ g gᵀ + ½ Σ (g_t g_{t−1}ᵀ + g_{t−1} g_tᵀ), times N/(N − k) = 4/2
    outer = sum(np.outer(g, g) for g in scores)
    cross = sum(np.outer(scores[i], scores[i - 1]) for i in range(1, 4))
    expected = 2 * (outer + 0.5 * (cross + cross.T))
    np.testing.assert_allclose(hac_covariance(scores, bread, np.arange(4), 1), expected)
    # a gap between the second and third rows: only rows one month apart are paired
    cross_gap = np.outer(scores[1], scores[0]) + np.outer(scores[3], scores[2])
    expected_gap = 2 * (outer + 0.5 * (cross_gap + cross_gap.T))
    np.testing.assert_allclose(hac_covariance(scores, bread, np.array([0, 1, 3, 4]), 1),
                               expected_gap)


def test_intervals_use_student_t_not_the_normal():
    y = line(20, 0.5, -4, -0.3) + 0.3 * np.sin(1.7 * t)
    result = interrupted_time_series("continuous", y, at=AT)
    lc = result.level_change
    from scipy import stats
    assert lc.df == T - 4
    assert (lc.ci_high - lc.ci_low) / (2 * lc.std_error) == pytest.approx(stats.t.ppf(0.975, T - 4))
    assert (lc.ci_high - lc.ci_low) / (2 * lc.std_error) > 1.04 * 1.959964  # 4.9 % wider at 26 df


def test_a_p_value_below_what_the_fit_resolves_is_marked():
    rng = np.random.default_rng(5)
    n = np.full(T, 4000)
    y = rng.binomial(n, 1 / (1 + np.exp(-line(-1.0, 0.0, 0.8, 0.0))))
    result = interrupted_time_series("proportion", y, n, at=AT)
    assert result.level_change.p_value < 0.001 and result.level_change.p_below == 0.001
    assert result.impact().p_below == 0.001
    assert result.slope_change.p_value > 0.001 and result.slope_change.p_below is None


def test_pooled_teams_with_short_baselines_share_a_level_change():
    steps = np.arange(16)
    ys = [level + 0.2 * steps + 2.0 * (steps >= 5) + 0.3 * np.cos(1.3 * steps + level)
          for level in (4.0, 6.0, 9.0)]
    pooled = pooled_interrupted_time_series("continuous", ys, at=5)
    assert (pooled.model, pooled.model_reason) == ("level_only", "short_baseline")
    assert pooled.cautions == ("few_points_before",) and pooled.df_resid == 3 * 16 - 5
    assert pooled.level_change.estimate == pytest.approx(2.0, abs=0.3)
    assert pooled.baseline_slope.estimate == pytest.approx(0.2, abs=0.05)
    assert pooled.slope_change.estimated is False


def test_a_series_without_change_is_rarely_called_changed():
    # White-noise proportions (19 residents, half screened each month), 18 months before the
    # change and 22 after: at the 5 % level about one series in twenty should show an effect a
    # year after the change. The HAC variance alone gave about one in five.
    rng = np.random.default_rng(1)
    changed = 0
    for _ in range(300):
        y = rng.binomial(19, 0.5, 40).astype(float)
        impact = interrupted_time_series("proportion", y, np.full(40, 19.0), at=18).impact(31, 39)
        changed += impact.ci_low > 0 or impact.ci_high < 0
    assert changed / 300 < 0.09
