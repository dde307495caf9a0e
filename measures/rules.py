"""Signals on a computed chart under a chosen rule set, classed by improvement direction.

API
---
``evaluate(chart, rule_set="anhoej", direction=None) -> Evaluation``
    ``Evaluation.findings`` is a tuple of :class:`Finding` (``rule``, ``first``,
    ``last`` — 0-based subgroup positions —, ``direction`` ``"improvement" |
    "concern" | "neutral"``, ``movement`` ``"up" | "down" | None``, ``phase``,
    ``length``); the Evaluation iterates, indexes and measures like that tuple.
    ``Evaluation.variation`` is one of :data:`VARIATIONS`, read at the latest
    point: the class of the first signal there in :data:`PRECEDENCE` (beyond the
    limits, trend, two of three, shift), as NHSRplotthedots names a point.
    ``Evaluation.notes`` lists :class:`Note` (e.g. too few points for a
    median under the IHI rules).
``variation(chart, rule_set="anhoej", direction=None) -> str``
``assurance(chart, target, direction) -> Assurance``
``runs_limits(n_useful) -> tuple[int, int]``: IHI fewest and most expected runs.

Rule sets
---------
``anhoej`` (default; qicharts2): an unusually long run (``shift``), unusually
few crossings (``few_crossings``), points beyond the 3-sigma limits
(``beyond_limits``) — Anhøj & Olesen (2014), Shewhart.

``ihi`` (run charts; Provost & Murray, *The Health Care Data Guide*; Perla,
Provost & Murray 2011): a shift of 6 or more points on one side of the centre
line (points on it neither break nor extend the run), a trend of 5 or more
points rising or falling (equal neighbours count once), too few or too many
runs (``few_runs``/``many_runs``, two-sided 5 % from the Swed–Eisenhart
distribution of runs), and no median-based rule before 10 useful points (points
on the median are not counted). There is no rule for a single astronomical point.

``mdc`` (NHS England, *Making Data Count*): a point beyond the 3-sigma limits,
7 in a row on one side of the centre line (a point on the line breaks it),
7 in a row strictly rising or falling (``trend``), two of three consecutive
points close to a limit (beyond 2 sigma, within 3) with all three on the same side of the
centre line (``two_of_three``; a point beyond 3 sigma is a signal of its own) — as
NHSRplotthedots (NHS-R Community, ``ptd_spc``) reads them.

Directions: ``direction="up"`` means higher is better, ``"down"`` lower is
better, ``None`` no preferred direction (every finding is ``"neutral"``).
Missing and excluded points are skipped by every rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from measures.errors import MeasureInputError
from measures.spc import SpcChart

__all__ = ["RULE_SETS", "DIRECTIONS", "SIGNAL_CLASSES", "VARIATIONS", "PRECEDENCE", "Finding",
           "Note", "Evaluation", "Assurance", "evaluate", "variation", "assurance", "runs_limits",
           "runs_distribution", "classify"]

RULE_SETS = ("anhoej", "ihi", "mdc")
#: A measure's improvement direction: higher is better (``up``) or lower is better (``down``).
DIRECTIONS = ("up", "down")
#: What a signal means for a measure with a direction (:func:`classify`): a change for the better,
#: for the worse, or, without a direction or a side, neither.
SIGNAL_CLASSES = ("improvement", "concern", "neutral")
#: The variation summary read at the latest point (NHS MDC icon names).
VARIATIONS = ("common_cause", "special_cause_improvement", "special_cause_concern",
              "special_cause_neutral")

IHI_SHIFT = 6
IHI_TREND = 5
IHI_MIN_POINTS = 10
MDC_SHIFT = 7
MDC_TREND = 7


@dataclass(frozen=True)
class Finding:
    """One signal on a chart.

    Attributes
    ----------
    rule : str
        ``beyond_limits``, ``shift``, ``trend``, ``few_crossings``, ``few_runs``,
        ``many_runs`` or ``two_of_three``.
    first, last : int
        0-based subgroup positions of the first and last point involved.
    direction : str
        The signal's class, one of :data:`SIGNAL_CLASSES`: ``"improvement"``,
        ``"concern"`` or ``"neutral"``.
    movement : str or None
        ``"up"`` (above the centre line / rising / high), ``"down"``, or None
        when the rule has no side (few crossings, too few/many runs).
    phase : int
        1-based phase number.
    length : int
        Number of points involved (run or trend length; 1 for a single point).
    """

    rule: str
    first: int
    last: int
    direction: str
    movement: str | None
    phase: int
    length: int


@dataclass(frozen=True)
class Note:
    """Something a rule set could not judge, e.g. ``code="too_few_points"``."""

    code: str
    phase: int
    count: int
    needed: int


@dataclass(frozen=True)
class Evaluation:
    """Findings of one rule set on one chart; behaves like the tuple of findings."""

    rule_set: str
    direction: str | None
    findings: tuple[Finding, ...]
    variation: str
    latest: int | None
    notes: tuple[Note, ...] = ()

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: int) -> Finding:
        return self.findings[index]

    def by_rule(self, rule: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule == rule)


@dataclass(frozen=True)
class Assurance:
    """Whether the process, as it runs now, will meet a target (NHS MDC).

    ``status`` is ``"pass"`` (both limits of the latest phase on the good side:
    consistently passes), ``"fail"`` (both on the bad side: consistently fails),
    ``"hit_and_miss"`` (the limits straddle the target) or ``"no_limits"``
    (a run chart, or no finite limits in the latest phase).
    """

    status: str
    target: float
    direction: str
    lcl: float | None
    ucl: float | None
    phase: int
    position: int | None


def classify(movement: str | None, direction: str | None) -> str:
    """``improvement`` when the movement is the better direction, ``concern``
    when it is the worse, else ``neutral``."""
    if movement is None or direction is None:
        return "neutral"
    return "improvement" if movement == direction else "concern"


def _check_direction(direction: str | None) -> None:
    if direction is not None and direction not in DIRECTIONS:
        raise MeasureInputError("direction", "unknown_direction",
                                "direction is 'up' (higher is better), 'down' or None")


# ------------------------------------------------------------------ sequences
@dataclass(frozen=True)
class _PhasePoints:
    number: int
    pos: np.ndarray       # chart positions of usable points (included, not missing)
    y: np.ndarray
    cl: np.ndarray
    upper: np.ndarray     # ucl95 and lcl95, for two-of-three
    lower: np.ndarray
    ucl: np.ndarray
    lcl: np.ndarray


def _phases(chart: SpcChart) -> list[_PhasePoints]:
    out = []
    usable = chart.include & ~np.isnan(chart.y)
    for ra in chart.runs:
        s = slice(ra.start, ra.stop)
        keep = usable[s]
        out.append(_PhasePoints(ra.phase, np.arange(ra.start, ra.stop)[keep],
                                chart.y[s][keep], chart.cl[s][keep],
                                chart.ucl95[s][keep], chart.lcl95[s][keep],
                                chart.ucl[s][keep], chart.lcl[s][keep]))
    return out


def _segments(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, stop, label) of maximal stretches of equal labels."""
    if labels.size == 0:
        return []
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [labels.size]))
    return [(int(a), int(b), int(labels[a])) for a, b in zip(starts, stops)]


