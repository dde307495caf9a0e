"""What a team has entered and what is still due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from learnnet.extensions import db
from learnnet.measurements import recording
from learnnet.measurements.periods import add_months, default_entry_period, month_start, months_between
from learnnet.measurements.values import plotted_value
from learnnet.models import MeasureDefinition, Measurement, MeasurementHistory, Network, Team, User

# The months before a network's start that the entry page always offers (the baseline).
BASELINE_ENTRY_MONTHS = 12


@dataclass(frozen=True)
class MeasureStatus:
    measure: MeasureDefinition
    due: SavedMonth | None
    recent: list[tuple[dt.date, float | None]]

    @property
    def entered(self) -> bool:
        return self.due is not None

    @property
    def value(self) -> float | None:
        """The due month's value as charted (a percentage or rate for a ratio), like ``recent``."""
        return plotted_value(self.measure, self.due)


@dataclass(frozen=True)
class SavedMonth:
    """A live measurement as the team and entry pages show it: a plain row, cheap to read by the
    hundred (see :func:`learnnet.measurements.values.plotted_value`)."""

    team_id: int
    measure_id: int
    period: dt.date
    numerator: int | None
    denominator: int | None
    value: float | None

    is_deleted = False


def measurements_by_key(
    team_ids: list[int], first: dt.date, last: dt.date
) -> dict[tuple[int, int, dt.date], SavedMonth]:
    """Live (not deleted) measurements of these teams from ``first`` to ``last``, by key."""
    if not team_ids:
        return {}
    m = Measurement
    rows = db.session.execute(
        select(m.team_id, m.measure_id, m.period, m.numerator, m.denominator, m.value).where(
            m.team_id.in_(team_ids), m.period.between(first, last), m.deleted_at.is_(None)
        )
    )
    return {(r.team_id, r.measure_id, r.period): SavedMonth(*r) for r in rows}


def due_period(team: Team, today: dt.date) -> dt.date:
    """The month whose numbers the team's page shows as due: last month, or the network's last
    month once the network has ended."""
    return min(default_entry_period(today), month_start(team.network.end_date))


def team_status(team: Team, period: dt.date, months_back: int = 6) -> list[MeasureStatus]:
    """Each measure of the team's network: this period's value, and the months before it."""
    first = add_months(period, -months_back)
    found = measurements_by_key([team.id], first, period)
    months = months_between(first, add_months(period, -1))
    statuses = []
    for measure in team.network.measures:
        recent = [
            (month, plotted_value(measure, found.get((team.id, measure.id, month)))) for month in months
        ]
        statuses.append(MeasureStatus(measure, found.get((team.id, measure.id, period)), recent))
    return statuses


def completeness(teams: list[Team], periods: list[dt.date]) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """For each (team, period): how many of the network's measures are entered, and how many due."""
    if not teams or not periods:
        return {}
    m = Measurement
    counted = db.session.execute(
        select(m.team_id, m.period, func.count())
        .where(
            m.team_id.in_([t.id for t in teams]),
            m.period.between(min(periods), max(periods)),
            m.deleted_at.is_(None),
        )
        .group_by(m.team_id, m.period)
    )
    entered = {(team_id, period): count for team_id, period, count in counted}
    return {
        (team.id, period): (entered.get((team.id, period), 0), len(team.network.measures))
        for team in teams
        for period in periods
    }


def is_complete(counts: tuple[int, int]) -> bool:
    entered, due = counts
    return entered >= due


def complete_teams_per_network(networks: list[Network], period: dt.date) -> dict[int, int]:
    """How many teams of each network have entered every measure for ``period``."""
    teams = [team for network in networks for team in network.teams]
    done = completeness(teams, [period])
    return {
        network.id: sum(1 for team in network.teams if is_complete(done[(team.id, period)]))
        for network in networks
    }


@dataclass(frozen=True)
class RowInput:
    """One measure's fields as the user sent them."""

    measure: MeasureDefinition
    values: recording.Values
    base_version: int


@dataclass(frozen=True)
class MonthSave:
    saved: int
    problems: dict[int, list[recording.Problem]]
    conflicts: dict[int, Measurement]
    # Measures whose fields were emptied although a value is saved: the value is kept.
    emptied: tuple[MeasureDefinition, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.problems) and all(
            p.severity == "warning" for problems in self.problems.values() for p in problems
        )


