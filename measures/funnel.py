"""Funnel plots for comparing units (Spiegelhalter 2005).

API
---
``funnel(kind, numerators, denominators, target=None, labels=None,
adjust="auto", winsor=0.1) -> FunnelResult``
    ``kind`` is ``"proportion"`` (binomial: numerator out of denominator) or
    ``"rate"`` (Poisson: events per unit of exposure, e.g. per bed-day).
    Each :class:`FunnelUnit` carries its value, its z-scores, its limits at its
    own denominator, and whether it lies outside the 95 % and 99.8 % limits.
    The result says which limits were used and why (``adjustment``,
    ``requested``, ``scale``) and carries φ̂, τ̂² and the dispersion test
    whatever the choice.
``funnel_limits(kind, target, denominators=None, n_min=None, n_max=None,
points=200, phi=1.0, tau2=0.0, adjustment=None) -> FunnelCurves``
    The limit curves over a range of denominators, for plotting.
``stabilised_limit(kind, target, denominator, z, phi=1.0, tau2=0.0)``
    One limit on the variance-stabilising scale, transformed back.

Method
------
Plain (unadjusted) limits are exact (Spiegelhalter 2005, *Stat Med* 24:1185,
appendix A.1): for a tail probability P, r_P is the P-quantile of
Binomial(n, θ0) (or Poisson(θ0·E)); with F its distribution function,
α = (F(r_P) − P) / (F(r_P) − F(r_P − 1)) interpolates the discrete steps, and
the limit is (r_P − α)/n. P = 0.025/0.975 gives the 95 % limits and
0.001/0.999 the 99.8 % limits.

Overdispersion (Spiegelhalter 2005, "Handling over-dispersion of performance
indicators", *Qual Saf Health Care* 14:347; as the R package FunnelPlotR does
it) is judged on the variance-stabilising scale, where every unit's variance
depends only on its denominator:

* proportions, the angular scale: Y = arcsin √(y/n), Y0 = arcsin √θ0;
* rates, the square-root scale: Y = √(y/E), Y0 = √θ0;

both with s = 1/(2√n) (n the denominator or the exposure E). The z-scores are
z_i = (Y_i − Y0)/s_i. They are winsorised (the ``winsor`` share at each end set
to that percentile, 10 % by default) and φ̂ = Σ z_w²/I. Under no
overdispersion I·φ̂ ~ χ² with I − 1 degrees of freedom (I when the target is
given), which gives ``dispersion_p``.

* additive random effects (DerSimonian–Laird): τ̂² = (I φ̂ − (I − 1)) /
  (Σw − Σw²/Σw) with w = 1/s² (0 when I φ̂ < I − 1); limits
  g⁻¹(Y0 ± z_P √(s² + τ̂²)), z-scores (Y_i − Y0)/√(s_i² + τ̂²);
* multiplicative: limits g⁻¹(Y0 ± z_P √φ s), z-scores z_i/√φ, with φ̂ below 1
  used as 1.

g⁻¹ is sin²(·) for proportions and (·)² for rates; an angle beyond 0 or π/2
(a square root below 0) gives the bound of the measure, 0 or 1. z_P is the
normal quantile to six decimals (1.959964 and 3.090232), as FunnelPlotR uses.

An adjustment never narrows the limits: where the adjusted limit lies inside
the exact one (at small denominators, where the normal approximation on the
stabilised scale is poor, or when τ̂² is tiny) the exact limit is used. So a
unit inside the plain limits stays inside the adjusted ones.

``adjust="auto"`` (the default) uses the additive adjustment when the
dispersion test rejects at 5 % (``overdispersed``, which implies τ̂² > 0), and
the plain exact limits otherwise.
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
           "exact_limit", "stabilised_limit", "stabilise", "LEVELS", "SCALES", "ADJUSTMENTS",
           "REQUESTS"]

#: Two-sided coverage of the two funnels drawn.
LEVELS = (0.95, 0.998)
KINDS = ("proportion", "rate")
#: Largest expected count for which limits are computed exactly (see exact_limit).
EXACT_UP_TO = 1e6
#: The limits a funnel can have: None (plain, exact) or an overdispersion adjustment.
ADJUSTMENTS = (None, "multiplicative", "additive")
#: What a caller may ask for: an adjustment, or "auto" (additive when overdispersed).
REQUESTS = ("auto", *ADJUSTMENTS)
#: The variance-stabilising scale of each kind.
SCALES = {"proportion": "angular", "rate": "square_root"}
#: Normal quantiles of the adjusted limits, to six decimals as FunnelPlotR has them.
Z_LEVEL = {0.95: 1.959964, 0.998: 3.090232}


@dataclass(frozen=True)
class FunnelUnit:
    """One unit on the funnel plot.

    ``value`` is numerator/denominator; ``z`` the z-score on the stabilising
    scale against the limits used (adjusted when they are), ``z_unadjusted``
    the plain one and ``z_winsorised`` the one φ̂ is estimated from;
    ``lower95 … upper998`` the limits at the unit's denominator; ``side`` is
    ``"above"``/``"below"`` when outside the 95 % limits, else None.
    """

    label: Any
    numerator: float
    denominator: float
    value: float
    z: float
    z_unadjusted: float
    z_winsorised: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    outside95: bool
    outside998: bool
    side: str | None


@dataclass(frozen=True)
class FunnelResult:
    """Funnel comparison of units against a common target θ0.

    ``adjustment`` is the limits used (None: plain exact limits); ``requested``
    what the caller asked for (``"auto"`` or one of :data:`ADJUSTMENTS`), so
    ``automatic`` says the choice was made from the dispersion test;
    ``scale`` the stabilising scale of the z-scores and of φ̂ and τ̂²
    (:data:`SCALES`).
    """

    kind: str
    target: float
    target_given: bool
    adjustment: str | None
    phi: float
    tau2: float
    dispersion_p: float
    units: tuple[FunnelUnit, ...]
    requested: str | None = None
    scale: str = "angular"

    @property
    def overdispersed(self) -> bool:
        """True when the dispersion test rejects at 5 %."""
        return self.dispersion_p < 0.05

    @property
    def adjusted(self) -> bool:
        return self.adjustment is not None

    @property
    def automatic(self) -> bool:
        """True when the limits were chosen from the dispersion test."""
        return self.requested == "auto"


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


def stabilise(kind: str, value: Any) -> np.ndarray:
    """The variance-stabilising transform: arcsin √p for proportions, √r for rates."""
    v = np.asarray(value, dtype=float)
    return np.arcsin(np.sqrt(v)) if kind == "proportion" else np.sqrt(v)


def _unstabilise(kind: str, t: np.ndarray) -> np.ndarray:
    if kind == "proportion":
        # an angle past 0 or π/2 has left the range of the measure: its bound, not a wrapped sine
        return np.sin(np.clip(t, 0.0, np.pi / 2)) ** 2
    return np.clip(t, 0.0, None) ** 2


def _stabilised_se(denominator: np.ndarray) -> np.ndarray:
    return 0.5 / np.sqrt(denominator)


def stabilised_limit(kind: str, target: float, denominator: Any, z: float, phi: float = 1.0,
                     tau2: float = 0.0) -> np.ndarray:
    """A limit computed on the stabilising scale and transformed back (Spiegelhalter 2005,
    *Qual Saf Health Care* 14:347): g⁻¹(g(θ0) + z √(φ s² + τ²)) with s = 1/(2√n), g the
    angular (proportions) or square-root (rates) transform. ``z`` is signed (−1.96 for the
    lower 95 % limit). φ = 1, τ² = 0 gives the normal limit on that scale; the caller's φ and
    τ² are used as given. No exact floor here: :func:`funnel` and :func:`funnel_limits` add it.
    """
    n = np.asarray(denominator, dtype=float)
    with np.errstate(all="ignore"):
        spread = np.sqrt(phi * _stabilised_se(n) ** 2 + tau2)
        return _unstabilise(kind, stabilise(kind, target) + z * spread)


def _limits(kind: str, target: float, n: np.ndarray, phi: float, tau2: float,
            adjustment: str | None) -> dict[str, np.ndarray]:
    out = {}
    for level, name in zip(LEVELS, ("95", "998")):
        tail = (1 - level) / 2
        lower = exact_limit(kind, target, n, tail)
        upper = exact_limit(kind, target, n, 1 - tail)
        if adjustment is not None:
            z = Z_LEVEL[level]
            scale = dict(phi=phi) if adjustment == "multiplicative" else dict(tau2=tau2)
            # never narrower than the exact limits (see the module's notes)
            lower = np.minimum(lower, stabilised_limit(kind, target, n, -z, **scale))
            upper = np.maximum(upper, stabilised_limit(kind, target, n, z, **scale))
        out["lower" + name] = lower
        out["upper" + name] = upper
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
def _winsorise(z: np.ndarray, winsor: float) -> np.ndarray:
    # linear interpolation between order statistics: R's quantile type 7, as FunnelPlotR
    lo, hi = np.percentile(z, [100 * winsor, 100 * (1 - winsor)])
    return np.clip(z, lo, hi)


def winsorised_phi(z: np.ndarray, winsor: float = 0.1) -> float:
    """φ̂ = mean of squared z-scores after winsorising ``winsor`` at each end."""
    return float(np.mean(_winsorise(np.asarray(z, dtype=float), winsor) ** 2))


def funnel(kind: str, numerators: Sequence[float] | np.ndarray,
           denominators: Sequence[float] | np.ndarray, target: float | None = None,
           labels: Sequence[Any] | None = None, adjust: str | None = "auto",
           winsor: float = 0.1) -> FunnelResult:
    """Compare units on a funnel plot, adjusted for overdispersion when the units vary
    more than chance allows (Spiegelhalter 2005; see the module's notes).

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
    adjust : {"auto", None, "multiplicative", "additive"}
        Overdispersion adjustment (Spiegelhalter 2005); None gives exact limits,
        "auto" (the default) the additive adjustment when the dispersion test
        rejects at 5 % and exact limits otherwise.
    winsor : float, default 0.1
        Share of z-scores winsorised at each end when estimating φ.

    Returns
    -------
    FunnelResult
    """
    _check_kind(kind)
    if adjust not in REQUESTS:
        raise MeasureInputError("adjust", "unknown_adjustment", f"one of {REQUESTS}")
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


def _funnel(kind, y, n, theta, target_given, labels, requested, winsor) -> FunnelResult:
    value = y / n
    se = _stabilised_se(n)
    distance = stabilise(kind, value) - stabilise(kind, theta)
    z = distance / se
    count = z.size
    z_w = _winsorise(z, winsor)
    phi_hat = float(np.mean(z_w ** 2))
    df = count if target_given else count - 1
    dispersion_p = float(stats.chi2.sf(count * phi_hat, df))
    w = 1 / se ** 2
    excess = count * phi_hat - (count - 1)
    tau2 = float(max(0.0, excess / (w.sum() - (w ** 2).sum() / w.sum()))) if excess > 0 else 0.0
    phi = max(1.0, phi_hat)
    adjust = requested
    if requested == "auto":
        adjust = "additive" if dispersion_p < 0.05 and tau2 > 0 else None

    if adjust == "multiplicative":
        z_out = z / np.sqrt(phi)
    elif adjust == "additive":
        z_out = distance / np.sqrt(se ** 2 + tau2)
    else:
        z_out = z
    lim = _limits(kind, theta, n, phi, tau2, adjust)
    numbers = np.concatenate([value, z_out, z_w, *lim.values(), [phi_hat, tau2]])
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
            value=float(value[i]), z=float(z_out[i]), z_unadjusted=float(z[i]),
            z_winsorised=float(z_w[i]),
            lower95=float(lim["lower95"][i]), upper95=float(lim["upper95"][i]),
            lower998=float(lim["lower998"][i]), upper998=float(lim["upper998"][i]),
            outside95=bool(below or above),
            outside998=bool(value[i] < lim["lower998"][i] or value[i] > lim["upper998"][i]),
            side="above" if above else "below" if below else None))
    return FunnelResult(kind, theta, target_given, adjust, phi_hat, tau2, dispersion_p,
                        tuple(units), requested, SCALES[kind])


def funnel_limits(kind: str, target: float, denominators: Sequence[float] | None = None,
                  n_min: float | None = None, n_max: float | None = None, points: int = 200,
                  phi: float = 1.0, tau2: float = 0.0,
                  adjustment: str | None = None) -> FunnelCurves:
    """Limit curves for plotting, at given ``denominators`` or ``points``
    log-spaced values from ``n_min`` to ``n_max`` (whole numbers for proportions).

    With ``adjustment=None`` the limits are exact; with ``"multiplicative"`` or
    ``"additive"`` they use ``phi`` or ``tau2`` on the stabilising scale as in
    :func:`funnel`, never narrower than the exact limits (pass
    ``result.adjustment``, ``result.phi`` and ``result.tau2``).
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
