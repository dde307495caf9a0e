"""Effect estimates: interrupted time series by segmented regression (statsmodels).

API
---
``interrupted_time_series(kind, y, n=None, at=..., maxlags=None, alpha=0.05)
-> ItsResult``
``pooled_interrupted_time_series(kind, ys, ns=None, at=..., maxlags=None,
alpha=0.05) -> PooledItsResult``

``kind`` is ``"proportion"`` (binomial GLM, logit link: ``y`` events out of
``n``), ``"rate"`` (Poisson GLM, log link, offset log ``n``: ``y`` events over
exposure ``n``) or ``"continuous"`` (OLS on ``y``; ``n`` not used).

Model (Wagner et al. 2002; Bernal, Cummins & Gasparrini 2017), with
t = 0 … T−1 the period number, ``at`` the first period after the change and
post_t = [t ≥ at]:

    g(μ_t) = β0 + β1·t + β2·post_t + β3·(t − at)·post_t

β2 is the level change and β3 the slope change (per period), on the link
scale: log odds for proportions, log rate for rates, the measure's own unit
for continuous values. Their exponentials (odds ratio, rate ratio) are given
too. Standard errors are autocorrelation- and heteroskedasticity-robust
(HAC, Newey & West 1987) with ``maxlags`` defaulting to
⌊4·(T/100)^(2/9)⌋ (at least 1; Newey & West 1994). Missing periods are
dropped before fitting.

The counterfactual is the pre-change line carried on: g⁻¹(β0 + β1·t).

The pooled estimate stacks several series (e.g. every team of a network)
with a fixed effect (own intercept) per series and common β1, β2, β3;
standard errors are HAC within each series (statsmodels ``hac-panel``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy import stats

from measures._inputs import as_float_array, check_same_length, first_true
from measures.errors import MeasureInputError

__all__ = ["Effect", "ItsResult", "PooledItsResult", "interrupted_time_series",
           "pooled_interrupted_time_series", "newey_west_lags"]

KINDS = ("proportion", "rate", "continuous")
_SCALE = {"proportion": "log_odds", "rate": "log_rate", "continuous": "value"}
_RATIO = {"proportion": "odds_ratio", "rate": "rate_ratio", "continuous": None}
# Fewest non-missing periods on each side of the change: two points fix a
# line, a third leaves something to estimate the error from.
MIN_PER_SEGMENT = 3


@dataclass(frozen=True)
class Effect:
    """One coefficient of the segmented regression.

    ``estimate``, ``ci_low``, ``ci_high`` are on the link scale (``scale``:
    ``log_odds``, ``log_rate`` or ``value``); ``ratio`` and its interval are
    their exponentials (``ratio_name`` ``odds_ratio``/``rate_ratio``), None
    for continuous measures.
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    scale: str
    ratio: float | None
    ratio_ci_low: float | None
    ratio_ci_high: float | None
    ratio_name: str | None


@dataclass(frozen=True, eq=False)
class ItsResult:
    """Interrupted-time-series estimate for one series.

    ``fitted`` and ``counterfactual`` have one value per period (missing
    periods included) on the measure's scale (proportion, rate per unit of
    exposure, or value); they agree before ``at``. ``effect_at_end`` is
    fitted − counterfactual at the last period.
    """

    kind: str
    at: int
    level_change: Effect
    slope_change: Effect
    baseline_slope: Effect
    fitted: np.ndarray
    counterfactual: np.ndarray
    effect_at_change: float
    effect_at_end: float
    n_obs: int
    maxlags: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PooledItsResult:
    """Pooled interrupted-time-series estimate over several series."""

    kind: str
    level_change: Effect
    slope_change: Effect
    baseline_slope: Effect
    n_series: int
    n_obs: int
    maxlags: int
    warnings: tuple[str, ...] = ()


def newey_west_lags(n_obs: int) -> int:
    """⌊4·(T/100)^(2/9)⌋, at least 1 (Newey & West 1994)."""
    return max(1, int(math.floor(4 * (n_obs / 100) ** (2 / 9))))


# ----------------------------------------------------------------- inputs
@dataclass(frozen=True)
class _Series:
    y: np.ndarray
    n: np.ndarray | None
    t: np.ndarray
    at: int
    length: int


