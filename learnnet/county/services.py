"""The county comparison: units and municipalities on a funnel plot, their table, the measure
across all teams, and the network's effect estimated by interrupted time series.

Everything a view, a chart or an export shows is computed here, with small numbers already
suppressed (:mod:`learnnet.county.suppression`), so no view can show a cell the table hides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from learnnet.analysis import Analysis, analyse_all, load_series, scale_of
from learnnet.county.suppression import Suppression, is_hidden
from learnnet.extensions import db
from learnnet.measurements.periods import add_months, month_start, months_between
from learnnet.models import MeasureDefinition, Measurement, Team
from measures.effects import (
    ItsResult,
    PooledItsResult,
    interrupted_time_series,
    pooled_interrupted_time_series,
)
from measures.errors import MeasureInputError
from measures.funnel import FunnelCurves, FunnelResult, funnel, funnel_limits

# The page's overdispersion choices: "auto" widens the limits when the units vary more than
# chance allows (measures.funnel's default), "none" keeps the plain exact limits.
ADJUSTMENTS = ("auto", "none", "multiplicative", "additive")
LEVELS = ("unit", "municipality")
# Months shown by default: the last twelve.
DEFAULT_WINDOW = 12


@dataclass(frozen=True)
class Window:
    """The months compared, both included."""

    first: dt.date
    last: dt.date

    @property
    def periods(self) -> list[dt.date]:
        return months_between(self.first, self.last)


def default_window(measure: MeasureDefinition, today: dt.date) -> Window:
    """The last twelve months up to last month, inside the network's period."""
    network = measure.network
    last = min(add_months(month_start(today), -1), month_start(network.end_date))
    last = max(last, month_start(network.start_date))
    return Window(add_months(last, -(DEFAULT_WINDOW - 1)), last)


def window_from(
    measure: MeasureDefinition, today: dt.date, first: dt.date | None, last: dt.date | None
) -> Window:
    """The window asked for, or the default for what was not given; first after last is swapped."""
    default = default_window(measure, today)
    first, last = first or default.first, last or default.last
    if first > last:
        first, last = last, first
    return Window(first, last)


def comparable_measures() -> list[MeasureDefinition]:
    """Measures that can be compared across units (proportions and rates), network by network."""
    return list(
        db.session.scalars(
            select(MeasureDefinition)
            .where(MeasureDefinition.value_kind.in_(("proportion", "rate")))
            .order_by(MeasureDefinition.network_id, MeasureDefinition.position)
        )
    )


# --- the comparison table and funnel plot ---------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One unit (or municipality) in the window. Numbers are None where suppressed or missing."""

    label: str
    municipality: str
    teams: tuple[Team, ...]
    numerator: float | None
    denominator: float | None
    value: float | None  # on the measure's scale (% or per 1,000)
    z: float | None
    # "above"/"below" the 95 % limits, None inside; outside998 beyond the 99.8 % limits.
    side: str | None
    outside998: bool
    # "better"/"worse"/None: the side read with the measure's improvement direction.
    verdict: str | None
    hidden: bool
    has_data: bool

    @property
    def team(self) -> Team | None:
        return self.teams[0] if len(self.teams) == 1 else None


@dataclass(frozen=True)
class Comparison:
    measure: MeasureDefinition
    window: Window
    level: str
    adjust: str
    scale: float
    rows: tuple[Row, ...]
    result: FunnelResult | None
    curves: FunnelCurves | None
    problem: str | None
    threshold: int
    # The funnel's units are numbered; this names them (the rows with data, in order).
    unit_labels: tuple[str, ...] = ()

    @property
    def hidden_count(self) -> int:
        return sum(1 for r in self.rows if r.hidden)

    @property
    def shown(self) -> tuple[Row, ...]:
        """Rows that may be drawn: with data and not suppressed."""
        return tuple(r for r in self.rows if r.has_data and not r.hidden)


def window_totals(
    teams: list[Team], measure: MeasureDefinition, window: Window
) -> dict[int, tuple[int, int]]:
    """Each team's summed numerator and denominator over the window's entered months."""
    totals: dict[int, tuple[int, int]] = {}
    if not teams:
        return totals
    rows = db.session.scalars(
        select(Measurement).where(
            Measurement.team_id.in_([t.id for t in teams]),
            Measurement.measure_id == measure.id,
            Measurement.period.between(window.first, window.last),
            Measurement.deleted_at.is_(None),
            Measurement.numerator.is_not(None),
            Measurement.denominator.is_not(None),
        )
    )
    for m in rows:
        num, den = totals.get(m.team_id, (0, 0))
        totals[m.team_id] = (num + m.numerator, den + m.denominator)
    return totals


