"""The rows of the files a team or network exports, and of the template it fills in to import."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from charts.pack import slug
from learnnet.extensions import db
from learnnet.imports.services import Scope
from learnnet.imports.tables import COLUMNS, month_text
from learnnet.measurements.periods import add_months, months_between
from learnnet.models import (
    MeasureDefinition,
    Measurement,
    Network,
)


def team_labels(network: Network) -> dict[int, str | int]:
    """How a file names each team: by name, or by number where two teams share a name."""
    names = defaultdict(list)
    for team in network.teams:
        names[team.name.strip().casefold()].append(team)
    return {t.id: (t.name if len(names[t.name.strip().casefold()]) == 1 else t.id) for t in network.teams}


def export_rows(scope: Scope) -> list[list[Any]]:
    """The scope's saved (not deleted) measurements as rows under the template's heading."""
    labels = team_labels(scope.network)
    team_ids = [t.id for t in scope.teams]
    m, d = Measurement, MeasureDefinition
    result = db.session.execute(
        select(m.team_id, d.code, m.period, m.numerator, m.denominator, m.value, m.comment)
        .join(d, d.id == m.measure_id)
        .where(m.team_id.in_(team_ids), m.deleted_at.is_(None), d.network_id == scope.network.id)
        .order_by(m.team_id, d.position, d.id, m.period)
    )
    order = {t.id: i for i, t in enumerate(scope.teams)}
    rows = sorted(result, key=lambda r: order.get(r.team_id, 0))
    body = [
        [
            labels[r.team_id],
            r.code,
            month_text(r.period),
            r.numerator,
            r.denominator,
            r.value,
            r.comment or None,
        ]
        for r in rows
    ]
    return [list(COLUMNS), *body]


def template_rows(scope: Scope, today: dt.date) -> list[list[Any]]:
    """The heading and a row to fill in for each team, measure and month of the network so far."""
    network = scope.network
    last = min(add_months(today.replace(day=1), -1), network.end_date.replace(day=1))
    months = months_between(network.start_date, last) or [network.start_date.replace(day=1)]
    labels = team_labels(network)
    body = [
        [labels[team.id], measure.code, month_text(month), None, None, None, None]
        for team in scope.teams
        for measure in network.measures
        for month in months
    ]
    return [list(COLUMNS), *body]


def reference_sheets(scope: Scope) -> list[tuple[str, list[list[Any]]]]:
    """Sheets that explain the template: the network's teams and its measures."""
    teams = [[str(_l("Number")), str(_l("Team"))]] + [[t.id, t.name] for t in scope.teams]
    measures = [[str(_l("Code")), str(_l("Measure")), str(_l("Fill in"))]] + [
        [m.code, m.name, str(_l("numerator and denominator")) if m.is_ratio else str(_l("value"))]
        for m in scope.network.measures
    ]
    return [(str(_l("Teams")), teams), (str(_l("Measures")), measures)]


def file_stem(scope: Scope, today: dt.date) -> str:
    return f"{slug(scope.name)}-{today.isoformat()}"