def _series(kind: str, y, n, at, index: int | None = None) -> _Series:
    suffix = "" if index is None else f"[{index}]"
    if kind not in KINDS:
        raise MeasureInputError("kind", "unknown_kind", f"one of {KINDS}")
    y_arr = as_float_array(y, "y" + suffix)
    n_arr = None
    if kind != "continuous":
        if n is None:
            raise MeasureInputError("n" + suffix, "missing", f"a {kind} needs denominators")
        n_arr = as_float_array(n, "n" + suffix)
        check_same_length("n" + suffix, n_arr, y_arr.size)
    length = y_arr.size
    if isinstance(at, bool) or not isinstance(at, (int, np.integer)):
        raise MeasureInputError("at", "not_an_integer", "at is a 0-based period position")
    if not 0 < at < length:
        raise MeasureInputError("at", "out_of_range", f"at must be within 1..{length - 1}")
    keep = ~np.isnan(y_arr)
    if n_arr is not None:
        keep &= ~np.isnan(n_arr)
    t = np.arange(length, dtype=float)
    y_arr, t = y_arr[keep], t[keep]
    if n_arr is not None:
        n_arr = n_arr[keep]
        if (n_arr <= 0).any():
            raise MeasureInputError("n" + suffix, "zero_denominator"
                                    if (n_arr == 0).any() else "negative_denominator")
    if kind != "continuous" and (y_arr < 0).any():
        raise MeasureInputError("y" + suffix, "negative_count", "", first_true(y_arr < 0))
    if kind == "proportion" and (y_arr > n_arr).any():
        raise MeasureInputError("y" + suffix, "numerator_above_denominator", "",
                                first_true(y_arr > n_arr))
    before, after = int((t < at).sum()), int((t >= at).sum())
    if min(before, after) < MIN_PER_SEGMENT:
        raise MeasureInputError("y" + suffix, "too_few_points",
                                f"need {MIN_PER_SEGMENT} non-missing periods before and after "
                                f"the change, got {before} and {after}")
    if kind != "continuous":
        # A segment without events (or, for proportions, with nothing but
        # events) has no finite log odds or log rate: the GLM would diverge.
        for segment in (t < at, t >= at):
            if y_arr[segment].sum() == 0:
                raise MeasureInputError("y" + suffix, "no_events",
                                        "no events before or after the change")
            if kind == "proportion" and np.all(y_arr[segment] == n_arr[segment]):
                raise MeasureInputError("y" + suffix, "all_events",
                                        "every case an event before or after the change")
    return _Series(y_arr, n_arr, t, int(at), length)


def _design(t: np.ndarray, at: int) -> np.ndarray:
    post = (t >= at).astype(float)
    return np.column_stack([t, post, (t - at) * post])


def _fit(kind: str, y: np.ndarray, n: np.ndarray | None, exog: np.ndarray,
         cov_type: str, cov_kwds: dict):
    if kind == "proportion":
        model = sm.GLM(np.column_stack([y, n - y]), exog, family=sm.families.Binomial())
    elif kind == "rate":
        model = sm.GLM(y, exog, family=sm.families.Poisson(), offset=np.log(n))
    else:
        model = sm.OLS(y, exog)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            try:
                result = model.fit(cov_type=cov_type, cov_kwds=cov_kwds)
                # The standard errors are computed when first read: a series the model fits
                # exactly can give a variance a rounding below 0, whose root is no number.
                params = np.asarray(result.params, dtype=float)
                bse = np.asarray(result.bse, dtype=float)
            except (ValueError, np.linalg.LinAlgError) as exc:
                raise MeasureInputError("y", "cannot_fit", str(exc)) from None
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    if any("separation" in m.lower() for m in messages):
        raise MeasureInputError("y", "cannot_fit", "perfect separation: " + "; ".join(messages))
    if not (np.all(np.isfinite(params[-3:])) and np.all(np.isfinite(bse[-3:]))):
        raise MeasureInputError("y", "cannot_fit",
                                "the model has no finite estimate (e.g. no events at all)")
    return result, params, bse, messages


def _effect(kind: str, estimate: float, se: float, alpha: float) -> Effect:
    estimate, se = float(estimate), float(se)
    z = float(stats.norm.ppf(1 - alpha / 2))
    low, high = estimate - z * se, estimate + z * se
    p = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else math.nan
    name = _RATIO[kind]
    if name is None:
        return Effect(estimate, se, low, high, p, _SCALE[kind], None, None, None, None)
    return Effect(estimate, se, low, high, p, _SCALE[kind], math.exp(estimate), math.exp(low),
                  math.exp(high), name)


def _inverse_link(kind: str, eta: np.ndarray) -> np.ndarray:
    if kind == "proportion":
        return 1 / (1 + np.exp(-eta))
    if kind == "rate":
        return np.exp(eta)
    return eta


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise MeasureInputError("alpha", "out_of_range", "0 < alpha < 1")