def _side_runs(ph: _PhasePoints, min_length: int, on_line_breaks: bool, direction,
               rule: str = "shift") -> list[Finding]:
    """Runs of at least ``min_length`` points on one side of the centre line."""
    side = np.sign(ph.y - ph.cl)
    side[np.isnan(side)] = 0
    pos = ph.pos
    if not on_line_breaks:
        # IHI: a point on the median neither breaks nor extends a run.
        keep = side != 0
        side, pos = side[keep], pos[keep]
    found = []
    for a, b, label in _segments(side.astype(int)):
        if label != 0 and b - a >= min_length:
            movement = "up" if label > 0 else "down"
            found.append(Finding(rule, int(pos[a]), int(pos[b - 1]),
                                 classify(movement, direction), movement, ph.number, b - a))
    return found


def _trends(ph: _PhasePoints, min_length: int, ties_count_once: bool, direction
            ) -> list[Finding]:
    """Runs of at least ``min_length`` points each above (or below) the previous one."""
    y, pos = ph.y, ph.pos
    if ties_count_once and y.size:
        # IHI: a repeated value neither breaks nor extends the trend.
        keep = np.concatenate(([True], y[1:] != y[:-1]))
        y, pos = y[keep], pos[keep]
    if y.size < 2:
        return []
    step = np.sign(np.diff(y)).astype(int)   # step k joins points k and k+1
    found = []
    for a, b, label in _segments(step):
        points = b - a + 1
        if label != 0 and points >= min_length:
            movement = "up" if label > 0 else "down"
            found.append(Finding("trend", int(pos[a]), int(pos[b]),
                                 classify(movement, direction), movement, ph.number, points))
    return found


