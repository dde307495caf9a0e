"""A team's measure as a series, analysed by ``measures``: the bridge from the database to the charts.

Views, packs and the API all get a chart's numbers from :func:`analyse`, so the chart a team sees,
the one in the session pack and the one the API returns are the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from learnnet import clock
from learnnet.extensions import db
from learnnet.models import ChartSettings, Intervention, MeasureDefinition, Measurement, Team
from learnnet.periods import add_months, months_between
from measures.choice import ChartChoice, choose_chart
from measures.errors import MeasureInputError
from measures.reading import Reading, read_chart
from measures.spc import SpcChart, compute

# Months before the network's start that a chart shows as baseline, when the team has them.
BASELINE_MONTHS = 24


@dataclass(frozen=True)
class Series:
    """One team's monthly values of one measure, a slot per month (None where nothing is entered)."""

    team: Team
    measure: MeasureDefinition
    periods: tuple[dt.date, ...]
    numerators: tuple[float | None, ...]
    denominators: tuple[float | None, ...]
    values: tuple[float | None, ...]

    @property
    def y(self) -> list[float | None]:
        return list(self.numerators if self.measure.is_ratio else self.values)

    @property
    def n(self) -> list[float | None] | None:
        return list(self.denominators) if self.measure.is_ratio else None

    def index(self, period: dt.date | None) -> int | None:
        if period is None:
            return None
        period = period.replace(day=1)
        return self.periods.index(period) if period in self.periods else None


@dataclass(frozen=True)
class Analysis:
    series: Series
    settings: ChartSettings | None
    choice: ChartChoice | None
    chart: SpcChart | None
    reading: Reading | None
    # Multiply the chart's numbers by this to get the scale the measure is shown on (% or per 1,000).
    scale: float
    # The target on the chart's own scale.
    target: float | None
    phase_labels: tuple[str, ...]
    interventions: tuple[Intervention, ...]
    problem: str | None = None


def load_series(team: Team, measure: MeasureDefinition, until: dt.date | None = None) -> Series:
    """The series from the first entered month (at most BASELINE_MONTHS before the network) on.

    It ends at ``until``, or last month, or the network's end, whichever comes first.
    """
    network = team.network
    today_last = add_months(clock.this_month(), -1)
    last = min(network.end_date.replace(day=1), (until or today_last).replace(day=1), today_last)
    earliest = add_months(network.start_date.replace(day=1), -BASELINE_MONTHS)
    rows = db.session.scalars(
        select(Measurement)
        .where(
            Measurement.team_id == team.id,
            Measurement.measure_id == measure.id,
            Measurement.deleted_at.is_(None),
            Measurement.period.between(earliest, last),
        )
        .order_by(Measurement.period)
    ).all()
    first = (
        min([rows[0].period, network.start_date.replace(day=1)])
        if rows
        else network.start_date.replace(day=1)
    )
    periods = tuple(months_between(first, last))
    by_period = {m.period: m for m in rows}
    return Series(
        team=team,
        measure=measure,
        periods=periods,
        numerators=tuple(_get(by_period, p, "numerator") for p in periods),
        denominators=tuple(_get(by_period, p, "denominator") for p in periods),
        values=tuple(_get(by_period, p, "value") for p in periods),
    )


def _get(by_period: dict, period: dt.date, name: str) -> float | None:
    m = by_period.get(period)
    value = None if m is None else getattr(m, name)
    return None if value is None else float(value)


def chart_settings(team: Team, measure: MeasureDefinition) -> ChartSettings | None:
    return db.session.scalar(
        select(ChartSettings).where(ChartSettings.team_id == team.id, ChartSettings.measure_id == measure.id)
    )


def scale_of(measure: MeasureDefinition) -> float:
    """Proportions and rates are computed per 1 and shown per ``multiplier``."""
    return measure.multiplier if measure.is_ratio else 1.0


def analyse(
    series: Series, settings: ChartSettings | None = None, *, rule_set: str | None = None
) -> Analysis:
    """Choose the chart, compute it with the team's settings, and read it."""
    measure, team = series.measure, series.team
    scale = scale_of(measure)
    target = None if measure.target is None else measure.target / scale
    phase_starts = []
    phase_labels = []
    if settings is not None:
        for phase in settings.phases:
            k = series.index(phase.start_period)
            if k is not None and 0 < k < len(series.periods):
                phase_starts.append(k)
                phase_labels.append(phase.label)
    freeze = None
    exclude = []
    if settings is not None:
        k = series.index(settings.freeze_period)
        freeze = None if k is None else k + 1
        exclude = [k for k in (series.index(e.period) for e in settings.exclusions) if k is not None]
    interventions = tuple(
        i for i in team.interventions if series.periods and i.start_date.replace(day=1) in series.periods
    )
    base = dict(series=series, settings=settings, scale=scale, target=target, interventions=interventions)
    if not series.periods or all(v is None for v in series.y):
        return Analysis(choice=None, chart=None, reading=None, phase_labels=(), problem="no_data", **base)
    try:
        first_phase_end = phase_starts[0] if phase_starts else len(series.periods)
        baseline_end = min(first_phase_end, freeze or len(series.periods))
        y, n = series.y, series.n
        choice = choose_chart(
            measure.value_kind,
            y[:baseline_end],
            None if n is None else n[:baseline_end],
            override=(settings.chart_kind if settings else None) or measure.default_chart,
        )
        chart = compute(
            choice.kind,
            y,
            n,
            freeze=freeze if not phase_starts else None,
            phases=phase_starts or None,
            exclude=exclude or None,
        )
        reading = read_chart(
            chart,
            rule_set or team.network.rule_set,
            measure.direction,
            target=target if chart.kind not in ("run", "mr", "s") else None,
        )
    except MeasureInputError as error:
        return Analysis(choice=None, chart=None, reading=None, phase_labels=(), problem=error.problem, **base)
    labels = ("",) + tuple(phase_labels) if phase_starts else ("",)
    return Analysis(choice=choice, chart=chart, reading=reading, phase_labels=labels, **base)


def analyse_team_measure(team: Team, measure: MeasureDefinition, until: dt.date | None = None) -> Analysis:
    return analyse(load_series(team, measure, until), chart_settings(team, measure))
