"""The county comparison: units and municipalities on a funnel plot, their table, the measure
across all teams, and the network's effect estimated by interrupted time series.

Everything a view, a chart or an export shows is computed here, with small numbers already
suppressed (:mod:`learnnet.suppression`), so no view can show a cell the table hides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from learnnet.analysis import Analysis, analyse_all, scale_of
from learnnet.analysis.series import load_network_series
from learnnet.extensions import db
from learnnet.measurements.periods import add_months, month_start, months_between
from learnnet.models import MeasureDefinition, Team
from learnnet.networks.services import PooledChart, SignalChart, pooled_chart, signal_counts
from learnnet.suppression import Cell, Figure, Protection, Suppression, counts_of, entered, protect
from measures.effects import Impact, ItsResult, interrupted_time_series
from measures.errors import MeasureInputError
from measures.funnel import FunnelCurves, FunnelResult, funnel, funnel_limits

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
    # no later than the last month there can be numbers for: the page must not name months it has not
    last = min(last, default.last)
    return Window(min(first, last), last)


# The periods a reader can choose in one click: the last twelve months, this year so far, and
# everything since the network started; each ends with last month.
PERIODS = ("12", "year", "start")


def window_for(measure: MeasureDefinition, today: dt.date, period: str) -> Window:
    """The window of one of :data:`PERIODS`."""
    default = default_window(measure, today)
    if period == "year":
        return Window(default.last.replace(month=1), default.last)
    if period == "start":
        return Window(min(month_start(measure.network.start_date), default.last), default.last)
    return default


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


# --- the effect of the change -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamEffect:
    team: Team
    periods: tuple[dt.date, ...]
    result: ItsResult | None
    # What the change did over the window, from the model fitted to every month of the team.
    impact: Impact | None
    problem: str | None
    # True when this viewer is not shown the team's effect: it would give a hidden month away.
    hidden: bool
    # "improved", "worse" or "unclear": where the impact's 95 % interval lies, read with the direction.
    verdict: str | None
    # The plain average before the change, on the measure's scale (None when held back or missing).
    before: float | None = None


@dataclass(frozen=True)
class NetworkEffect:
    measure: MeasureDefinition
    change: dt.date
    # The months the effect is averaged over: from the change (or the window's first month) on.
    first: dt.date
    last: dt.date
    kind: str
    scale: float
    # The network's months with every team's numbers added up, and the model fitted to them; the
    # months held back from this viewer are None in ``observed``.
    periods: tuple[dt.date, ...]
    observed: tuple[float | None, ...]
    aggregate: ItsResult | None
    impact: Impact | None
    verdict: str | None
    problem: str | None
    # Best effect first; teams without an estimate, or hidden, last.
    teams: tuple[TeamEffect, ...]
    hidden_positions: tuple[int, ...]
    # The network's own average before the change (None when held back).
    before: float | None = None

    @property
    def at(self) -> int | None:
        return self.periods.index(self.change) if self.change in self.periods else None

    @property
    def hidden_count(self) -> int:
        return sum(1 for t in self.teams if t.hidden)


def effect_kind(measure: MeasureDefinition) -> str:
    return measure.value_kind if measure.value_kind in ("proportion", "rate") else "continuous"


def verdict_of(impact: Impact, direction: str) -> str:
    """ "improved" when the impact's whole 95 % interval lies on the better side of no change,
    "worse" when it lies wholly on the worse side, else "unclear"."""
    if impact.ci_low > 0:
        return "improved" if direction == "up" else "worse"
    if impact.ci_high < 0:
        return "worse" if direction == "up" else "improved"
    return "unclear"


def _fit(kind: str, y, n, at: int | None, first: int | None, last: int | None):
    """The model and its impact over positions first … last, or the reason there is none."""
    if first is None or last is None or last < first:
        return None, None, "window_before_change"
    if at is None or at == 0:
        return None, None, "change_outside_series"
    try:
        result = interrupted_time_series(kind, y, n, at=at)
        return result, result.impact(first, last), None
    except MeasureInputError as error:
        return None, None, error.problem


def _mean(y: Sequence, n: Sequence | None, positions: Sequence[int]) -> float | None:
    """Σ numerators / Σ denominators (or the mean value) over the positions that have numbers."""
    picked = [k for k in positions if y[k] is not None and (n is None or n[k])]
    if not picked:
        return None
    if n is None:
        return sum(y[k] for k in picked) / len(picked)
    return sum(y[k] for k in picked) / sum(n[k] for k in picked)


def _better_first(effect: TeamEffect, direction: str) -> tuple:
    if effect.hidden or effect.impact is None:
        return (1, 0.0, effect.team.name)
    difference = effect.impact.difference
    return (0, -difference if direction == "up" else difference, effect.team.name)


# --- the page: every figure computed from all the numbers, then protected together --------------


@dataclass(frozen=True)
class Page:
    """Everything the comparison page, its images and its exports show, for one viewer."""

    comparison: Comparison
    effect: NetworkEffect
    charts: tuple[TeamChart, ...]
    protection: Protection
    # The network as one: its pooled chart (the months held back from this viewer left blank) and
    # how many teams have a signal each month.
    pooled: PooledChart
    signals: SignalChart


def comparison_page(
    measure: MeasureDefinition,
    window: Window,
    change: dt.date,
    suppression: Suppression,
    *,
    level: str = "unit",
    adjust: str = "auto",
) -> Page:
    """The funnel, the effects and every team's chart of ``measure``, for this viewer.

    Every model and funnel is computed from every number; only what is shown is protected: the
    months and totals a viewer may not read are held back together (:func:`suppression.protect`),
    so a viewer sees the centre's numbers, or a hidden cell, never a different number.
    """
    level = level if level in LEVELS else "unit"
    change = month_start(change)
    teams = sorted(measure.network.teams, key=lambda t: (t.name, t.id))
    analyses = analyse_all(teams, [measure], window.last)
    series_of = {team.id: analyses[(team.id, measure.id)].series for team in teams}
    kind = effect_kind(measure)
    scale = scale_of(measure)
    effect_first = max(change, month_start(window.first))

    cells: dict[tuple[int, dt.date], Cell] = {}
    for team in teams:
        series = series_of[team.id]
        for k, period in enumerate(series.periods):
            if entered(series, k):
                cells[(team.id, period)] = Cell(team, counts_of(series, k))

    def keys(chosen_teams, chosen) -> frozenset:
        return frozenset(
            (t.id, p)
            for t in chosen_teams
            for p in series_of[t.id].periods
            if (t.id, p) in cells and chosen(p)
        )

    def totals(cell_keys) -> tuple[float, ...]:
        counts = [cells[key].counts for key in cell_keys]
        return tuple(sum(c[i] for c in counts) for i in range(len(counts[0]))) if counts else ()

    def figure(key, cell_keys) -> Figure:
        return Figure(key, cell_keys, totals(cell_keys))

    in_window = lambda p: window.first <= p <= window.last  # noqa: E731
    after = lambda p: effect_first <= p <= window.last  # noqa: E731
    before = lambda p: p < change  # noqa: E731
    # Most important first: the funnel's network line, each team's effect, the rows of both levels
    # (units first whichever the page shows, so that the two views hide the same: together they
    # would otherwise give a unit away), the network's months and its effect.
    figures = [figure(("network", "window"), keys(teams, in_window))]
    for team in teams:
        figures.append(figure(("after", team.id), keys([team], after)))
        figures.append(figure(("before", team.id), keys([team], before)))
    for lv in LEVELS:
        for label, _municipality, members in _groups(teams, lv):
            figures.append(figure(("row", lv, label), keys(members, in_window)))
    periods = sorted({p for (_team_id, p) in cells})
    for period in periods:
        figures.append(figure(("month", period), keys(teams, lambda p, period=period: p == period)))
    figures.append(figure(("network", "after"), keys(teams, after)))
    figures.append(figure(("network", "before"), keys(teams, before)))
    protection = protect(suppression, cells, figures)

    comparison = _comparison(measure, window, level, adjust, scale, teams, cells, protection, suppression)
    charts = tuple(
        TeamChart(
            team,
            analyses[(team.id, measure.id)],
            tuple(k for k, p in enumerate(series_of[team.id].periods) if protection.hides_cell((team.id, p))),
        )
        for team in teams
    )
    effect = _network_effect(
        measure, change, effect_first, window.last, kind, scale, teams, series_of, cells, protection
    )
    withheld = frozenset(p for p in periods if not protection.shows(("month", p)))
    network = measure.network
    pooled = pooled_chart(network, measure, suppression, window.last, hidden=withheld)
    signals = signal_counts(
        network, measure, suppression, window.last, periods=pooled.analysis.series.periods
    )
    return Page(comparison, effect, charts, protection, pooled, signals)


def _comparison(measure, window, level, adjust, scale, teams, cells, protection, suppression) -> Comparison:
    groups = []
    for label, municipality, members in _groups(teams, level):
        chosen = [cells[(t.id, p)].counts for t in members for p in window.periods if (t.id, p) in cells]
        num = _whole(sum(c[0] for c in chosen))
        den = _whole(sum(c[1] for c in chosen))
        has_data = bool(chosen) and den > 0
        hidden = has_data and not protection.shows(("row", level, label))
        groups.append((label, municipality, members, num, den, has_data, hidden))
    with_data = [g for g in groups if g[5]]
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
            # the limits drawn are those the units were judged against, as chosen for "auto"; the
            # curves span the units drawn only, so that where they start gives no hidden unit away
            dens = [g[4] for g in with_data if not g[6]] or [g[4] for g in with_data]
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
    if result is not None and not protection.shows(("network", "window")):
        problem, result, curves = "hidden_network", None, None
    by_label = {}
    if result is not None:
        for unit in result.units:
            by_label[with_data[unit.label][0]] = unit
    rows = []
    for label, municipality, members, num, den, has_data, hidden in groups:
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
        unit = by_label.get(label)
        side = unit.side if unit is not None else None
        rows.append(
            Row(
                label,
                municipality,
                tuple(members),
                num,
                den,
                num / den * scale,
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


def _whole(value: float) -> float | int:
    """Counts are whole numbers; the series carries them as floats."""
    return int(value) if float(value).is_integer() else value


def _network_effect(
    measure, change, first, last, kind, scale, teams, series_of, cells, protection
) -> NetworkEffect:
    direction = measure.direction
    team_effects = []
    for team in teams:
        series = series_of[team.id]
        y, n = _model_input(series, kind)
        positions = [k for k, p in enumerate(series.periods) if first <= p <= last]
        result, impact, problem = _fit(
            kind,
            y,
            n,
            series.index(change),
            positions[0] if positions else None,
            positions[-1] if positions else None,
        )
        hidden = impact is not None and not protection.shows(("after", team.id))
        average = _mean(y, n, [k for k, p in enumerate(series.periods) if p < change])
        team_effects.append(
            TeamEffect(
                team=team,
                periods=series.periods,
                result=None if hidden else result,
                impact=None if hidden else impact,
                problem=problem,
                hidden=hidden,
                verdict=None if hidden or impact is None else verdict_of(impact, direction),
                before=None
                if average is None or not protection.shows(("before", team.id))
                else average * scale,
            )
        )
    team_effects.sort(key=lambda te: _better_first(te, direction))

    # The network's months as the pooled chart has them (one way to pool): every team's numbers
    # added up, on the calendar; a month that not every team has entered is left out of the
    # model, as out of the chart, so that a change in who reports is not read as an effect.
    pooled = load_network_series(measure.network, measure, until=last)
    periods = pooled.periods
    partial = set(pooled.partial)
    agg_y = [None if k in partial else v for k, v in enumerate(pooled.y)]
    agg_n = None if kind == "continuous" else [None if k in partial else v for k, v in enumerate(pooled.n)]
    observed_all = [
        None if y is None or (agg_n is not None and not agg_n[k]) else (y if agg_n is None else y / agg_n[k])
        for k, y in enumerate(agg_y)
    ]
    hidden_positions = tuple(k for k, p in enumerate(periods) if not protection.shows(("month", p)))
    observed = tuple(None if k in hidden_positions else v for k, v in enumerate(observed_all))
    positions = [k for k, p in enumerate(periods) if first <= p <= last]
    at = periods.index(change) if change in periods else None
    aggregate, impact, problem = _fit(
        kind, agg_y, agg_n, at, positions[0] if positions else None, positions[-1] if positions else None
    )
    if impact is not None and not protection.shows(("network", "after")):
        aggregate, impact, problem = None, None, "hidden_network"
    average = _mean(agg_y, agg_n, [k for k, p in enumerate(periods) if p < change])
    return NetworkEffect(
        measure=measure,
        change=change,
        first=first,
        last=month_start(last),
        kind=kind,
        scale=scale,
        periods=periods,
        observed=observed,
        aggregate=aggregate,
        impact=impact,
        verdict=None if impact is None else verdict_of(impact, direction),
        problem=problem,
        teams=tuple(team_effects),
        hidden_positions=hidden_positions,
        before=None if average is None or not protection.shows(("network", "before")) else average * scale,
    )


def _model_input(series, kind: str) -> tuple[list, list | None]:
    if kind == "continuous":
        return list(series.values if not series.measure.is_ratio else series.y), None
    return list(series.numerators), list(series.denominators)