# ----------------------------------------------------------------- public
def interrupted_time_series(kind: str, y: Sequence[float | None] | np.ndarray,
                            n: Sequence[float | None] | np.ndarray | None = None, *,
                            at: int, maxlags: int | None = None,
                            alpha: float = 0.05) -> ItsResult:
    """Level and slope change at period ``at`` by segmented regression.

    Parameters
    ----------
    kind : {"proportion", "rate", "continuous"}
        Binomial GLM (logit), Poisson GLM with log-exposure offset, or OLS.
    y : sequence of float or None
        Numerators, event counts or values, one per period (None = missing).
    n : sequence of float or None, optional
        Denominators (proportion) or exposure (rate).
    at : int
        0-based position of the first period after the change.
    maxlags : int, optional
        HAC lags; default ⌊4·(T/100)^(2/9)⌋, at least 1.
    alpha : float, default 0.05
        1 − confidence level of the intervals.

    Returns
    -------
    ItsResult
    """
    _check_alpha(alpha)
    s = _series(kind, y, n, at)
    lags = newey_west_lags(s.t.size) if maxlags is None else int(maxlags)
    if lags < 0:
        raise MeasureInputError("maxlags", "out_of_range", "maxlags >= 0")
    exog = sm.add_constant(_design(s.t, s.at), has_constant="add")
    _, params, bse, messages = _fit(kind, s.y, s.n, exog, "HAC", {"maxlags": lags})
    t_all = np.arange(s.length, dtype=float)
    full = sm.add_constant(_design(t_all, s.at), has_constant="add")
    with np.errstate(over="ignore"):
        fitted = _inverse_link(kind, full @ params)
        counterfactual = _inverse_link(kind, params[0] + params[1] * t_all)
    for arr in (fitted, counterfactual):
        arr.flags.writeable = False
    return ItsResult(
        kind=kind, at=s.at,
        level_change=_effect(kind, params[2], bse[2], alpha),
        slope_change=_effect(kind, params[3], bse[3], alpha),
        baseline_slope=_effect(kind, params[1], bse[1], alpha),
        fitted=fitted, counterfactual=counterfactual,
        effect_at_change=float(fitted[s.at] - counterfactual[s.at]),
        effect_at_end=float(fitted[-1] - counterfactual[-1]),
        n_obs=int(s.t.size), maxlags=lags, warnings=messages)


def pooled_interrupted_time_series(kind: str,
                                   ys: Sequence[Sequence[float | None]],
                                   ns: Sequence[Sequence[float | None]] | None = None, *,
                                   at: int | Sequence[int], maxlags: int | None = None,
                                   alpha: float = 0.05) -> PooledItsResult:
    """Pooled level and slope change over several series (e.g. a network's teams).

    The series are stacked with a fixed effect per series (its own intercept)
    and common baseline slope, level change and slope change; the standard
    errors are HAC within series (``hac-panel``). ``at`` is one position for
    all series or one per series (teams may start the change in different
    months). Other parameters as :func:`interrupted_time_series`.
    """
    _check_alpha(alpha)
    if len(ys) < 2:
        raise MeasureInputError("ys", "too_few_points", "pooling needs two series or more")
    if ns is not None:
        check_same_length("ns", ns, len(ys), "ys")
    ats = [at] * len(ys) if isinstance(at, (int, np.integer)) else list(at)
    check_same_length("at", ats, len(ys), "ys")
    series = [_series(kind, y, None if ns is None else ns[i], ats[i], i)
              for i, y in enumerate(ys)]
    groups = np.concatenate([np.full(s.t.size, i) for i, s in enumerate(series)])
    design = np.vstack([_design(s.t, s.at) for s in series])
    dummies = (groups[:, None] == np.arange(len(series))[None, :]).astype(float)
    exog = np.column_stack([dummies, design])
    y_all = np.concatenate([s.y for s in series])
    n_all = None if kind == "continuous" else np.concatenate([s.n for s in series])
    lags = newey_west_lags(min(s.t.size for s in series)) if maxlags is None else int(maxlags)
    if lags < 0:
        raise MeasureInputError("maxlags", "out_of_range", "maxlags >= 0")
    _, params, bse, messages = _fit(kind, y_all, n_all, exog, "hac-panel",
                                    {"groups": groups, "maxlags": lags})
    return PooledItsResult(
        kind=kind,
        level_change=_effect(kind, params[-2], bse[-2], alpha),
        slope_change=_effect(kind, params[-1], bse[-1], alpha),
        baseline_slope=_effect(kind, params[-3], bse[-3], alpha),
        n_series=len(series), n_obs=int(y_all.size), maxlags=lags, warnings=messages)
