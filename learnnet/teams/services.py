"""What a team has entered and what is still due."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from learnnet.extensions import db
from learnnet.models import MeasureDefinition, Measurement, Network, Team
from learnnet.periods import add_months, months_between
from learnnet.values import plotted_value


@dataclass(frozen=True)
class MeasureStatus:
    measure: MeasureDefinition
    due: Measurement | None
    recent: list[tuple[dt.date, float | None]]

    @property
    def entered(self) -> bool:
        return self.due is not None


def measurements_by_key(
    team_ids: list[int], first: dt.date, last: dt.date
) -> dict[tuple[int, int, dt.date], Measurement]:
    """Live (not deleted) measurements of these teams from ``first`` to ``last``, by key."""
    if not team_ids:
        return {}
    rows = db.session.scalars(
        select(Measurement).where(
            Measurement.team_id.in_(team_ids),
            Measurement.period.between(first, last),
            Measurement.deleted_at.is_(None),
        )
    )
    return {(m.team_id, m.measure_id, m.period): m for m in rows}


def team_status(team: Team, period: dt.date, months_back: int = 6) -> list[MeasureStatus]:
    """Each measure of the team's network: this period's value, and the months before it."""
    first = add_months(period, -months_back)
    found = measurements_by_key([team.id], first, period)
    months = months_between(first, add_months(period, -1))
    statuses = []
    for measure in team.network.measures:
        recent = [
            (month, plotted_value(measure, found.get((team.id, measure.id, month))))
            for month in months
        ]
        statuses.append(MeasureStatus(measure, found.get((team.id, measure.id, period)), recent))
    return statuses


def completeness(teams: list[Team], periods: list[dt.date]) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """For each (team, period): how many of the network's measures are entered, and how many due."""
    if not teams or not periods:
        return {}
    found = measurements_by_key([t.id for t in teams], min(periods), max(periods))
    entered: dict[tuple[int, dt.date], int] = {}
    for team_id, _measure_id, period in found:
        entered[(team_id, period)] = entered.get((team_id, period), 0) + 1
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


def in_network_period(team: Team, period: dt.date) -> bool:
    network = team.network
    return network.start_date.replace(day=1) <= period <= network.end_date
