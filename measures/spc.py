"""Run charts and Shewhart control charts, computed as qicharts2 0.8.1 does.

API
---
``compute(kind, y, n=None, x=None, freeze=None, phases=None, exclude=None,
cl=None, screened_mr=True, amr_factor=None) -> SpcChart``

``SpcChart`` (frozen dataclass) holds, per subgroup in time order, read-only
numpy arrays ``y, cl, lcl, ucl, lcl95, ucl95`` (NaN where no line is drawn),
``sigma_signal`` (bool), ``phase`` (1-based int), ``baseline`` and
``include`` (bool), ``n`` (summed denominators, or ``None``), the subgroup
``keys`` and ``runs``: one :class:`RunsAnalysis` per phase. ``to_records()``
gives one plain dict per subgroup with the keys of the reference file
(``y cl lcl ucl lcl95 ucl95 sigma_signal phase runs_signal longest_run
longest_run_max n_crossings n_crossings_min n_useful``; missing as ``None``).

Chart kinds are qicharts2's: ``run i mr xbar s t p pp c u up g`` (``pp`` and
``up`` are Laney's p' and u' charts).

Where qicharts2's behaviour is odd but deliberate, it is reproduced and the
docstring of the chart function says so; the reference cases in
``shared/reference/spc_cases.json`` are the test of agreement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.special import gammaln

from measures._inputs import as_float_array, as_positions, check_same_length, first_true
from measures.errors import MeasureInputError

__all__ = ["CHART_KINDS", "MDC_AMR_FACTOR", "RunsAnalysis", "SpcChart", "compute", "runs_analysis",
           "longest_run_max", "crossings_min"]

#: Chart kinds accepted by :func:`compute` (qicharts2's names).
CHART_KINDS = ("run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g")

# Kinds whose y is a count of events out of, or per, a denominator.
_NEEDS_N = frozenset({"p", "pp", "u", "up"})
# Kinds for which a denominator makes sense at all (run and i charts of ratios).
_ALLOWS_N = _NEEDS_N | {"run", "i", "mr"}
_COUNTS = frozenset({"p", "pp", "u", "up", "c", "g"})
_PROPORTIONS = frozenset({"p", "pp"})
# Fewest subgroups each kind needs before a centre line or sigma exists.
_MIN_SUBGROUPS = {"run": 1, "i": 2, "mr": 2, "xbar": 1, "s": 1, "t": 2, "p": 1,
                  "pp": 2, "c": 1, "u": 1, "up": 2, "g": 1}

# Nelson (1982): a moving range above 3.267 average moving ranges (D4 for n = 2)
# is a special cause and would inflate sigma, so it is screened out.
_MR_SCREEN = 3.267
# d2 for moving ranges of two (Montgomery, 6.33).
_D2 = 1.128
#: NHS Making Data Count's XmR limits: mean ± 2.66 × average moving range (NHSRplotthedots
#: ``ptd_spc``), the 2-sigma lines at two thirds of that; qicharts2 uses 3/1.128 = 2.6596.
MDC_AMR_FACTOR = 2.66
# Nelson's transformation of exponential times between events to near-normality.
_T_POWER = 3.6


@dataclass(frozen=True)
class RunsAnalysis:
    """Anhøj's runs analysis of one phase (qicharts2 ``runs.analysis``).

    Attributes
    ----------
    phase : int
        1-based phase number.
    start, stop : int
        0-based subgroup positions of the phase, ``stop`` exclusive.
    n_obs : int
        Included subgroups of the phase (excluded positions are left out).
    n_useful : int
        Included, non-missing points not on the centre line.
    longest_run : int or None
        Longest run of useful points on one side of the centre line.
    longest_run_max : int or None
        ``round(log2(n_useful)) + 3`` (Schilling 2012; Anhøj 2014).
    n_crossings : int or None
        Number of times the series crosses the centre line (runs − 1).
    n_crossings_min : int or None
        5th percentile of Binomial(n_useful − 1, 0.5) (Chen 2010; Anhøj 2014).
    signal : bool
        ``longest_run > longest_run_max or n_crossings < n_crossings_min``.
    longest_run_first, longest_run_last : int or None
        0-based subgroup positions of the first such longest run.
    longest_run_side : int
        +1 if that run lies above the centre line, −1 below, 0 if none.
    """

    phase: int
    start: int
    stop: int
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    signal: bool
    longest_run_first: int | None = None
    longest_run_last: int | None = None
    longest_run_side: int = 0


@dataclass(frozen=True, eq=False)
class SpcChart:
    """A computed run or control chart; every array has one entry per subgroup.

    Attributes
    ----------
    kind : str
        Chart kind (``run i mr xbar s t p pp c u up g``).
    keys : tuple
        Subgroup keys in order (``x`` values, or 0..m−1 when ``x`` was not given).
    y : ndarray
        The plotted value: proportion (p, pp), rate (u, up), count (c), subgroup
        mean (xbar) or standard deviation (s), moving range (mr), the value
        otherwise. NaN where missing.
    n : ndarray or None
        Summed denominators per subgroup (0 where missing), ``None`` without.
    cl, lcl, ucl, lcl95, ucl95 : ndarray
        Centre line, 3-sigma and 2-sigma limits; NaN where no line is drawn.
    sigma_signal : ndarray of bool
        Point outside the 3-sigma limits.
    phase : ndarray of int
        1-based phase number.
    baseline, include : ndarray of bool
        Whether the subgroup entered the centre line and limits (freeze) and
        whether it was kept at all (not excluded).
    runs : tuple of RunsAnalysis
        One runs analysis per phase.
    screened_mr : bool
        Whether moving ranges were screened (qicharts2 ``qic.screenedmr``).
    amr_factor : float or None
        The I chart's 3-sigma limits at cl ± amr_factor × AMR, when given
        (:data:`MDC_AMR_FACTOR`); None for qicharts2's 3 × AMR / 1.128.
    """

    kind: str
    keys: tuple
    y: np.ndarray
    n: np.ndarray | None
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl95: np.ndarray
    ucl95: np.ndarray
    sigma_signal: np.ndarray
    phase: np.ndarray
    baseline: np.ndarray
    include: np.ndarray
    runs: tuple[RunsAnalysis, ...]
    screened_mr: bool = True
    amr_factor: float | None = None
    _phase_bounds: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    def __len__(self) -> int:
        return self.y.shape[0]

    @property
    def has_limits(self) -> bool:
        """True for control charts (every kind but ``run``)."""
        return self.kind != "run"

    @property
    def runs_signal(self) -> np.ndarray:
        """Per subgroup: the runs signal of its phase (always False for mr charts)."""
        out = np.zeros(len(self), dtype=bool)
        if self.kind == "mr":
            return out
        for ra in self.runs:
            out[ra.start:ra.stop] = ra.signal
        return out

    def phase_slice(self, phase: int) -> slice:
        """Subgroup positions of a 1-based phase number."""
        ra = self.runs[phase - 1]
        return slice(ra.start, ra.stop)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per subgroup with the reference file's keys (None for missing)."""
        cols = {name: _to_list(getattr(self, name))
                for name in ("y", "cl", "lcl", "ucl", "lcl95", "ucl95")}
        sig = self.sigma_signal.tolist()
        phase = self.phase.tolist()
        records: list[dict[str, Any]] = []
        for ra in self.runs:
            runs_signal = bool(ra.signal) and self.kind != "mr"
            for i in range(ra.start, ra.stop):
                records.append({
                    "y": cols["y"][i], "cl": cols["cl"][i],
                    "lcl": cols["lcl"][i], "ucl": cols["ucl"][i],
                    "lcl95": cols["lcl95"][i], "ucl95": cols["ucl95"][i],
                    "sigma_signal": sig[i], "phase": phase[i],
                    "runs_signal": runs_signal,
                    "longest_run": ra.longest_run, "longest_run_max": ra.longest_run_max,
                    "n_crossings": ra.n_crossings, "n_crossings_min": ra.n_crossings_min,
                    "n_useful": ra.n_useful,
                })
        return records