def _beyond_limits(chart: SpcChart, direction) -> list[Finding]:
    if chart.kind == "run":
        return []
    found = []
    signal = chart.sigma_signal & chart.include
    for i in np.flatnonzero(signal):
        movement = "up" if chart.y[i] > chart.ucl[i] else "down"
        found.append(Finding("beyond_limits", int(i), int(i),
                             classify(movement, _dir_for(chart, direction)), movement,
                             int(chart.phase[i]), 1))
    return found


def _dir_for(chart: SpcChart, direction):
    # A moving-range chart measures variation, not the measure itself, so
    # "higher is better" says nothing about it.
    return None if chart.kind == "mr" else direction


def _two_of_three(ph: _PhasePoints, direction) -> list[Finding]:
    """Two of three consecutive points close to a limit, all three on one side of the centre line.

    A point is close to a limit when it lies beyond 2 sigma but not beyond 3 sigma (NHSRplotthedots'
    ``close_to_limits``); a window of three consecutive points counts when at least two of them are
    close and none lies on or across the centre line. The close points of such windows are flagged.
    """
    side = np.sign(ph.y - ph.cl)
    side[np.isnan(side)] = 0
    inside = ~((ph.y > ph.ucl) | (ph.y < ph.lcl))
    close = inside & ((ph.y > ph.upper) | (ph.y < ph.lower))
    found = []
    if close.size < 3:
        return found
    window_close = close[:-2].astype(int) + close[1:-1] + close[2:]
    window_side = side[:-2] + side[1:-1] + side[2:]
    for movement, label in (("up", 1), ("down", -1)):
        flagged = np.zeros(close.size, dtype=bool)
        for k in np.flatnonzero((window_close >= 2) & (window_side == 3 * label)):
            flagged[k:k + 3] |= close[k:k + 3]
        for a, b, mark in _segments(_close_gaps(flagged)):
            if mark:
                found.append(Finding("two_of_three", int(ph.pos[a]), int(ph.pos[b - 1]),
                                     classify(movement, direction), movement, ph.number,
                                     int(flagged[a:b].sum())))
    return found


def _close_gaps(flagged: np.ndarray) -> np.ndarray:
    # Two flagged points with one unflagged point between them belong to the
    # same two-of-three pattern; join them into one finding.
    out = flagged.copy()
    gap = flagged[:-2] & ~flagged[1:-1] & flagged[2:]
    out[1:-1] |= gap
    return out.astype(int)


