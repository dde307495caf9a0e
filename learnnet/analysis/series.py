"""A team's measure as a series, analysed by ``measures``: the bridge from the database to the charts.

Views, packs and the API all get a chart's numbers from :func:`analyse`, so the chart a team sees,
the one in the session pack and the one the API returns are the same.

:func:`analyse_team_measure` keeps what it computed in the worker, by everything it was computed
from: the series' version (raised by every change of one of its months, see
:func:`learnnet.measurements.recording.save_many`), its months, the measure's definition, the network's rule
set and the chart's settings. A dashboard opened again after one team's save computes that team's
cells again and takes the others as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnnet import clock
from learnnet.extensions import db
from learnnet.kept import Kept
from learnnet.measurements.periods import add_months, months_between
from learnnet.models import (
    ChartSettings,
    Intervention,
    MeasureDefinition,
    Measurement,
    Network,
    SeriesVersion,
    Team,
)
from measures.choice import ChartChoice, choose_chart
from measures.errors import MeasureInputError
from measures.network import pool
from measures.reading import Reading, read_chart
from measures.spc import MDC_AMR_FACTOR, SpcChart, compute

# Months before the network's start that a chart shows as baseline, when the team has them.
BASELINE_MONTHS = 24


@dataclass(frozen=True)
class Series:
    """One team's monthly values of one measure, a slot per month (None where nothing is entered);
    or, with ``team`` None, the network's teams pooled (:func:`load_network_series`)."""

    team: Team | None
    measure: MeasureDefinition
    periods: tuple[dt.date, ...]
    numerators: tuple[float | None, ...]
    denominators: tuple[float | None, ...]
    values: tuple[float | None, ...]
    # A pooled series: how many teams each month holds, of the ``team_count`` teams pooled.
    teams_per_month: tuple[int, ...] | None = None
    team_count: int = 0

    @property
    def network(self) -> Network:
        return self.measure.network

    @property
    def partial(self) -> tuple[int, ...]:
        """The positions of a pooled series' months that hold some of its teams but not all:
        left out of the calculation and drawn hollow, so that a month a team has not yet entered
        does not read as a change."""
        if self.teams_per_month is None:
            return ()
        return tuple(k for k, held in enumerate(self.teams_per_month) if 0 < held < self.team_count)

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
    last = last_period(network, until)
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


def last_period(network: Network, until: dt.date | None = None) -> dt.date:
    """A series' last month: ``until``, or last month, or the network's last month, whichever comes first."""
    today_last = add_months(clock.this_month(), -1)
    return min(network.end_date.replace(day=1), (until or today_last).replace(day=1), today_last)


def _get(by_period: dict, period: dt.date, name: str) -> float | None:
    m = by_period.get(period)
    value = None if m is None else getattr(m, name)
    return None if value is None else float(value)


def chart_settings(team: Team, measure: MeasureDefinition) -> ChartSettings | None:
    return db.session.scalar(
        select(ChartSettings).where(ChartSettings.team_id == team.id, ChartSettings.measure_id == measure.id)
    )


def all_chart_settings(
    team_ids: Iterable[int], measure_ids: Iterable[int]
) -> dict[tuple[int, int], ChartSettings]:
    """The chart settings of these teams' measures, with their phases and exclusions, in a few queries."""
    team_ids, measure_ids = set(team_ids), set(measure_ids)
    if not team_ids or not measure_ids:
        return {}
    found = db.session.scalars(
        select(ChartSettings)
        .where(ChartSettings.team_id.in_(team_ids), ChartSettings.measure_id.in_(measure_ids))
        .options(selectinload(ChartSettings.phases), selectinload(ChartSettings.exclusions))
    )
    return {(s.team_id, s.measure_id): s for s in found}


def scale_of(measure: MeasureDefinition) -> float:
    """Proportions and rates are computed per 1 and shown per ``multiplier``."""
    return measure.multiplier if measure.is_ratio else 1.0


def analyse(
    series: Series, settings: ChartSettings | None = None, *, rule_set: str | None = None
) -> Analysis:
    """Choose the chart, compute it with the team's settings, and read it (a pooled series' months
    that do not hold every team are left out of the calculation)."""
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
    exclude = sorted(set(exclude) | set(series.partial))
    interventions = _interventions(team, series.periods)
    base = dict(series=series, settings=settings, scale=scale, target=target, interventions=interventions)
    if not series.periods or all(v is None for v in series.y):
        return Analysis(choice=None, chart=None, reading=None, phase_labels=(), problem="no_data", **base)
    rule_set = rule_set or series.network.rule_set
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
            # Making Data Count draws its limits at 2.66 average moving ranges.
            amr_factor=MDC_AMR_FACTOR if rule_set == "mdc" else None,
        )
        reading = read_chart(
            chart,
            rule_set,
            measure.direction,
            target=target if chart.kind not in ("run", "mr", "s") else None,
            limits_too_narrow="limits_too_narrow" in choice.warnings and chart.kind == choice.control_kind,
        )
    except MeasureInputError as error:
        return Analysis(choice=None, chart=None, reading=None, phase_labels=(), problem=error.problem, **base)
    labels = ("",) + tuple(phase_labels) if phase_starts else ("",)
    return Analysis(choice=choice, chart=chart, reading=reading, phase_labels=labels, **base)