def _to_list(arr: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else v for v in arr.tolist()]


# --------------------------------------------------------------------------- helpers
# Own NaN-aware reductions: numpy's nanmean warns on empty input, and no
# warning may leave this package.

# They return numpy scalars so that dividing by an empty baseline gives NaN
# under the caller's errstate instead of raising ZeroDivisionError.

def _mean(a: np.ndarray) -> np.float64:
    a = a[~np.isnan(a)]
    return a.mean() if a.size else np.float64(np.nan)


def _median(a: np.ndarray) -> np.float64:
    a = a[~np.isnan(a)]
    return np.float64(np.median(a)) if a.size else np.float64(np.nan)


def _nansum(a: np.ndarray) -> np.float64:
    return np.float64(a[~np.isnan(a)].sum())


def _amr(values: np.ndarray, screened: bool) -> float:
    """Average moving range of ``values``, optionally screened (Nelson 1982)."""
    mr = np.abs(np.diff(values))
    amr = _mean(mr)
    if screened:
        amr = _mean(mr[mr < _MR_SCREEN * amr])
    return amr


def _c4(n: np.ndarray) -> np.ndarray:
    """c4(n) = sqrt(2/(n−1)) Γ(n/2)/Γ((n−1)/2); NaN for n ≤ 1 (Montgomery)."""
    n = np.where(n <= 1, np.nan, n)
    return np.sqrt(2.0 / (n - 1.0)) * np.exp(gammaln(n / 2.0) - gammaln((n - 1.0) / 2.0))


