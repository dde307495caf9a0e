"""Funnel plots for comparing units (Spiegelhalter 2005).

API
---
``funnel(kind, numerators, denominators, target=None, labels=None,
adjust=None, winsor=0.1) -> FunnelResult``
    ``kind`` is ``"proportion"`` (binomial: numerator out of denominator) or
    ``"rate"`` (Poisson: events per unit of exposure, e.g. per bed-day).
    Each :class:`FunnelUnit` carries its value, z-score (adjusted when
    ``adjust`` is given), its limits at its own denominator, and whether it lies
    outside the 95 % and 99.8 % limits. The result carries φ̂, τ̂² and the
    dispersion test whatever ``adjust`` is, so the caller can decide.
``funnel_limits(kind, target, denominators=None, n_min=None, n_max=None,
points=200, phi=1.0, tau2=0.0) -> FunnelCurves``
    The limit curves over a range of denominators, for plotting.

Method
------
Without adjustment the limits are exact (Spiegelhalter 2005, *Stat Med*
24:1185, appendix A.1): for a tail probability P, r_P is the P-quantile of
Binomial(n, θ0) (or Poisson(θ0·E)); with F its distribution function,
α = (F(r_P) − P) / (F(r_P) − F(r_P − 1)) interpolates the discrete steps, and
the limit is (r_P − α)/n. P = 0.025/0.975 gives the 95 % limits and
0.001/0.999 the 99.8 % limits.

z-scores are z_i = (y_i − θ0)/s_i with s_i = √(θ0(1 − θ0)/n_i) for
proportions and √(θ0/E_i) for rates. Overdispersion (Spiegelhalter 2005,
*Qual Saf Health Care* 14:347): the z-scores are winsorised (the ``winsor``
share at each end set to that percentile) and φ̂ = Σ z_w²/I. Under no
overdispersion I·φ̂ ~ χ² with I − 1 degrees of freedom (I when the target is
given), which gives ``dispersion_p``.

* multiplicative: limits θ0 ± z_P √φ̂ s(n), z-scores z_i/√φ̂;
* additive random effects: τ̂² = (I φ̂ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s²,
  (0 when I φ̂ ≤ I − 1); limits θ0 ± z_P √(s(n)² + τ̂²), z-scores
  (y_i − θ0)/√(s_i² + τ̂²).

An adjustment never narrows the limits: φ̂ below 1 is used as 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from measures._inputs import as_float_array, check_same_length, first_true
from measures.errors import MeasureInputError

__all__ = ["FunnelUnit", "FunnelResult", "FunnelCurves", "funnel", "funnel_limits",
           "exact_limit", "LEVELS"]

#: Two-sided coverage of the two funnels drawn.
LEVELS = (0.95, 0.998)
KINDS = ("proportion", "rate")
#: Largest expected count for which limits are computed exactly (see exact_limit).
EXACT_UP_TO = 1e6
ADJUSTMENTS = (None, "multiplicative", "additive")


@dataclass(frozen=True)
class FunnelUnit:
    """One unit on the funnel plot.

    ``value`` is numerator/denominator; ``z`` is the (possibly adjusted)
    z-score; ``lower95 … upper998`` the limits at the unit's denominator;
    ``side`` is ``"above"``/``"below"`` when outside the 95 % limits, else None.
    """

    label: Any
    numerator: float
    denominator: float
    value: float
    z: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    outside95: bool
    outside998: bool
    side: str | None


@dataclass(frozen=True)
class FunnelResult:
    """Funnel comparison of units against a common target θ0."""

    kind: str
    target: float
    target_given: bool
    adjustment: str | None
    phi: float
    tau2: float
    dispersion_p: float
    units: tuple[FunnelUnit, ...]

    @property
    def overdispersed(self) -> bool:
        """True when the dispersion test rejects at 5 %."""
        return self.dispersion_p < 0.05


@dataclass(frozen=True, eq=False)
class FunnelCurves:
    """Limit curves over a range of denominators (arrays of equal length)."""

    kind: str
    target: float
    denominator: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    lower998: np.ndarray
    upper998: np.ndarray


# ----------------------------------------------------------------- limits
def _distribution(kind: str, target: float, denominator: np.ndarray):
    if kind == "proportion":
        return stats.binom(denominator, target)
    return stats.poisson(denominator * target)


def exact_limit(kind: str, target: float, denominator: Any, prob: float) -> np.ndarray:
    """Exact funnel limit at tail probability ``prob`` (Spiegelhalter 2005, A.1).

    ``(r_P − α)/n`` with r_P the ``prob``-quantile of Binomial(n, θ0) (or
    Poisson(θ0·E)) and α = (F(r_P) − P)/(F(r_P) − F(r_P − 1)); clipped to the
    range of the measure. Where the expected count (and, for proportions, its
    complement) exceeds :data:`EXACT_UP_TO` the distribution is normal to well
    within plotting precision and floating-point quantiles of it are not
    reliable, so θ0 + z_P·s(n) is used instead.
    """
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    limit = np.empty(n.shape)
    with np.errstate(all="ignore"):
        expected = n * target
        if kind == "proportion":
            expected = np.minimum(expected, n * (1 - target))
        exact = expected <= EXACT_UP_TO
        ne = n[exact]
        dist = _distribution(kind, target, ne)
        r = dist.ppf(prob)
        f_r = dist.cdf(r)
        f_below = dist.cdf(r - 1)
        alpha = np.where(f_r > f_below, (f_r - prob) / (f_r - f_below), 0.0)
        limit[exact] = (r - alpha) / ne
        limit[~exact] = target + stats.norm.ppf(prob) * _se(kind, target, n[~exact])
    upper = 1.0 if kind == "proportion" else np.inf
    limit = np.clip(limit, 0.0, upper)
    return limit if np.ndim(denominator) else limit.reshape(())


def _se(kind: str, target: float, denominator: np.ndarray) -> np.ndarray:
    if kind == "proportion":
        return np.sqrt(target * (1 - target) / denominator)
    return np.sqrt(target / denominator)


def _limits(kind: str, target: float, n: np.ndarray, phi: float, tau2: float,
            adjustment: str | None) -> dict[str, np.ndarray]:
    out = {}
    for level, name in zip(LEVELS, ("95", "998")):
        tail = (1 - level) / 2
        if adjustment is None:
            out["lower" + name] = exact_limit(kind, target, n, tail)
            out["upper" + name] = exact_limit(kind, target, n, 1 - tail)
            continue
        se = _se(kind, target, n)
        spread = np.sqrt(phi) * se if adjustment == "multiplicative" else np.sqrt(se ** 2 + tau2)
        z = stats.norm.ppf(1 - tail)
        upper = 1.0 if kind == "proportion" else np.inf
        out["lower" + name] = np.clip(target - z * spread, 0.0, upper)
        out["upper" + name] = np.clip(target + z * spread, 0.0, upper)
    return out


# ----------------------------------------------------------------- validation
def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise MeasureInputError("kind", "unknown_kind", f"one of {KINDS}")


def _check_target(kind: str, target: float, field: str = "target") -> float:
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise MeasureInputError(field, "not_a_number") from None
    ok = 0 < target < 1 if kind == "proportion" else 0 < target < np.inf
    if not ok:
        raise MeasureInputError(field, "out_of_range",
                                "the target must lie strictly inside the range of the measure "
                                "(no events, or all events, give no funnel)")
    return target


def _check_counts(kind: str, y: np.ndarray, n: np.ndarray) -> None:
    for name, arr in (("numerators", y), ("denominators", n)):
        missing = np.isnan(arr)
        if missing.any():
            raise MeasureInputError(name, "missing_value", "", first_true(missing))
    if (y < 0).any():
        raise MeasureInputError("numerators", "negative_count", "", first_true(y < 0))
    if (n <= 0).any():
        problem = "zero_denominator" if (n == 0).any() else "negative_denominator"
        raise MeasureInputError("denominators", problem, "", first_true(n <= 0))
    if kind == "proportion":
        if (y > n).any():
            raise MeasureInputError("numerators", "numerator_above_denominator", "",
                                    first_true(y > n))
        if (n != np.round(n)).any():
            raise MeasureInputError("denominators", "not_an_integer",
                                    "a proportion's denominator is a count",
                                    first_true(n != np.round(n)))


# ----------------------------------------------------------------- public
def winsorised_phi(z: np.ndarray, winsor: float = 0.1) -> float:
    """φ̂ = mean of squared z-scores after winsorising ``winsor`` at each end."""
    lo, hi = np.percentile(z, [100 * winsor, 100 * (1 - winsor)])
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def funnel(kind: str, numerators: Sequence[float] | np.ndarray,
           denominators: Sequence[float] | np.ndarray, target: float | None = None,
           labels: Sequence[Any] | None = None, adjust: str | None = None,
           winsor: float = 0.1) -> FunnelResult:
    """Compare units on a funnel plot, with optional overdispersion adjustment.

    Parameters
    ----------
    kind : {"proportion", "rate"}
        Binomial (numerator of denominator) or Poisson (events per exposure).
    numerators, denominators : sequence of float
        One pair per unit; no missing values.
    target : float, optional
        θ0; by default the pooled value Σ numerators / Σ denominators.
    labels : sequence, optional
        A label per unit (default 0..I−1).
    adjust : {None, "multiplicative", "additive"}
        Overdispersion adjustment (Spiegelhalter 2005); None gives exact limits.
    winsor : float, default 0.1
        Share of z-scores winsorised at each end when estimating φ.

    Returns
    -------
    FunnelResult
    """
    _check_kind(kind)
    if adjust not in ADJUSTMENTS:
        raise MeasureInputError("adjust", "unknown_adjustment", f"one of {ADJUSTMENTS}")
    if not 0 <= winsor < 0.5:
        raise MeasureInputError("winsor", "out_of_range", "0 <= winsor < 0.5")
    y = as_float_array(numerators, "numerators")
    n = as_float_array(denominators, "denominators")
    check_same_length("denominators", n, y.size, "numerators")
    if y.size < 2:
        raise MeasureInputError("numerators", "too_few_points", "a funnel needs two units")
    _check_counts(kind, y, n)
    if labels is None:
        labels = list(range(y.size))
    else:
        labels = list(labels)
        check_same_length("labels", labels, y.size, "numerators")
    target_given = target is not None
    with np.errstate(all="ignore"):
        pooled = None if target_given else y.sum() / n.sum()
    theta = _check_target(kind, target if target_given else pooled,
                          "target" if target_given else "numerators")

    with np.errstate(all="ignore"):
        return _funnel(kind, y, n, theta, target_given, labels, adjust, winsor)


def _funnel(kind, y, n, theta, target_given, labels, adjust, winsor) -> FunnelResult:
    value = y / n
    se = _se(kind, theta, n)
    z = (value - theta) / se
    count = z.size
    phi_hat = winsorised_phi(z, winsor)
    df = count if target_given else count - 1
    dispersion_p = float(stats.chi2.sf(count * phi_hat, df))
    w = 1 / se ** 2
    excess = count * phi_hat - (count - 1)
    tau2 = float(max(0.0, excess / (w.sum() - (w ** 2).sum() / w.sum()))) if excess > 0 else 0.0
    phi = max(1.0, phi_hat)

    if adjust == "multiplicative":
        z_out = z / np.sqrt(phi)
    elif adjust == "additive":
        z_out = (value - theta) / np.sqrt(se ** 2 + tau2)
    else:
        z_out = z
    lim = _limits(kind, theta, n, phi, tau2, adjust)
    numbers = np.concatenate([value, z_out, se, *lim.values(), [phi_hat, tau2]])
    if not np.all(np.isfinite(numbers)):
        # Finite inputs can still be too extreme for floating point (a
        # denominator of 1e-300, a target of 1e200); say so rather than plot NaN.
        raise MeasureInputError("denominators", "extreme_values",
                                "values too extreme to compute a funnel from")
    units = []
    for i in range(count):
        below = value[i] < lim["lower95"][i]
        above = value[i] > lim["upper95"][i]
        units.append(FunnelUnit(
            label=labels[i], numerator=float(y[i]), denominator=float(n[i]),
            value=float(value[i]), z=float(z_out[i]),
            lower95=float(lim["lower95"][i]), upper95=float(lim["upper95"][i]),
            lower998=float(lim["lower998"][i]), upper998=float(lim["upper998"][i]),
            outside95=bool(below or above),
            outside998=bool(value[i] < lim["lower998"][i] or value[i] > lim["upper998"][i]),
            side="above" if above else "below" if below else None))
    return FunnelResult(kind, theta, target_given, adjust, phi_hat, tau2, dispersion_p,
                        tuple(units))


def funnel_limits(kind: str, target: float, denominators: Sequence[float] | None = None,
                  n_min: float | None = None, n_max: float | None = None, points: int = 200,
                  phi: float = 1.0, tau2: float = 0.0,
                  adjustment: str | None = None) -> FunnelCurves:
    """Limit curves for plotting, at given ``denominators`` or ``points``
    log-spaced values from ``n_min`` to ``n_max`` (whole numbers for proportions).

    With ``adjustment=None`` the limits are exact; with ``"multiplicative"`` or
    ``"additive"`` they use ``phi`` or ``tau2`` as in :func:`funnel` (pass
    ``result.phi`` and ``result.tau2``).
    """
    _check_kind(kind)
    if adjustment not in ADJUSTMENTS:
        raise MeasureInputError("adjustment", "unknown_adjustment", f"one of {ADJUSTMENTS}")
    theta = _check_target(kind, target)
    if denominators is not None:
        n = as_float_array(denominators, "denominators", allow_missing=False)
    else:
        if n_min is None or n_max is None or not 0 < n_min < n_max or points < 2:
            raise MeasureInputError("n_min", "out_of_range",
                                    "give denominators, or 0 < n_min < n_max and points >= 2")
        n = np.geomspace(n_min, n_max, int(points))
        if kind == "proportion":
            n = np.unique(np.maximum(1.0, np.round(n)))
    if (n <= 0).any():
        raise MeasureInputError("denominators", "zero_denominator", "", first_true(n <= 0))
    with np.errstate(all="ignore"):
        lim = _limits(kind, theta, n, max(1.0, float(phi)), max(0.0, float(tau2)), adjustment)
    for arr in (n, *lim.values()):
        arr.flags.writeable = False
    return FunnelCurves(kind, theta, n, lim["lower95"], lim["upper95"], lim["lower998"],
                        lim["upper998"])
