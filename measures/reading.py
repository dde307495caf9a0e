"""A structured, language-free reading of a chart, for the app to put into words.

API
---
``read_chart(chart, rule_set="anhoej", direction=None, target=None,
min_points=10, limits_too_narrow=False) -> Reading``

:class:`Reading` holds a headline :class:`Statement` and the rest, each with
a stable ``code`` and the numbers a sentence needs; the web app translates
them ("eight months in a row above the median since the new routine in March:
a real improvement" is ``Statement(code="signal", rule="shift", length=8,
movement="up", centre="median", phase_start=<March>, direction="improvement")``
with the app mapping positions to months and phases to their labels).
Nothing in this module is a sentence.

Statement codes
---------------
``signal``                a rule fired (``rule`` says which; see measures.rules)
``common_cause``          no signal: the variation is what the process usually shows
``insufficient_data``     fewer than ``min_points`` usable points (``count``/``needed``)
``limits_too_narrow``     the p or u chart's limits are too narrow for its denominators (Laney's
                          check, :func:`measures.choice.dispersion_check`): months beyond them
                          are not read as signals, and the p′ or u′ chart is suggested
                          (``status`` names it)
``no_data``               no usable point at all
``centre_line_change``    the latest phase's centre line against the previous one
``assurance``             the target reading (``status`` pass / fail / hit_and_miss)
``extreme_by_eye``        IHI rules: the astronomical-point rule is not tested, so single extreme
                          months are for the reader to look for on the chart
``phase_suggested``       the latest phase holds two levels: a shift one way, then a shift the
                          other way; a new phase from ``phase_start`` gives each its own centre line

A signal that holds only because baseline months far beyond the limits on the other side pull
the mean towards them is no change of its own: with those months left out, the chart computed
again shows no such signal. Its statement keeps its rule and movement, with
``context="pulled_by_outliers"`` and a neutral direction (one extreme month in an I chart puts the
twelve ordinary ones on the other side of the mean, and the lowest of them beyond the limit).

A shift that ends before a shift the other way in the same phase starts is the level *before*
that change, not a change of its own: its statement keeps its rule and movement but has
``context="before_change"`` and a neutral direction (a step up in a measure where higher is
better puts the months before it below the centre line, which is no change for the worse).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from measures.errors import MeasureInputError
from measures.rules import Assurance, Evaluation, Finding, assurance, classify, evaluate
from measures.spc import SpcChart, compute

__all__ = ["Statement", "Reading", "read_chart"]

_MEDIAN_CENTRE = frozenset({"run", "g"})
# Rules read against the control limits, which overdispersion makes too narrow.
_LIMIT_RULES = frozenset({"beyond_limits", "two_of_three"})
_PRIME = {"p": "pp", "u": "up"}
# Charts whose centre line is the baseline's mean (of the counts, or weighted by the denominators),
# which a month far out pulls towards it.
_MEAN_CENTRE = {"i": False, "c": False, "p": True, "pp": True, "u": True, "up": True}
_RUNS_RULES = frozenset({"few_crossings", "few_runs", "many_runs"})


@dataclass(frozen=True)
class Statement:
    """One fact about a chart, in numbers and codes only.

    Positions (``first``, ``last``, ``phase_start``) are 0-based subgroup
    positions; ``centre`` says what the centre line is (``"median"`` or
    ``"mean"``); ``value`` and ``previous_value`` carry the numbers the code
    needs (the latest value, or the new and old centre lines).
    """

    code: str
    direction: str = "neutral"
    rule: str | None = None
    movement: str | None = None
    first: int | None = None
    last: int | None = None
    length: int | None = None
    phase: int | None = None
    phase_start: int | None = None
    centre: str | None = None
    value: float | None = None
    previous_value: float | None = None
    count: int | None = None
    needed: int | None = None
    status: str | None = None
    # "before_change": a signal that is the level before a later shift the other way;
    # "pulled_by_outliers": a signal that holds only through months far out on the other side.
    context: str | None = None


@dataclass(frozen=True)
class Reading:
    """The reading of a chart: a headline and the supporting statements.

    ``code`` is the headline's verdict: ``improvement``, ``concern``,
    ``special_cause`` (a signal without a better direction), ``common_cause``,
    ``limits_too_narrow`` (the limits cannot be read), ``insufficient_data``
    or ``no_data``. ``variation`` is the rules module's
    summary at the latest point. ``latest`` is the latest usable position.
    """

    code: str
    variation: str
    rule_set: str
    direction: str | None
    headline: Statement
    statements: tuple[Statement, ...]
    latest: int | None
    latest_value: float | None
    evaluation: Evaluation
    assurance: Assurance | None = None


def _centre(chart: SpcChart) -> str:
    return "median" if chart.kind in _MEDIAN_CENTRE else "mean"


def _signal(chart: SpcChart, f: Finding) -> Statement:
    ra = chart.runs[f.phase - 1]
    return Statement("signal", f.direction, f.rule, f.movement, f.first, f.last, f.length,
                     f.phase, ra.start, _centre(chart), float(chart.y[f.last]))


# Signals of a side that a level explains: months beyond the limits, or near them, on the earlier
# level's side lie there because the centre line sits between two levels.
_SIDED_BY_LEVEL = frozenset({"shift", "beyond_limits", "two_of_three"})


def _levels(statements: list[Statement]) -> tuple[list[Statement], tuple[int, int] | None]:
    """The statements with the earlier level of a step marked as such; and where the later level
    starts, with its phase (None when no phase holds two levels).

    In each phase the latest shift is the later level. Every shift, month beyond the limits or two
    of three on the other side that ends before it is the level before that change: with one
    centre line over both levels, the months before a step up lie below it, and some beyond the
    lower limit, without being a change for the worse. When no shift marks the earlier level, it
    takes at least two months beyond the limits and a later shift that lasts to the phase's end.
    """
    marked: dict[int, Statement] = {}
    start = None
    for phase in {s.phase for s in statements if s.rule == "shift"}:
        shifts = [s for s in statements if s.phase == phase and s.rule == "shift"]
        later = max(shifts, key=lambda s: s.first)
        before = [s for s in statements
                  if s.phase == phase and s.rule in _SIDED_BY_LEVEL
                  and s.movement not in (None, later.movement) and s.last < later.first]
        if not before:
            continue
        # Without a run of its own, the earlier level is months beyond the limits: one month is an
        # outlier, not a level, and a shift that has ended is a spell, not a step.
        if not any(s.rule == "shift" for s in before) and (
            sum(s.length for s in before) < 2 or not _reaches_end(later, statements)
        ):
            continue
        boundary = max(s.last for s in before)
        for s in before:
            marked[id(s)] = dataclasses.replace(s, direction="neutral", context="before_change")
        start = min(s.first for s in shifts if s.movement == later.movement and s.first > boundary), phase
    kept = [marked.get(id(s), s) for s in statements]
    return kept, start


def _reaches_end(shift: Statement, statements: list[Statement]) -> bool:
    # The shift runs on to the phase's last month with a signal (its last usable month, as a run
    # is broken only by a month on the other side).
    return shift.last >= max(s.last for s in statements if s.phase == shift.phase)


def _recomputed(chart: SpcChart, drop: np.ndarray) -> SpcChart | None:
    """The chart computed again with the ``drop`` months left out, its settings kept."""
    y, n = chart.y, chart.n
    if _MEAN_CENTRE[chart.kind]:
        y, n = y * n, n          # back to the numerators
    elif chart.kind != "c":
        n = None                 # an I chart of ratios: the plotted values are its input
    phases = [ra.start for ra in chart.runs[1:]] or None
    freeze = None if phases or chart.baseline.all() else int(chart.baseline.sum())
    exclude = np.flatnonzero(~chart.include | drop).tolist() or None
    try:
        return compute(chart.kind, y, n, freeze=freeze, phases=phases, exclude=exclude,
                       screened_mr=chart.screened_mr, amr_factor=chart.amr_factor)
    except MeasureInputError:
        return None


def _holds(st: Statement, ev: Evaluation) -> bool:
    return any(f.rule == st.rule and f.movement == st.movement and f.phase == st.phase
               and f.first <= st.last and st.first <= f.last for f in ev)


def _pulled(chart: SpcChart, rule_set: str, direction: str | None,
            statements: list[Statement]) -> list[Statement]:
    """The statements with each signal that holds only because baseline months far out on the
    other side pull the mean marked so.

    In each phase without a step (no statement is the level before a change), the baseline months
    beyond the limits on one side are left out and the chart is computed again: a run below the
    mean, or a month below the lower limit, that is gone once the months above the upper limit are
    left out was made by them (and mirrored). A runs signal without a side (too few crossings or
    runs) is marked when it is gone either way.
    """
    if chart.kind not in _MEAN_CENTRE:
        return statements
    stepped = {s.phase for s in statements if s.context == "before_change"}
    open_phase = ~np.isin(chart.phase, list(stepped))
    outlying = chart.sigma_signal & chart.include & ~np.isnan(chart.y) & chart.baseline & open_phase
    again: dict[str, Evaluation] = {}
    for side, far in (("up", outlying & (chart.y > chart.cl)), ("down", outlying & (chart.y < chart.cl))):
        if far.any():
            recomputed = _recomputed(chart, far)
            if recomputed is not None:
                again[side] = evaluate(recomputed, rule_set, direction)
    if not again:
        return statements

    def pulled(st: Statement) -> bool:
        if st.code != "signal" or st.context is not None or st.phase in stepped:
            return False
        if st.movement is None:
            return st.rule in _RUNS_RULES and any(not _holds(st, ev) for ev in again.values())
        other = again.get("down" if st.movement == "up" else "up")
        return other is not None and not _holds(st, other)

    return [dataclasses.replace(st, direction="neutral", context="pulled_by_outliers")
            if pulled(st) else st for st in statements]


_CLASS_OF = {"special_cause_improvement": "improvement", "special_cause_concern": "concern",
             "special_cause_neutral": "neutral"}


def _rank(f: Finding, latest: int | None, variation: str) -> tuple:
    # Most telling first: signals at the latest point, of the class the latest point is read as
    # (measures.rules.PRECEDENCE decides it), then the most recent and the longest.
    current = latest is not None and f.first <= latest <= f.last
    return (not current, not current or f.direction != _CLASS_OF.get(variation), -f.last, -f.length)


def read_chart(chart: SpcChart, rule_set: str = "anhoej", direction: str | None = None,
               target: float | None = None, min_points: int = 10,
               limits_too_narrow: bool = False) -> Reading:
    """Read a chart: which signals there are, which matters most, how it stands.

    Parameters
    ----------
    chart : SpcChart
    rule_set : {"anhoej", "ihi", "mdc"}
    direction : {"up", "down", None}
        Improvement direction of the measure.
    target : float, optional
        With a direction, adds an assurance statement (NHS MDC).
    min_points : int, default 10
        Fewer usable points than this give ``insufficient_data`` (IHI: at
        least 10 points before a median is drawn).
    limits_too_narrow : bool, default False
        The chart's denominators are so large that its limits are too narrow
        (``ChartChoice.warnings``; p and u charts): the headline says so and
        suggests the p′ or u′ chart, and points beyond the limits (or two of
        three near them) are not read as changes. The runs rules, which do not
        use the limits, still are.
    """
    ev = evaluate(chart, rule_set, direction)
    usable = int(np.count_nonzero(chart.include & ~np.isnan(chart.y)))
    latest = ev.latest
    latest_value = None if latest is None else float(chart.y[latest])
    statements: list[Statement] = []

    if usable == 0:
        headline = Statement("no_data", count=0, needed=min_points)
        return Reading("no_data", ev.variation, rule_set, direction, headline, (headline,),
                       None, None, ev)

    narrow = limits_too_narrow and chart.kind in _PRIME
    signals = sorted(ev.findings, key=lambda f: _rank(f, latest, ev.variation))
    if narrow:
        # With limits too narrow, about every other month lies beyond them: that says the
        # limits are wrong, not that the months are changes.
        signals = [f for f in signals if f.rule not in _LIMIT_RULES]
    statements += [_signal(chart, f) for f in signals]
    statements, level_start = _levels(statements)
    if not narrow:
        statements = _pulled(chart, rule_set, direction, statements)
    # A level before a change, or a run that outlying months explain, is context: the changes
    # themselves come first.
    statements.sort(key=lambda statement: statement.context is not None)
    told = [s for s in statements if s.context is None]
    if level_start is not None and level_start[1] == chart.runs[-1].phase:
        statements.append(
            Statement("phase_suggested", phase=level_start[1], phase_start=level_start[0])
        )
    if usable < min_points:
        headline = Statement("insufficient_data", count=usable, needed=min_points,
                             value=latest_value, last=latest)
        code = "insufficient_data"
        statements.insert(0, headline)
    elif narrow:
        headline = Statement("limits_too_narrow", status=_PRIME[chart.kind])
        code = "limits_too_narrow"
        statements.insert(0, headline)
    elif told:
        headline = told[0]
        code = {"improvement": "improvement", "concern": "concern"}.get(
            headline.direction, "special_cause")
    else:
        last_phase = chart.runs[-1]
        headline = Statement("common_cause", centre=_centre(chart), phase=last_phase.phase,
                             phase_start=last_phase.start, value=float(chart.cl[latest]),
                             last=latest, count=usable)
        code = "common_cause"
        statements.insert(0, headline)

    if rule_set == "ihi":
        # The IHI run-chart rules include an astronomical point, which measures does not test.
        statements.append(Statement("extreme_by_eye"))

    if len(chart.runs) > 1:
        now, before = chart.runs[-1], chart.runs[-2]
        new, old = float(chart.cl[now.start]), float(chart.cl[before.start])
        if not (math.isnan(new) or math.isnan(old)) and new != old:
            movement = "up" if new > old else "down"
            statements.append(Statement(
                "centre_line_change", classify(movement, direction), movement=movement,
                phase=now.phase, phase_start=now.start, centre=_centre(chart),
                value=new, previous_value=old))

    result_assurance = None
    if target is not None and direction is not None:
        result_assurance = assurance(chart, target, direction)
        statements.append(Statement("assurance", status=result_assurance.status,
                                    phase=result_assurance.phase, value=target))
    return Reading(code, ev.variation, rule_set, direction, headline, tuple(statements),
                   latest, latest_value, ev, result_assurance)