@lru_cache(maxsize=4096)
def crossings_min(n_useful: int) -> int:
    """Fewest expected crossings: the 5th percentile of Binomial(n_useful − 1, ½).

    Computed exactly (smallest k with P(X ≤ k) ≥ 0.05), as R's
    ``qbinom(0.05, n_useful - 1, 0.5)`` does (Chen 2010; Anhøj & Olesen 2014).
    """
    trials = max(n_useful - 1, 0)
    total = 1 << trials
    acc = 0
    for k in range(trials + 1):
        acc += math.comb(trials, k)
        if 20 * acc >= total:
            return k
    return trials


@lru_cache(maxsize=4096)
def longest_run_max(n_useful: int) -> int:
    """Longest expected run: ``round(log2(n_useful)) + 3`` (Schilling 2012; Anhøj 2014)."""
    return int(round(math.log2(n_useful))) + 3


def runs_analysis(y: np.ndarray, cl: np.ndarray, positions: np.ndarray,
                  phase: int = 1, start: int = 0, stop: int | None = None) -> RunsAnalysis:
    """Anhøj's runs analysis of ``y`` against ``cl`` (qicharts2 ``runs.analysis``).

    Points on the centre line and missing points are dropped; a run is a
    sequence of useful points on the same side. A signal is a run longer than
    ``round(log2(n)) + 3`` or fewer crossings than the 5th percentile of
    Binomial(n − 1, 0.5), with n the number of useful points.

    ``positions`` are the 0-based chart positions of ``y`` (used only to report
    where the longest run lies).
    """
    stop = start + len(y) if stop is None else stop
    side = np.sign(y - cl)
    useful = (side != 0) & ~np.isnan(side)
    side = side[useful]
    n_useful = int(side.size)
    if n_useful == 0:
        return RunsAnalysis(phase, start, stop, int(y.size), 0, None, None, None, None, False)
    change = np.flatnonzero(side[1:] != side[:-1]) + 1
    bounds = np.concatenate(([0], change, [n_useful]))
    lengths = np.diff(bounds)
    k = int(np.argmax(lengths))
    longest = int(lengths[k])
    crossings = int(change.size)
    lmax = longest_run_max(n_useful)
    cmin = crossings_min(n_useful)
    pos = positions[useful]
    return RunsAnalysis(
        phase=phase, start=start, stop=stop, n_obs=int(y.size), n_useful=n_useful,
        longest_run=longest, longest_run_max=lmax,
        n_crossings=crossings, n_crossings_min=cmin,
        signal=bool(longest > lmax or crossings < cmin),
        longest_run_first=int(pos[bounds[k]]), longest_run_last=int(pos[bounds[k + 1] - 1]),
        longest_run_side=int(side[bounds[k]]),
    )


# ------------------------------------------------------------------ subgroups
@dataclass(frozen=True)
class _Subgroups:
    """Per-subgroup aggregates, as qicharts2's ``qic.agg`` builds them."""

    keys: tuple
    y: np.ndarray        # plotted value before chart-specific transforms
    y_sum: np.ndarray
    y_len: np.ndarray
    y_mean: np.ndarray
    y_sd: np.ndarray
    n: np.ndarray | None