def _groups(teams: list[Team], level: str) -> list[tuple[str, str, list[Team]]]:
    if level == "unit":
        return [(t.name, t.unit.municipality.name, [t]) for t in sorted(teams, key=lambda t: (t.name, t.id))]
    by_municipality: dict[str, list[Team]] = {}
    for team in teams:
        by_municipality.setdefault(team.unit.municipality.name, []).append(team)
    return [
        (name, name, sorted(members, key=lambda t: t.id)) for name, members in sorted(by_municipality.items())
    ]


def _verdict(side: str | None, direction: str) -> str | None:
    if side is None:
        return None
    return "better" if (side == "above") == (direction == "up") else "worse"


def compare(
    measure: MeasureDefinition,
    window: Window,
    suppression: Suppression,
    *,
    level: str = "unit",
    adjust: str = "auto",
) -> Comparison:
    """The measure's units (or municipalities) over ``window``: funnel, z-scores and positions.

    Suppressed rows carry no numbers, and the funnel's target and limits are pooled from the rows
    shown: a pooled value that included a suppressed unit, beside every other unit's numbers,
    would give the suppressed unit's numbers away. Those who see every unit see every unit pooled.
    """
    if level not in LEVELS:
        level = "unit"
    if adjust not in ADJUSTMENTS:
        adjust = "auto"
    teams = list(measure.network.teams)
    totals = window_totals(teams, measure, window)
    scale = scale_of(measure)
    groups = []
    for label, municipality, members in _groups(teams, level):
        num = sum(totals[t.id][0] for t in members if t.id in totals)
        den = sum(totals[t.id][1] for t in members if t.id in totals)
        has_data = any(t.id in totals for t in members)
        # A municipality whose total would let a suppressed unit's count be worked out (its total
        # minus the units shown in the unit view) is suppressed with it.
        hidden = has_data and (
            is_hidden(suppression, members, num, den)
            or any(is_hidden(suppression, t, *totals[t.id]) for t in members if t.id in totals)
        )
        groups.append((label, municipality, members, num, den, has_data, hidden))
    with_data = [g for g in groups if g[5] and g[4] > 0 and not g[6]]
    base = dict(
        measure=measure,
        window=window,
        level=level,
        adjust=adjust,
        scale=scale,
        threshold=suppression.threshold,
    )
    result = curves = None
    problem = None
    kind = measure.value_kind
    if kind not in ("proportion", "rate"):
        problem = "not_comparable"
    elif len(with_data) < 2:
        problem = "too_few_units"
    else:
        try:
            result = funnel(
                kind,
                [g[3] for g in with_data],
                [g[4] for g in with_data],
                labels=list(range(len(with_data))),
                adjust=None if adjust == "none" else adjust,
            )
            # the limits drawn are those the units were judged against, as chosen for "auto"
            dens = [g[4] for g in with_data]
            curves = funnel_limits(
                kind,
                result.target,
                n_min=max(1.0, min(dens) * 0.8),
                n_max=max(dens) * 1.2,
                points=120,
                phi=result.phi,
                tau2=result.tau2,
                adjustment=result.adjustment,
            )
        except MeasureInputError as error:
            problem, result, curves = error.problem, None, None
    by_label = {}
    if result is not None:
        for unit in result.units:
            by_label[with_data[unit.label][0]] = unit
    rows = []
    for label, municipality, members, num, den, has_data, hidden in groups:
        unit = by_label.get(label)
        side = unit.side if unit is not None else None
        if hidden or not has_data:
            rows.append(
                Row(
                    label,
                    municipality,
                    tuple(members),
                    None,
                    None,
                    None,
                    None,
                    None,
                    False,
                    None,
                    hidden,
                    has_data,
                )
            )
            continue
        rows.append(
            Row(
                label,
                municipality,
                tuple(members),
                num,
                den,
                num / den * scale if den else None,
                unit.z if unit is not None else None,
                side,
                bool(unit.outside998) if unit is not None else False,
                _verdict(side, measure.direction),
                False,
                True,
            )
        )
    return Comparison(
        rows=tuple(rows),
        result=result,
        curves=curves,
        problem=problem,
        unit_labels=tuple(g[0] for g in with_data),
        **base,
    )


