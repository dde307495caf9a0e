"""What the API reads and writes: objects as JSON-ready dicts, series with their chart, saving a month.

The chart is one call, :func:`chart_of`, to the statistics package ``measures``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from learnnet import analysis, permissions
from learnnet.errors import ApiError
from learnnet.extensions import db
from learnnet.measurements import recording
from learnnet.measurements.periods import add_months, months_between, parse_period
from learnnet.measurements.values import plotted_value
from learnnet.models import MeasureDefinition, Measurement, Network, Team, User
from learnnet.models.types import MAX_INTEGER

# Ids above this are no row of ours (and would overflow PostgreSQL's integer in a query).
MAX_ID = MAX_INTEGER
MAX_COMMENT = 2000
WRITABLE = {"numerator", "denominator", "value", "comment", "version", "confirm"}


def month(period: dt.date) -> str:
    return period.strftime("%Y-%m")


def network_json(network: Network) -> dict[str, Any]:
    return {
        "id": network.id,
        "name": network.name,
        "topic": network.topic,
        "start": month(network.start_date),
        "end": month(network.end_date),
        "status": network.status,
        "rule_set": network.rule_set,
    }


def team_json(team: Team) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "network_id": team.network_id,
        "unit": team.unit.name,
        "municipality": team.unit.municipality.name,
    }


def measure_json(measure: MeasureDefinition) -> dict[str, Any]:
    return {
        "id": measure.id,
        "network_id": measure.network_id,
        "code": measure.code,
        "name": measure.name,
        "short_name": measure.short_name,
        "measure_type": measure.measure_type,
        "value_kind": measure.value_kind,
        "multiplier": measure.multiplier,
        "unit_label": measure.unit_label,
        "direction": measure.direction,
        "target": measure.target,
        "takes": "numerator_denominator" if measure.is_ratio else "value",
    }


def measurement_json(measure: MeasureDefinition, m: Measurement) -> dict[str, Any]:
    return {
        "period": month(m.period),
        "numerator": m.numerator,
        "denominator": m.denominator,
        "value": m.value,
        "comment": m.comment,
        "version": m.version,
        "deleted": m.is_deleted,
        "plotted_value": plotted_value(measure, m),
        "updated_at": m.updated_at.isoformat(),
    }


# --------------------------------------------------------------------------- lookups
def measure_of(team: Team, measure_id: int) -> MeasureDefinition:
    """The team's network's measure, or 404 (as JSON, like every error under /api/)."""
    return permissions.one_or_404(MeasureDefinition, measure_id, network_id=team.network_id)


def period_or_422(text: str) -> dt.date:
    period = parse_period(text) if len(text) == 7 else None
    if period is None:
        raise ApiError(
            422,
            "invalid",
            _("Some values cannot be saved."),
            problems=[{"field": "period", "message": _("Write the month as YYYY-MM."), "severity": "error"}],
        )
    return period


# --------------------------------------------------------------------------- series
def series(team: Team, measure: MeasureDefinition, today: dt.date) -> dict[str, Any]:
    """Every month of the network so far (and earlier months with data), with the chart."""
    saved = {
        m.period: m
        for m in db.session.scalars(
            select(Measurement).where(
                Measurement.team_id == team.id,
                Measurement.measure_id == measure.id,
                Measurement.deleted_at.is_(None),
            )
        )
    }
    network = team.network
    last = min(add_months(today.replace(day=1), -1), network.end_date.replace(day=1))
    first = min([network.start_date.replace(day=1), *saved])
    periods = months_between(first, max([last, *saved]))
    points = [
        {
            "period": month(p),
            "numerator": saved[p].numerator if p in saved else None,
            "denominator": saved[p].denominator if p in saved else None,
            "value": saved[p].value if p in saved else None,
            "plotted_value": plotted_value(measure, saved.get(p)),
            "version": saved[p].version if p in saved else None,
        }
        for p in periods
    ]
    return {
        "team": team_json(team),
        "measure": measure_json(measure),
        "points": points,
        "chart": chart_of(team, measure),
    }


def chart_of(team: Team, measure: MeasureDefinition) -> dict[str, Any]:
    """The team's chart of the measure as its page draws it (:func:`learnnet.analysis.analyse`: the
    same months, chart choice, settings and rules), with its findings (``measures.rules``).

    ``records`` are ``SpcChart.to_records()`` with each month added; for p and u charts ``y``, the
    centre line and the limits are per 1, so multiply by the measure's ``multiplier`` to plot them.
    """
    result = analysis.analyse_team_measure(team, measure)
    if result.chart is None:
        return {"available": False, "reason": result.problem}
    chart, choice, evaluation = result.chart, result.choice, result.reading.evaluation
    periods = result.series.periods
    records = [{"period": month(periods[k]), **record} for k, record in enumerate(chart.to_records())]
    findings = [
        {
            **dataclasses.asdict(f),
            "first_period": month(periods[f.first]),
            "last_period": month(periods[f.last]),
        }
        for f in evaluation
    ]
    return {
        "available": True,
        "kind": chart.kind,
        "control_kind": choice.control_kind,
        "trial_limits": choice.trial_limits,
        "warnings": list(choice.warnings),
        "multiplier": measure.multiplier if chart.kind in ("p", "pp", "u", "up") else 1.0,
        "rule_set": evaluation.rule_set,
        "variation": evaluation.variation,
        "records": records,
        "findings": findings,
    }


# --------------------------------------------------------------------------- writing
def parse_input(body: Any) -> tuple[recording.Values, int, bool]:
    """The write body's values, the version the client saw and whether warnings are confirmed."""
    if not isinstance(body, dict):
        raise ApiError(
            422,
            "invalid",
            _("Send a JSON object."),
            problems=[{"field": "body", "message": _("Send a JSON object."), "severity": "error"}],
        )
    problems = [
        {"field": key, "message": _("Unknown field."), "severity": "error"}
        for key in sorted(set(body) - WRITABLE)
    ]

    def whole(key: str, minimum: int | None = None) -> int | None:
        raw = body.get(key)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or (minimum is not None and raw < minimum):
            problems.append({"field": key, "message": _("Enter a whole number."), "severity": "error"})
            return None
        return raw

    numerator, denominator = whole("numerator"), whole("denominator")
    version = whole("version", 0) or 0
    value = body.get("value")
    if value is not None:
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError
            value = float(value)
        except (TypeError, OverflowError):
            problems.append({"field": "value", "message": _("Enter a number."), "severity": "error"})
            value = None
    comment = body.get("comment")
    if comment is None:
        comment = ""
    elif not isinstance(comment, str):
        problems.append({"field": "comment", "message": _("Write the comment as text."), "severity": "error"})
        comment = ""
    elif len(comment) > MAX_COMMENT:
        message = _("Write a comment of at most %(count)d characters.", count=MAX_COMMENT)
        problems.append({"field": "comment", "message": message, "severity": "error"})
        comment = ""
    confirm = body.get("confirm", False)
    if not isinstance(confirm, bool):
        problems.append({"field": "confirm", "message": _("Use true or false."), "severity": "error"})
        confirm = False
    if problems:
        raise ApiError(422, "invalid", _("Some values cannot be saved."), problems=problems)
    return recording.Values(numerator, denominator, value, comment), version, confirm