def _aggregate(y: np.ndarray, n: np.ndarray | None, x: Any) -> _Subgroups:
    got_n = n is not None
    if x is None:
        # One observation per subgroup: the aggregates are the values themselves.
        missing = np.isnan(y)
        y_len = (~missing).astype(float)
        n_sum = np.where(np.isnan(n), 0.0, n) if got_n else None
        plotted = y / n_sum if got_n else y
        return _Subgroups(tuple(range(y.size)), plotted, y, y_len, y,
                          np.full(y.size, np.nan), n_sum)

    keys_in = np.asarray(x)
    if keys_in.ndim != 1:
        raise MeasureInputError("x", "not_one_dimensional")
    check_same_length("x", keys_in, y.size)
    try:
        keys, inv = np.unique(keys_in, return_inverse=True)
    except TypeError as exc:
        raise MeasureInputError("x", "not_sortable", str(exc)) from None
    m = keys.size
    missing = np.isnan(y)
    y0 = np.where(missing, 0.0, y)
    size = np.bincount(inv, minlength=m)
    y_len = np.bincount(inv, weights=(~missing).astype(float), minlength=m)
    y_sum_rm = np.bincount(inv, weights=y0, minlength=m)
    # qicharts2 sums with na.rm only when a subgroup has several rows, so a
    # lone missing value stays missing while an all-missing group sums to 0.
    y_sum = np.where((size == 1) & (y_len == 0), np.nan, y_sum_rm)
    y_mean = np.where(y_len > 0, y_sum_rm / np.where(y_len > 0, y_len, 1.0), np.nan)
    dev = np.where(missing, 0.0, y - y_mean[inv]) ** 2
    ss = np.bincount(inv, weights=dev, minlength=m)
    y_sd = np.where(y_len > 1, np.sqrt(ss / np.where(y_len > 1, y_len - 1.0, 1.0)), np.nan)
    if got_n:
        n_sum = np.bincount(inv, weights=np.where(np.isnan(n), 0.0, n), minlength=m)
        plotted = y_sum_rm / n_sum
    else:
        n_sum = None
        plotted = y_mean
    return _Subgroups(tuple(keys.tolist()), plotted, y_sum, y_len, y_mean, y_sd, n_sum)


# -------------------------------------------------------------- chart functions
@dataclass(frozen=True)
class _Part:
    """One phase's slice of the subgroups, with its baseline mask and given cl."""

    y: np.ndarray
    y_sum: np.ndarray
    y_len: np.ndarray
    y_mean: np.ndarray
    y_sd: np.ndarray
    n: np.ndarray | None
    base: np.ndarray
    cl: np.ndarray | None
    screened: bool
    amr_factor: float | None = None


_Lines = tuple[np.ndarray, Any, Any, Any, Any, Any]
_NAN = math.nan


def _run(p: _Part) -> _Lines:
    """Run chart: centre line is the median of the baseline (qicharts2 ``qic.run``)."""
    cl = p.cl if p.cl is not None else _median(p.y[p.base])
    return p.y, cl, _NAN, _NAN, _NAN, _NAN


def _i_lines(y: np.ndarray, p: _Part, amr_factor: float | None = None
             ) -> tuple[Any, Any, Any, Any, Any]:
    cl = p.cl if p.cl is not None else _mean(y[p.base])
    centred = y[p.base] - (cl[p.base] if isinstance(cl, np.ndarray) else cl)
    amr = _amr(centred, p.screened)
    if amr_factor is None:
        sigma = amr / _D2
        return cl, cl - 3 * sigma, cl + 3 * sigma, cl - 2 * sigma, cl + 2 * sigma
    three = amr_factor * amr
    return cl, cl - three, cl + three, cl - 2 / 3 * three, cl + 2 / 3 * three


def _i(p: _Part) -> _Lines:
    """I chart: mean ± 3·AMR/1.128, AMR of the baseline's moving ranges
    (screened at 3.267·AMR when ``screened_mr``; Montgomery 6.33, Nelson 1982).

    As in qicharts2, moving ranges are taken over the baseline after excluded
    points are dropped, so a range spans an excluded point. With an
    ``amr_factor`` (NHS Making Data Count: 2.66) the limits are mean ± amr_factor·AMR
    and the 2-sigma lines two thirds of the way out.
    """
    return (p.y, *_i_lines(p.y, p, p.amr_factor))


def _mr(p: _Part) -> _Lines:
    """MR chart: moving ranges |y_i − y_{i−1}| within the phase; CL = mean
    of the baseline's ranges, UCL = 3.267·CL, LCL = 0 (Montgomery)."""
    y = np.concatenate(([np.nan], np.abs(np.diff(p.y))))
    cl = p.cl if p.cl is not None else _mean(y[p.base])
    return y, cl, 0.0, _MR_SCREEN * cl, 0.0, (_MR_SCREEN / 3) * 2 * cl