def _interventions(team: Team | None, periods: tuple[dt.date, ...]) -> tuple[Intervention, ...]:
    if team is None:
        return ()
    return tuple(i for i in team.interventions if periods and i.start_date.replace(day=1) in periods)


@dataclass(frozen=True)
class _Computed:
    """What an analysis computed, without the database objects it was computed for."""

    periods: tuple[dt.date, ...]
    numerators: tuple[float | None, ...]
    denominators: tuple[float | None, ...]
    values: tuple[float | None, ...]
    choice: ChartChoice | None
    chart: SpcChart | None
    reading: Reading | None
    phase_labels: tuple[str, ...]
    problem: str | None
    teams_per_month: tuple[int, ...] | None = None
    team_count: int = 0

    @classmethod
    def of(cls, analysis: Analysis) -> _Computed:
        s = analysis.series
        return cls(
            s.periods,
            s.numerators,
            s.denominators,
            s.values,
            analysis.choice,
            analysis.chart,
            analysis.reading,
            analysis.phase_labels,
            analysis.problem,
            s.teams_per_month,
            s.team_count,
        )

    def analysis(
        self, team: Team | None, measure: MeasureDefinition, settings: ChartSettings | None
    ) -> Analysis:
        scale = scale_of(measure)
        series = Series(
            team,
            measure,
            self.periods,
            self.numerators,
            self.denominators,
            self.values,
            self.teams_per_month,
            self.team_count,
        )
        return Analysis(
            series=series,
            settings=settings,
            choice=self.choice,
            chart=self.chart,
            reading=self.reading,
            scale=scale,
            target=None if measure.target is None else measure.target / scale,
            phase_labels=self.phase_labels,
            interventions=_interventions(team, self.periods),
            problem=self.problem,
        )


# At most this many analyses per worker (a chart's numbers: some kilobytes each).
_computed = Kept(4096)
_UNSET = object()


def series_versions(team_ids: Iterable[int], measure_ids: Iterable[int]) -> dict[tuple[int, int], tuple]:
    """The state of each (team, measure) series that has ever changed: when it first changed and its
    version. A series missing here never changed."""
    team_ids, measure_ids = set(team_ids), set(measure_ids)
    if not team_ids or not measure_ids:
        return {}
    rows = db.session.execute(
        select(
            SeriesVersion.team_id, SeriesVersion.measure_id, SeriesVersion.started_at, SeriesVersion.version
        ).where(SeriesVersion.team_id.in_(team_ids), SeriesVersion.measure_id.in_(measure_ids))
    )
    return {(t, m): (started, v) for t, m, started, v in rows}


def analysis_key(
    team: Team,
    measure: MeasureDefinition,
    until: dt.date | None,
    settings: ChartSettings | None,
    version: tuple,
) -> tuple:
    """Everything an analysis is computed from: a change to any of it is a new key."""
    network = team.network
    chart = None
    if settings is not None:
        chart = (
            settings.chart_kind,
            settings.freeze_period,
            tuple((p.start_period, p.label) for p in settings.phases),
            tuple(e.period for e in settings.exclusions),
        )
    return (
        team.id,
        measure.id,
        version,
        network.start_date,
        last_period(network, until),
        network.rule_set,
        _definition(measure),
        chart,
    )


def _definition(measure: MeasureDefinition) -> tuple:
    """What of a measure's definition its charts are computed from."""
    return (
        measure.value_kind,
        measure.direction,
        measure.target,
        measure.multiplier,
        measure.default_chart,
    )


def analyse_team_measure(
    team: Team,
    measure: MeasureDefinition,
    until: dt.date | None = None,
    *,
    settings: ChartSettings | None | object = _UNSET,
    version: tuple | None = None,
) -> Analysis:
    """The team's chart of the measure, as kept in this worker or computed now.

    ``settings`` and ``version`` (the series' state from :func:`series_versions`, ``()`` for one
    that never changed) are read when not given; a page of many charts reads them all at once.
    """
    if settings is _UNSET:
        settings = chart_settings(team, measure)
    if version is None:
        version = series_versions([team.id], [measure.id]).get((team.id, measure.id), ())
    key = analysis_key(team, measure, until, settings, version)
    kept = _computed.get(key)
    if kept is not None:
        return kept.analysis(team, measure, settings)
    analysis = analyse(load_series(team, measure, until), settings)
    _computed.put(key, _Computed.of(analysis))
    return analysis