# --- the measure across all teams -----------------------------------------------------------


@dataclass(frozen=True)
class TeamChart:
    """One team's chart of the measure, with the months whose numbers are suppressed."""

    team: Team
    analysis: Analysis
    hidden_positions: tuple[int, ...]

    @property
    def hidden(self) -> bool:
        return bool(self.hidden_positions)


def team_charts(measure: MeasureDefinition, window: Window, suppression: Suppression) -> list[TeamChart]:
    """Every team's chart of the measure up to the window's last month, in name order."""
    teams = sorted(measure.network.teams, key=lambda t: (t.name, t.id))
    analyses = analyse_all(teams, [measure], window.last)
    charts = []
    for team in teams:
        analysis = analyses[(team.id, measure.id)]
        series = analysis.series
        hidden = tuple(
            k for k in range(len(series.periods)) if is_hidden(suppression, team, *_counts(series, k))
        )
        charts.append(TeamChart(team, analysis, hidden))
    return charts


def _counts(series, k: int) -> tuple[float | None, ...]:
    if series.measure.is_ratio:
        return (series.numerators[k], series.denominators[k])
    if series.measure.value_kind == "count":
        return (series.values[k],)
    return ()


# --- the network's effect -----------------------------------------------------------------


@dataclass(frozen=True)
class TeamEffect:
    team: Team
    periods: tuple[dt.date, ...]
    result: ItsResult | None
    problem: str | None
    hidden: bool
    # "improved", "worse" or "unclear": the level and trend changes' intervals read with the direction.
    verdict: str | None
    # The plain numbers beside the model, on the measure's scale: all months before the change,
    # and the months of the window from the change on (None when suppressed or missing).
    before: float | None = None
    after: float | None = None


@dataclass(frozen=True)
class NetworkEffect:
    measure: MeasureDefinition
    change: dt.date
    last: dt.date
    kind: str
    scale: float
    # The network's months with every team's numbers added up, and the model fitted to them.
    periods: tuple[dt.date, ...]
    observed: tuple[float | None, ...]
    aggregate: ItsResult | None
    pooled: PooledItsResult | None
    problem: str | None
    teams: tuple[TeamEffect, ...]
    hidden_positions: tuple[int, ...]
    # Every team and month of the network is in it; False when some are hidden from this viewer.
    complete: bool = True

    @property
    def at(self) -> int | None:
        return self.periods.index(self.change) if self.change in self.periods else None


def effect_kind(measure: MeasureDefinition) -> str:
    return measure.value_kind if measure.value_kind in ("proportion", "rate") else "continuous"


def _side(effect, direction: str) -> str | None:
    """ "good" or "bad" when the interval lies wholly on one side of no change, else None."""
    if effect.ratio is not None:
        low, high, neutral = effect.ratio_ci_low, effect.ratio_ci_high, 1.0
    else:
        low, high, neutral = effect.ci_low, effect.ci_high, 0.0
    if low > neutral:
        return "good" if direction == "up" else "bad"
    if high < neutral:
        return "bad" if direction == "up" else "good"
    return None


def reading_of(result, direction: str) -> str:
    """ "improved" when the level or the trend changed for the better (its 95 % interval wholly on
    the better side) and neither changed for the worse; "worse" the other way round; else
    "unclear"."""
    sides = {_side(result.level_change, direction), _side(result.slope_change, direction)}
    if "good" in sides and "bad" not in sides:
        return "improved"
    if "bad" in sides and "good" not in sides:
        return "worse"
    return "unclear"


def _its_input(series, kind: str, shown: Sequence[bool]) -> tuple[list, list | None]:
    """The series' values (numerators and denominators) in the months ``shown``; None in the others."""
    if kind == "continuous":
        values = series.values if not series.measure.is_ratio else series.y
        return [v if shown[k] else None for k, v in enumerate(values)], None
    return (
        [v if shown[k] else None for k, v in enumerate(series.numerators)],
        [v if shown[k] else None for k, v in enumerate(series.denominators)],
    )