def _xbar_sigma(p: _Part, var_n: bool) -> float:
    # Pooled sd for unequal subgroups (Montgomery 6.31), else the mean sd (6.29).
    # The denominator is summed over every baseline subgroup, as in qicharts2.
    if var_n:
        num = _nansum((p.y_len[p.base] - 1) * p.y_sd[p.base] ** 2)
        return np.sqrt(num / (p.y_len[p.base] - 1).sum())
    return _mean(p.y_sd[p.base])


def _xbar(p: _Part) -> _Lines:
    """X̄ chart: CL = Σ n_i x̄_i / Σ n_i; limits CL ± A3(n_i)·s̄ with
    A3 = k/(c4(n)·√n) for k = 3 and 2 (Montgomery 6.29–6.31)."""
    var_n = np.unique(p.y_len).size > 1
    if p.cl is not None:
        cl = p.cl
    else:
        w = p.y_len[p.base]
        cl = _nansum(w * p.y_mean[p.base]) / w.sum()
    sigma = _xbar_sigma(p, var_n)
    n = p.y_len
    a = 1.0 / (_c4(n) * np.sqrt(np.where(n <= 1, np.nan, n)))
    return p.y_mean, cl, cl - 3 * a * sigma, cl + 3 * a * sigma, cl - 2 * a * sigma, \
        cl + 2 * a * sigma


def _s(p: _Part) -> _Lines:
    """S chart: CL = pooled or mean subgroup sd; limits B3·CL and B4·CL with
    B3 = max(0, 1 − k·c5/c4), B4 = 1 + k·c5/c4, c5 = √(1 − c4²) (Montgomery)."""
    var_n = np.unique(p.y_len).size > 1
    cl = p.cl if p.cl is not None else _xbar_sigma(p, var_n)
    c4 = _c4(p.y_len)
    ratio = np.sqrt(1.0 - c4 ** 2) / c4
    return (p.y_sd, cl, np.maximum(0.0, 1 - 3 * ratio) * cl, (1 + 3 * ratio) * cl,
            np.maximum(0.0, 1 - 2 * ratio) * cl, (1 + 2 * ratio) * cl)


def _t(p: _Part) -> _Lines:
    """T chart: an I chart of y^(1/3.6), back-transformed by ^3.6 (Nelson 1994,
    as in qicharts2). A negative lower 3-sigma limit becomes 0; a negative lower
    2-sigma limit is not drawn. A given ``cl`` is used on the transformed scale,
    as qicharts2 does."""
    cl, lcl, ucl, lcl95, ucl95 = _i_lines(p.y ** (1 / _T_POWER), p)
    back = [np.power(v, _T_POWER) for v in (cl, lcl, ucl, lcl95, ucl95)]
    back[1] = np.where(np.isnan(back[1]) | (back[1] < 0), 0.0, back[1])
    return (p.y, *back)


def _clip_counts(lines: _Lines, upper_one: bool) -> _Lines:
    y, cl, lcl, ucl, lcl95, ucl95 = lines
    lcl = np.where(np.isfinite(lcl) & (lcl < 0), 0.0, lcl)
    lcl95 = np.where(np.isfinite(lcl95) & (lcl95 < 0), 0.0, lcl95)
    if upper_one:
        ucl = np.where(np.isfinite(ucl) & (ucl > 1), 1.0, ucl)
        ucl95 = np.where(np.isfinite(ucl95) & (ucl95 > 1), 1.0, ucl95)
    return y, cl, lcl, ucl, lcl95, ucl95


def _rate_cl(p: _Part) -> Any:
    if p.cl is not None:
        return p.cl
    return _nansum(p.y_sum[p.base]) / _nansum(p.n[p.base])


def _limits(cl: Any, sigma: np.ndarray) -> tuple[Any, Any, Any, Any]:
    return cl - 3 * sigma, cl + 3 * sigma, cl - 2 * sigma, cl + 2 * sigma


def _laney(p: _Part, cl: Any, sigma: np.ndarray) -> np.ndarray:
    # Laney (2002): widen by the spread of the z-scores, estimated from their
    # moving ranges over the baseline (screened as qicharts2 ≥ 0.7.4 does).
    cl_base = cl[p.base] if isinstance(cl, np.ndarray) else cl
    z = (p.y[p.base] - cl_base) / sigma[p.base]
    return sigma * (_amr(z, p.screened) / _D2)