def save_month(
    team: Team,
    period: dt.date,
    rows: list[RowInput],
    user: User,
    *,
    confirmed: bool,
    earliest: dt.date | None = None,
    saved: dict[int, Measurement],
) -> MonthSave:
    """Save every filled row for ``period`` together, or none of them; ``saved`` is the month's
    measurements as the page read them (see :func:`month_measurements`).

    Blank rows are left as they are (blanking a field never deletes a value; deleting is its own
    action). When any row has a problem or a conflict, nothing is saved. ``earliest`` allows
    months before the network's start (see :func:`recording.check`).
    """
    problems: dict[int, list[recording.Problem]] = {}
    conflicted: list[MeasureDefinition] = []
    changes: list[recording.Change] = []
    for row in rows:
        if row.values.is_blank:
            if row.values.comment:
                problems[row.measure.id] = [
                    recording.Problem("comment", str(_l("Enter the numbers that the comment belongs to.")))
                ]
            continue
        change = recording.prepare(
            team,
            row.measure,
            period,
            row.values,
            base_version=row.base_version,
            confirmed=confirmed,
            earliest=earliest,
        )
        if isinstance(change, recording.Change):
            changes.append(change)
        elif change.status == "invalid":
            problems[row.measure.id] = list(change.problems)
        elif change.status == "conflict":
            conflicted.append(row.measure)
    if not problems and not conflicted:
        # Read before the write, which leaves the month's loaded rows to be read again.
        emptied = tuple(
            row.measure
            for row in rows
            if row.values.is_blank and (kept := saved.get(row.measure.id)) is not None and not kept.is_deleted
        )
        try:
            recording.save_many(changes, user)
            return MonthSave(len(changes), {}, {}, emptied)
        except recording.LostRace:
            # Someone saved one of the months since they were read: find which, to show both.
            conflicted = [
                row.measure
                for row in rows
                if not row.values.is_blank
                and (found := recording.find(team, row.measure, period)) is not None
                and found.version != (row.base_version or 0)
            ]
    conflicts = {m.id: recording.find(team, m, period) for m in conflicted}
    return MonthSave(0, problems, conflicts)


def check_month(
    team: Team, period: dt.date, rows: list[RowInput], saved: dict[int, Measurement]
) -> dict[int, list[recording.Problem]]:
    """The errors of each filled row that is not as saved (a numerator above its denominator),
    without saving anything: shown with the errors of fields that are not numbers, so that the
    user corrects everything in one round."""
    problems = {}
    for row in rows:
        if row.values.is_blank or recording.as_saved(saved.get(row.measure.id), row.values):
            continue
        errors = [
            p
            for p in recording.check(team, row.measure, period, row.values, history=())
            if p.severity == "error"
        ]
        if errors:
            problems[row.measure.id] = errors
    return problems


def month_measurements(team: Team, period: dt.date) -> dict[int, Measurement]:
    """This month's measurements of the team by measure, deleted ones included, with their history
    (the entry page shows it)."""
    rows = db.session.scalars(
        select(Measurement)
        .where(Measurement.team_id == team.id, Measurement.period == period)
        .options(selectinload(Measurement.history).selectinload(MeasurementHistory.changed_by))
    )
    return {m.measure_id: m for m in rows}


def entry_periods(team: Team, today: dt.date) -> list[dt.date]:
    """The months a team can enter: the network's months up to last month, newest first."""
    last = min(add_months(today.replace(day=1), -1), team.network.end_date.replace(day=1))
    return list(reversed(months_between(team.network.start_date, last)))


def baseline_periods(team: Team, today: dt.date) -> list[dt.date]:
    """The months before the network's start that a team can enter, newest first: the
    BASELINE_ENTRY_MONTHS before the start (a team measures its starting point), and earlier
    months back to the first one it has numbers for (imported history), so those can be
    corrected too; never before :func:`recording.earliest_month`, never this month or later."""
    start = team.network.start_date.replace(day=1)
    last = min(add_months(start, -1), add_months(today.replace(day=1), -1))
    first_saved = db.session.scalar(
        select(func.min(Measurement.period)).where(Measurement.team_id == team.id, Measurement.period < start)
    )
    first = min(add_months(start, -BASELINE_ENTRY_MONTHS), first_saved or start)
    return list(reversed(months_between(max(first, recording.earliest_month(team.network)), last)))


def missing_months(team: Team, today: dt.date) -> list[tuple[dt.date, int]]:
    """Months of the network so far where some measures are not entered, newest first."""
    periods = entry_periods(team, today)
    if not periods:
        return []
    done = completeness([team], periods)
    return [
        (period, due - entered)
        for period in periods
        for entered, due in [done[(team.id, period)]]
        if entered < due
    ]


def measures_with_data(team: Team) -> set[int]:
    """The measures this team has entered at least one live value for."""
    return set(
        db.session.scalars(
            select(Measurement.measure_id)
            .where(Measurement.team_id == team.id, Measurement.deleted_at.is_(None))
            .distinct()
        )
    )