# ---------------------------------------------------------------- IHI runs test
@lru_cache(maxsize=1024)
def runs_distribution(n_above: int, n_below: int) -> tuple[float, ...]:
    """P(R = r) for r = 0 … n of the number of runs in a random arrangement of
    ``n_above`` and ``n_below`` points (Swed & Eisenhart 1943).

    With k = r // 2 and N = C(n_above + n_below, n_above):
    P(R = 2k) = 2·C(a−1, k−1)·C(b−1, k−1) / N and
    P(R = 2k+1) = [C(a−1, k−1)·C(b−1, k) + C(a−1, k)·C(b−1, k−1)] / N.
    """
    a, b = n_above, n_below
    n = a + b
    probs = [0.0] * (n + 1)
    if a == 0 or b == 0:
        if n:
            probs[1] = 1.0
        return tuple(probs)
    total = math.comb(n, a)
    for r in range(2, n + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * math.comb(a - 1, k - 1) * math.comb(b - 1, k - 1)
        else:
            ways = (math.comb(a - 1, k - 1) * math.comb(b - 1, k)
                    + math.comb(a - 1, k) * math.comb(b - 1, k - 1))
        probs[r] = ways / total
    return tuple(probs)


@lru_cache(maxsize=1024)
def runs_limits(n_useful: int, alpha: float = 0.05) -> tuple[int, int]:
    """Fewest and most runs expected among ``n_useful`` points not on the median.

    Computed from the Swed–Eisenhart distribution with the points split evenly
    about the median (⌊n/2⌋ above, ⌈n/2⌉ below), two-sided at ``alpha``: the
    lower limit is the smallest r with P(R ≤ r) > α/2, the upper the largest r
    with P(R ≥ r) > α/2. Fewer runs than the lower limit, or more than the
    upper, is a signal (the rule of Provost & Murray's run-chart table).
    """
    probs = np.array(runs_distribution(n_useful // 2, n_useful - n_useful // 2))
    cdf = np.cumsum(probs)
    sf = np.cumsum(probs[::-1])[::-1]
    lower = int(np.flatnonzero(cdf > alpha / 2)[0])
    upper = int(np.flatnonzero(sf > alpha / 2)[-1])
    return lower, upper


def _runs_count(ph: _PhasePoints) -> tuple[int, int, np.ndarray]:
    side = np.sign(ph.y - ph.cl)
    keep = (side != 0) & ~np.isnan(side)
    side = side[keep]
    runs = int(np.count_nonzero(side[1:] != side[:-1]) + 1) if side.size else 0
    return int(side.size), runs, ph.pos[keep]


# ------------------------------------------------------------------ rule sets
def _anhoej(chart: SpcChart, phases: list[_PhasePoints], direction) -> list[Finding]:
    found = _beyond_limits(chart, direction)
    if chart.kind == "mr":
        return found
    for ph, ra in zip(phases, chart.runs):
        if ra.n_useful == 0:
            continue
        if ra.longest_run > ra.longest_run_max:
            # every run longer than the limit, not only the longest, is a shift
            found += _side_runs(ph, ra.longest_run_max + 1, False, direction)
        if ra.n_crossings < ra.n_crossings_min:
            n_useful, _, pos = _runs_count(ph)
            found.append(Finding("few_crossings", int(pos[0]), int(pos[-1]), "neutral", None,
                                 ph.number, n_useful))
    return found


def _ihi(chart: SpcChart, phases: list[_PhasePoints], direction
         ) -> tuple[list[Finding], list[Note]]:
    found: list[Finding] = []
    notes: list[Note] = []
    d = _dir_for(chart, direction)
    for ph in phases:
        found += _trends(ph, IHI_TREND, True, d)
        # Points on the median say nothing about runs: the minimum, like the runs test,
        # counts the useful points only.
        n_useful, runs, pos = _runs_count(ph)
        if n_useful < IHI_MIN_POINTS:
            notes.append(Note("too_few_points", ph.number, n_useful, IHI_MIN_POINTS))
            continue
        found += _side_runs(ph, IHI_SHIFT, False, d)
        lower, upper = runs_limits(n_useful)
        if runs < lower or runs > upper:
            found.append(Finding("few_runs" if runs < lower else "many_runs", int(pos[0]),
                                 int(pos[-1]), "neutral", None, ph.number, n_useful))
    return found, notes


def _mdc(chart: SpcChart, phases: list[_PhasePoints], direction) -> list[Finding]:
    found = _beyond_limits(chart, direction)
    d = _dir_for(chart, direction)
    for ph in phases:
        found += _side_runs(ph, MDC_SHIFT, True, d)
        found += _trends(ph, MDC_TREND, False, d)
        if chart.kind != "run":
            found += _two_of_three(ph, d)
    return found


def _latest(chart: SpcChart) -> int | None:
    usable = np.flatnonzero(chart.include & ~np.isnan(chart.y))
    return int(usable[-1]) if usable.size else None


#: Which signal names the latest point when several apply (NHSRplotthedots' order: a point beyond
#: the limits, then a trend, then two of three close to a limit, then a shift); the rules without a
#: side come last.
PRECEDENCE = ("beyond_limits", "trend", "two_of_three", "shift", "few_crossings", "few_runs",
              "many_runs")
_LABELS = {"improvement": "special_cause_improvement", "concern": "special_cause_concern",
           "neutral": "special_cause_neutral"}


def _variation(findings: list[Finding], latest: int | None) -> str:
    """The class of the first signal, in :data:`PRECEDENCE`, that takes in the latest point."""
    if latest is None:
        return "common_cause"
    here = [f for f in findings if f.first <= latest <= f.last]
    if not here:
        return "common_cause"
    first = min(here, key=lambda f: PRECEDENCE.index(f.rule))
    return _LABELS[first.direction]


def evaluate(chart: SpcChart, rule_set: str = "anhoej",
             direction: str | None = None) -> Evaluation:
    """Apply a rule set to a chart and class each signal by improvement direction.

    Parameters
    ----------
    chart : SpcChart
        From :func:`measures.spc.compute`.
    rule_set : {"anhoej", "ihi", "mdc"}
        See the module docstring for the rules and their sources.
    direction : {"up", "down", None}
        Improvement direction of the measure (higher or lower is better).

    Returns
    -------
    Evaluation
        Findings sorted by first position, the variation at the latest
        (non-missing, included) point, and notes on what could not be judged.
    """
    _check_direction(direction)
    if rule_set not in RULE_SETS:
        raise MeasureInputError("rule_set", "unknown_rule_set", f"one of {RULE_SETS}")
    phases = _phases(chart)
    notes: list[Note] = []
    # Extreme but finite values may overflow in differences; such comparisons
    # are simply false, and no warning may leave measures.
    with np.errstate(all="ignore"):
        if rule_set == "anhoej":
            found = _anhoej(chart, phases, direction)
        elif rule_set == "ihi":
            found, notes = _ihi(chart, phases, direction)
        else:
            found = _mdc(chart, phases, direction)
    found.sort(key=lambda f: (f.first, f.last, f.rule))
    latest = _latest(chart)
    return Evaluation(rule_set, direction, tuple(found), _variation(found, latest), latest,
                      tuple(notes))


def variation(chart: SpcChart, rule_set: str = "anhoej", direction: str | None = None) -> str:
    """The variation summary at the latest point (one of :data:`VARIATIONS`)."""
    return evaluate(chart, rule_set, direction).variation


def assurance(chart: SpcChart, target: float, direction: str) -> Assurance:
    """Will the process meet ``target``? Read from the latest phase's limits (NHS MDC).

    With higher better (``"up"``): LCL ≥ target → ``pass``; UCL < target →
    ``fail``; otherwise ``hit_and_miss``. Mirrored for lower better (``"down"``):
    UCL ≤ target → ``pass``; LCL > target → ``fail``. The limits are those of
    the last subgroup of the latest phase that has finite limits (p and u
    limits vary with the denominator).
    """
    if direction not in DIRECTIONS:
        raise MeasureInputError("direction", "unknown_direction",
                                "assurance needs 'up' (higher is better) or 'down'")
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise MeasureInputError("target", "not_a_number") from None
    if not math.isfinite(target):
        raise MeasureInputError("target", "not_finite")
    last = chart.runs[-1]
    s = slice(last.start, last.stop)
    both = np.flatnonzero(np.isfinite(chart.lcl[s]) & np.isfinite(chart.ucl[s]))
    if chart.kind == "run" or both.size == 0:
        return Assurance("no_limits", target, direction, None, None, last.phase, None)
    i = last.start + int(both[-1])
    lcl, ucl = float(chart.lcl[i]), float(chart.ucl[i])
    if direction == "up":
        status = "pass" if lcl >= target else "fail" if ucl < target else "hit_and_miss"
    else:
        status = "pass" if ucl <= target else "fail" if lcl > target else "hit_and_miss"
    return Assurance(status, target, direction, lcl, ucl, last.phase, i)