def _p(p: _Part) -> _Lines:
    """P chart: CL = Σy/Σn, limits CL ± k·√(CL(1−CL)/n_i), clipped to [0, 1]."""
    cl = _rate_cl(p)
    sigma = np.sqrt(cl * (1 - cl) / p.n)
    return _clip_counts((p.y, cl, *_limits(cl, sigma)), True)


def _pp(p: _Part) -> _Lines:
    """P′ chart (Laney 2002): p-chart sigma times σ_z = AMR(z)/1.128, with
    z_i = (p_i − CL)/√(CL(1−CL)/n_i); clipped to [0, 1]."""
    cl = _rate_cl(p)
    sigma = _laney(p, cl, np.sqrt(cl * (1 - cl) / p.n))
    return _clip_counts((p.y, cl, *_limits(cl, sigma)), True)


def _c(p: _Part) -> _Lines:
    """C chart: CL = mean count, limits CL ± k·√CL, lower clipped at 0 (Montgomery 7.17)."""
    cl = p.cl if p.cl is not None else _mean(p.y_sum[p.base])
    sigma = np.sqrt(cl)
    return _clip_counts((p.y_sum, cl, *_limits(cl, sigma)), False)


def _u(p: _Part) -> _Lines:
    """U chart: CL = Σy/Σn, limits CL ± k·√(CL/n_i), lower clipped at 0 (Montgomery 7.19)."""
    cl = _rate_cl(p)
    return _clip_counts((p.y, cl, *_limits(cl, np.sqrt(cl / p.n))), False)


def _up(p: _Part) -> _Lines:
    """U′ chart (Laney 2002): u-chart sigma times σ_z of the z-scores' moving ranges."""
    cl = _rate_cl(p)
    sigma = _laney(p, cl, np.sqrt(cl / p.n))
    return _clip_counts((p.y, cl, *_limits(cl, sigma)), False)


def _g(p: _Part) -> _Lines:
    """G chart: limits mean ± k·√(mean(mean+1)), lower clipped at 0 (Montgomery p. 319);
    the centre line drawn is the baseline median, or 0.693 × a given ``cl``
    (the geometric distribution's theoretical median, Provost 2011)."""
    mean = p.cl if p.cl is not None else _mean(p.y[p.base])
    sigma = np.sqrt(mean * (mean + 1))
    lcl, ucl, lcl95, ucl95 = _limits(mean, sigma)
    lcl = np.where(lcl < 0, 0.0, lcl)
    lcl95 = np.where(lcl95 < 0, 0.0, lcl95)
    cl = 0.693 * mean if p.cl is not None else _median(p.y[p.base])
    return p.y, cl, lcl, ucl, lcl95, ucl95


_CHARTS: dict[str, Callable[[_Part], _Lines]] = {
    "run": _run, "i": _i, "mr": _mr, "xbar": _xbar, "s": _s, "t": _t, "p": _p,
    "pp": _pp, "c": _c, "u": _u, "up": _up, "g": _g,
}


# ------------------------------------------------------------------ validation
def _check_values(kind: str, y: np.ndarray, n: np.ndarray | None) -> None:
    present = ~np.isnan(y)
    if kind in _COUNTS:
        bad = present & (y < 0)
        if bad.any():
            raise MeasureInputError("y", "negative_count", "", first_true(bad))
    if kind == "t":
        bad = present & (y <= 0)
        if bad.any():
            raise MeasureInputError("y", "not_positive",
                                    "time between events must be greater than zero",
                                    first_true(bad))
    if n is None:
        return
    given = ~np.isnan(n)
    bad = given & (n < 0)
    if bad.any():
        raise MeasureInputError("n", "negative_denominator", "", first_true(bad))
    bad = given & (n == 0) & present
    if bad.any():
        raise MeasureInputError("n", "zero_denominator", "", first_true(bad))
    if kind in _PROPORTIONS:
        bad = present & given & (y > n)
        if bad.any():
            raise MeasureInputError("y", "numerator_above_denominator", "", first_true(bad))


def _check_cl(kind: str, cl: np.ndarray) -> None:
    # A centre line outside the range of the plotted statistic would give
    # inverted or imaginary limits.
    if (kind in _COUNTS or kind in ("mr", "s")) and (cl < 0).any():
        raise MeasureInputError("cl", "negative", "", first_true(cl < 0))
    if kind == "t" and (cl <= 0).any():
        raise MeasureInputError("cl", "not_positive", "", first_true(cl <= 0))
    if kind in _PROPORTIONS and (cl > 1).any():
        raise MeasureInputError("cl", "out_of_range", "a proportion is at most 1",
                                first_true(cl > 1))