def save(team: Team, measure: MeasureDefinition, period: dt.date, body: Any, user: User) -> tuple[dict, int]:
    """Save one month through :func:`recording.save`; the response body and its status."""
    values, version, confirm = parse_input(body)
    if "comment" not in body:
        # A client that sends no comments (a municipality's reporting system) keeps the comment
        # written on the ward; sending "comment": "" removes it.
        current = recording.find(team, measure, period)
        if current is not None:
            values = dataclasses.replace(values, comment=current.comment)
    # Like an import, the API may send history before the network's start (baseline months).
    result = recording.save(
        team,
        measure,
        period,
        values,
        user,
        base_version=version,
        confirmed=confirm,
        earliest=recording.earliest_month(team.network),
    )
    if result.status == "invalid":
        warnings_only = all(p.severity == "warning" for p in result.problems)
        message = (
            _('Some numbers look unusual. Check them and send again with "confirm": true.')
            if warnings_only
            else _("Some values cannot be saved.")
        )
        raise ApiError(
            422,
            "invalid",
            message,
            problems=[
                {"field": p.field, "message": p.message, "severity": p.severity} for p in result.problems
            ],
        )
    if result.status == "conflict":
        current = result.measurement
        raise ApiError(
            409,
            "conflict",
            _(
                "Someone else saved this month after the version you started from. "
                "Nothing was saved; the current value is included."
            ),
            current=measurement_json(measure, current) if current is not None else None,
        )
    status = 201 if result.status == "created" else 200
    return {"status": result.status, "measurement": measurement_json(measure, result.measurement)}, status