def _mean(periods, y: list, n: list | None, chosen) -> float | None:
    """Σ numerators / Σ denominators (or the mean value) over the chosen months."""
    picked = [k for k, p in enumerate(periods) if chosen(p) and y[k] is not None and (n is None or n[k])]
    if not picked:
        return None
    if n is None:
        return sum(y[k] for k in picked) / len(picked)
    return sum(y[k] for k in picked) / sum(n[k] for k in picked)


def network_effect(
    measure: MeasureDefinition,
    change: dt.date,
    last: dt.date,
    suppression: Suppression,
    first: dt.date | None = None,
) -> NetworkEffect:
    """Before against after ``change`` for the whole network (teams pooled) and for each team.

    Every figure comes from the teams and months this viewer is shown, as the comparison's do: a
    team's estimate or average that took in a suppressed month would, beside the months shown,
    give that month away.

    ``first`` (the comparison window's first month) limits the "after" average to this period.
    """
    change = month_start(change)
    first = month_start(first or change)
    kind = effect_kind(measure)
    scale = scale_of(measure)
    team_effects = []
    ys, ns, ats = [], [], []
    sums: dict[dt.date, list[float]] = {}
    complete = True
    for team in sorted(measure.network.teams, key=lambda t: (t.name, t.id)):
        series = load_series(team, measure, until=last)
        num = sum(v for v in series.numerators if v is not None) if kind != "continuous" else None
        hidden = is_hidden(suppression, team, num)
        shown = [not is_hidden(suppression, team, *_counts(series, k)) for k in range(len(series.periods))]
        complete = complete and not hidden and all(shown)
        y, n = _its_input(series, kind, shown)
        for k, period in enumerate(series.periods):
            if hidden or y[k] is None or (n is not None and n[k] is None):
                continue
            total = sums.setdefault(period, [0.0, 0.0, 0])
            total[0] += y[k]
            total[1] += n[k] if n is not None else 0.0
            total[2] += 1
        at = series.index(change)
        result, problem = None, None
        if at is None or at == 0:
            problem = "change_outside_series"
        else:
            try:
                result = interrupted_time_series(kind, y, n, at=at)
            except MeasureInputError as error:
                problem = error.problem
            else:
                if not hidden:
                    ys.append(y)
                    ns.append(n)
                    ats.append(at)
        before = _mean(series.periods, y, n, lambda p: p < change)
        after = _mean(series.periods, y, n, lambda p: max(change, first) <= p)
        team_effects.append(
            TeamEffect(
                team,
                series.periods,
                None if hidden else result,
                problem,
                hidden,
                None if hidden or result is None else reading_of(result, measure.direction),
                None if hidden or before is None else before * scale,
                None if hidden or after is None else after * scale,
            )
        )
    periods = tuple(sorted(sums))
    if kind == "continuous":
        observed = tuple(sums[p][0] / sums[p][2] for p in periods)
        agg_y, agg_n = list(observed), None
    else:
        observed = tuple(sums[p][0] / sums[p][1] if sums[p][1] else None for p in periods)
        agg_y, agg_n = [sums[p][0] for p in periods], [sums[p][1] for p in periods]
    teams = list(measure.network.teams)
    hidden_positions = tuple(
        k
        for k, p in enumerate(periods)
        if kind != "continuous" and is_hidden(suppression, teams, sums[p][0], sums[p][1])
    )
    aggregate = pooled = None
    problem = None
    if change not in periods or periods.index(change) == 0:
        problem = "change_outside_series"
    else:
        try:
            aggregate = interrupted_time_series(kind, agg_y, agg_n, at=periods.index(change))
        except MeasureInputError as error:
            problem = error.problem
        if len(ys) >= 2:
            try:
                pooled = pooled_interrupted_time_series(
                    kind, ys, ns if kind != "continuous" else None, at=ats
                )
            except MeasureInputError as error:
                problem = problem or error.problem
        elif aggregate is not None:
            problem = "too_few_teams"
    return NetworkEffect(
        measure=measure,
        change=change,
        last=month_start(last),
        kind=kind,
        scale=scale,
        periods=periods,
        observed=observed,
        aggregate=aggregate,
        pooled=pooled,
        problem=problem,
        teams=tuple(team_effects),
        hidden_positions=hidden_positions,
        complete=complete,
    )