def analyse_all(
    teams: Sequence[Team], measures: Sequence[MeasureDefinition], until: dt.date | None = None
) -> dict[tuple[int, int], Analysis]:
    """Every team's chart of every measure, by (team id, measure id): what each is computed from
    is read for all at once, and only the series that changed are computed again."""
    team_ids, measure_ids = [t.id for t in teams], [m.id for m in measures]
    versions = series_versions(team_ids, measure_ids)
    settings = all_chart_settings(team_ids, measure_ids)
    return {
        (team.id, measure.id): analyse_team_measure(
            team,
            measure,
            until,
            settings=settings.get((team.id, measure.id)),
            version=versions.get((team.id, measure.id), ()),
        )
        for team in teams
        for measure in measures
    }


# --- the network as one ------------------------------------------------------------------------


def load_network_series(
    network: Network,
    measure: MeasureDefinition,
    until: dt.date | None = None,
    *,
    hidden: Iterable[dt.date] = (),
) -> Series:
    """The network's teams pooled month by month (:func:`measures.network.pool`: numerators and
    denominators summed for proportions and rates, counts summed, other values averaged).

    The teams pooled are those that have entered the measure; the series runs from the network's
    start (and the months before it that hold every one of those teams) to :func:`last_period`.
    A month in ``hidden`` is left blank (a viewer may not see it, see the network's services).
    """
    last = last_period(network, until)
    start = network.start_date.replace(day=1)
    earliest = add_months(start, -BASELINE_MONTHS)
    team_ids = [t.id for t in network.teams]
    rows = db.session.execute(
        select(
            Measurement.team_id,
            Measurement.period,
            Measurement.numerator,
            Measurement.denominator,
            Measurement.value,
        ).where(
            Measurement.team_id.in_(team_ids),
            Measurement.measure_id == measure.id,
            Measurement.deleted_at.is_(None),
            Measurement.period.between(earliest, last),
        )
    ).all()
    entered: dict[int, dict[dt.date, tuple]] = {}
    for team_id, period, numerator, denominator, value in rows:
        entered.setdefault(team_id, {})[period] = tuple(
            None if v is None else float(v) for v in (numerator, denominator, value)
        )
    periods = list(months_between(earliest, last))
    ratio = measure.is_ratio
    teams = sorted(entered)
    ys = [[_slot(entered[t].get(p), ratio)[0] for p in periods] for t in teams]
    ns = [[_slot(entered[t].get(p), ratio)[1] for p in periods] for t in teams] if ratio else None
    if not teams:
        ys, ns = [[None] * len(periods)], ([[None] * len(periods)] if ratio else None)
    pooled = pool(measure.value_kind, ys, ns)
    # Months before the start only while they hold every team, so the baseline is the network's.
    first = periods.index(start) if start in periods else len(periods)
    while first > 0 and pooled.teams[first - 1] == len(teams):
        first -= 1
    hidden = {p.replace(day=1) for p in hidden}
    keep = range(first, len(periods))
    y = tuple(None if periods[k] in hidden else pooled.y[k] for k in keep)
    n = tuple(None if periods[k] in hidden else pooled.n[k] for k in keep) if ratio else None
    empty = tuple(None for _ in keep)
    return Series(
        team=None,
        measure=measure,
        periods=tuple(periods[k] for k in keep),
        numerators=y if ratio else empty,
        denominators=n if ratio else empty,
        values=empty if ratio else y,
        teams_per_month=tuple(pooled.teams[k] for k in keep),
        team_count=len(teams),
    )


def _slot(entered: tuple | None, ratio: bool) -> tuple[float | None, float | None]:
    if entered is None:
        return None, None
    numerator, denominator, value = entered
    return (numerator, denominator) if ratio else (value, None)


def analyse_network_measure(
    network: Network,
    measure: MeasureDefinition,
    until: dt.date | None = None,
    *,
    hidden: Iterable[dt.date] = (),
    versions: dict[tuple[int, int], tuple] | None = None,
) -> Analysis:
    """The network's pooled chart of the measure, with the network's rule set and the measure's
    chart kind and direction, as a team's chart is computed (:func:`analyse`; no team's chart
    settings apply). Kept in this worker by every team's series version, as a team's chart is.

    ``versions`` (from :func:`series_versions`) are read when not given.
    """
    team_ids = sorted(t.id for t in network.teams)
    if versions is None:
        versions = series_versions(team_ids, [measure.id])
    hidden = tuple(sorted({p.replace(day=1) for p in hidden}))
    key = (
        "network",
        network.id,
        measure.id,
        tuple((t, versions.get((t, measure.id), ())) for t in team_ids),
        network.start_date,
        last_period(network, until),
        network.rule_set,
        _definition(measure),
        hidden,
    )
    kept = _computed.get(key)
    if kept is not None:
        return kept.analysis(None, measure, None)
    analysis = analyse(load_network_series(network, measure, until, hidden=hidden))
    _computed.put(key, _Computed.of(analysis))
    return analysis