def _phase_starts(phases: Any, m: int) -> list[int]:
    if phases is None:
        return [0]
    starts = as_positions(phases, "phases", m) if np.size(phases) else np.array([], int)
    return sorted({0, *starts.tolist()})


def _check_freeze(freeze: Any, m: int) -> int | None:
    if freeze is None:
        return None
    try:
        whole = not isinstance(freeze, bool) and float(freeze).is_integer()
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise MeasureInputError("freeze", "not_an_integer", "freeze is a number of subgroups")
    k = int(freeze)
    if not 1 <= k <= m:
        raise MeasureInputError("freeze", "out_of_range", f"freeze must be within 1..{m}")
    return k


# ----------------------------------------------------------------------- compute
def compute(kind: str, y: Sequence[float | None] | np.ndarray,
            n: Sequence[float | None] | np.ndarray | None = None,
            x: Sequence[Any] | np.ndarray | None = None,
            freeze: int | None = None, phases: Sequence[int] | None = None,
            exclude: Sequence[int] | None = None,
            cl: float | Sequence[float] | None = None,
            screened_mr: bool = True, amr_factor: float | None = None) -> SpcChart:
    """Compute a run or control chart exactly as qicharts2 0.8.1 ``qic()`` does.

    Parameters
    ----------
    kind : str
        ``run i mr xbar s t p pp c u up g``.
    y : sequence of float or None
        Observations: numerators for p/pp/u/up, counts for c, values otherwise.
        ``None``/NaN is a missing value.
    n : sequence of float or None, optional
        Denominators (required for p, pp, u, up; allowed for run, i and mr
        charts of ratios). A row whose ``y`` or ``n`` is missing is missing.
    x : sequence, optional
        Subgroup key of each observation when several observations form one
        subgroup (xbar, s). Subgroups are ordered by sorted key.
    freeze : int, optional
        Only the first ``freeze`` subgroups form the baseline for the centre
        line and limits. Ignored when ``phases`` is given (as in qicharts2).
    phases : sequence of int, optional
        0-based subgroup positions where a new phase starts; each phase gets
        its own centre line, limits and runs analysis.
    exclude : sequence of int, optional
        0-based subgroup positions left out of the centre line, the limits and
        the runs analysis (still plotted).
    cl : float or sequence of float, optional
        A centre line given in advance (per subgroup if a sequence).
    screened_mr : bool, default True
        Leave out moving ranges above 3.267 × the average moving range before
        estimating sigma (i, t, pp, up charts; qicharts2 ``qic.screenedmr``).
    amr_factor : float, optional
        I charts only: 3-sigma limits at mean ± amr_factor × AMR and 2-sigma
        lines at two thirds of that, instead of 3 × AMR / 1.128. Give
        :data:`MDC_AMR_FACTOR` (2.66) for the NHS Making Data Count rules.

    Returns
    -------
    SpcChart

    Raises
    ------
    MeasureInputError
        For an unknown kind, mismatched lengths, negative counts, a numerator
        above its denominator, a zero denominator, a t-chart value ≤ 0, too few
        subgroups, or out-of-range freeze/phases/exclude.

    Notes
    -----
    Formulas per chart are documented on the private chart functions of this
    module and follow qicharts2's ``R/helper.functions.R``: Montgomery (2009)
    for i, xbar, s, c, u, p and g charts, Nelson (1982) for moving-range
    screening, Laney (2002) for p′ and u′, Nelson (1994) for t charts; runs
    analysis after Anhøj & Olesen (2014).
    """
    # One errstate for the whole computation: missing subgroups divide 0 by 0
    # and take square roots of NaN by design, and no warning may leave measures.
    with np.errstate(all="ignore"):
        return _compute(kind, y, n, x, freeze, phases, exclude, cl, screened_mr, amr_factor)


def _compute(kind, y, n, x, freeze, phases, exclude, cl, screened_mr, amr_factor) -> SpcChart:
    if kind not in _CHARTS:
        raise MeasureInputError("kind", "unknown_kind", f"{kind!r} is not one of {CHART_KINDS}")
    if amr_factor is not None:
        try:
            amr_factor = float(amr_factor)
        except (TypeError, ValueError):
            raise MeasureInputError("amr_factor", "not_a_number") from None
        if not (math.isfinite(amr_factor) and amr_factor > 0):
            raise MeasureInputError("amr_factor", "out_of_range", "a number above 0")
        if kind != "i":
            amr_factor = None
    y_arr = as_float_array(y, "y")
    n_arr = None
    if n is not None:
        if kind not in _ALLOWS_N:
            raise MeasureInputError("n", "not_used", f"a {kind} chart takes no denominators")
        n_arr = as_float_array(n, "n")
        check_same_length("n", n_arr, y_arr.size)
        incomplete = np.isnan(y_arr) | np.isnan(n_arr)
        if incomplete.any():
            y_arr = np.where(incomplete, np.nan, y_arr)
            n_arr = np.where(incomplete, np.nan, n_arr)
    elif kind in _NEEDS_N:
        raise MeasureInputError("n", "missing", f"a {kind} chart needs denominators")
    _check_values(kind, y_arr, n_arr)
    if kind in ("xbar", "s") and x is None:
        raise MeasureInputError("x", "missing",
                                f"a {kind} chart needs x: the subgroup of each observation")

    sub = _aggregate(y_arr, n_arr, x)
    m = len(sub.keys)
    present = int(np.count_nonzero(sub.y_len))
    if present < _MIN_SUBGROUPS[kind]:
        raise MeasureInputError("y", "too_few_points",
                                f"a {kind} chart needs at least {_MIN_SUBGROUPS[kind]} "
                                f"non-missing subgroups, got {present}")

    starts = _phase_starts(phases, m)
    bounds = tuple(zip(starts, [*starts[1:], m]))
    freeze_k = _check_freeze(freeze, m) if phases is None else None
    if phases is not None:
        _check_freeze(freeze, m)
    baseline = np.ones(m, dtype=bool)
    if freeze_k is not None:
        baseline[freeze_k:] = False
    include = np.ones(m, dtype=bool)
    if exclude is not None and np.size(exclude):
        include[as_positions(exclude, "exclude", m)] = False

    cl_arr = None
    if cl is not None:
        cl_arr = as_float_array(np.broadcast_to(np.asarray(cl, dtype=float), (m,))
                                if np.ndim(cl) == 0 else cl, "cl", allow_missing=False)
        check_same_length("cl", cl_arr, m, "the subgroups")
        _check_cl(kind, cl_arr)

    out = {k: np.empty(m) for k in ("y", "cl", "lcl", "ucl", "lcl95", "ucl95")}
    phase = np.empty(m, dtype=np.int64)
    runs: list[RunsAnalysis] = []
    chart_fun = _CHARTS[kind]
    positions = np.arange(m)
    for number, (a, b) in enumerate(bounds, start=1):
        s = slice(a, b)
        part = _Part(
            y=sub.y[s], y_sum=sub.y_sum[s], y_len=sub.y_len[s], y_mean=sub.y_mean[s],
            y_sd=sub.y_sd[s], n=None if sub.n is None else sub.n[s],
            base=baseline[s] & include[s],
            cl=None if cl_arr is None else _scalar_if_constant(cl_arr[s]),
            screened=screened_mr, amr_factor=amr_factor)
        for name, value in zip(out, chart_fun(part)):
            out[name][s] = value
        phase[s] = number
        inc = include[s]
        runs.append(runs_analysis(out["y"][s][inc], out["cl"][s][inc], positions[s][inc],
                                  number, a, b))
    for name in ("lcl", "ucl", "lcl95", "ucl95"):
        v = out[name]
        v[~np.isfinite(v)] = np.nan
    sigma_signal = (out["y"] > out["ucl"]) | (out["y"] < out["lcl"])

    for arr in (*out.values(), sigma_signal, phase, baseline, include):
        arr.flags.writeable = False
    n_out = None
    if sub.n is not None:
        n_out = sub.n
        n_out.flags.writeable = False
    return SpcChart(kind=kind, keys=sub.keys, y=out["y"], n=n_out, cl=out["cl"],
                    lcl=out["lcl"], ucl=out["ucl"], lcl95=out["lcl95"], ucl95=out["ucl95"],
                    sigma_signal=sigma_signal, phase=phase, baseline=baseline,
                    include=include, runs=tuple(runs), screened_mr=screened_mr,
                    amr_factor=amr_factor, _phase_bounds=bounds)


def _scalar_if_constant(a: np.ndarray) -> Any:
    return float(a[0]) if a.size and np.all(a == a[0]) else a
