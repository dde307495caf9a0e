"""The audit log in words: what each action, object and field is called, and which object an event
is about (the team, measure and month of a measurement, the name of a user, team or network).

Events keep their codes ("measurement.update", "user_account", "numerator"); only the page reads
them out. A code without a label here is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from learnnet.accounts import ROLE_LABELS
from learnnet.admin.organisation import SIZE_KIND_NAMES, UNIT_KIND_NAMES
from learnnet.extensions import db
from learnnet.i18n import month_name
from learnnet.models import (
    AuditEvent,
    MeasureDefinition,
    Measurement,
    Municipality,
    Network,
    Region,
    Team,
    Unit,
    User,
)

ACTIONS = {
    "login": _l("Logged in"),
    "user.create": _l("Created a user"),
    "user.set_password": _l("Set a password"),
    "user.update": _l("Changed a user"),
    "user.unlock": _l("Let a user log in again"),
    "login.unblock_address": _l("Let log-ins from an address through again"),
    "measurement.create": _l("Entered a value"),
    "measurement.update": _l("Changed a value"),
    "measurement.delete": _l("Deleted a value"),
    "measurement.restore": _l("Restored a value"),
    "measurement.import": _l("Imported values"),
    "demo.load": _l("Loaded the demo county"),
    "network.create": _l("Created a network"),
    "network.update": _l("Changed a network"),
    "network.add_facilitator": _l("Added a facilitator to a network"),
    "network.remove_facilitator": _l("Removed a facilitator from a network"),
    "measure.create": _l("Added a measure"),
    "measure.change": _l("Changed a measure"),
    "team.create": _l("Added a team"),
    "learning_session.create": _l("Added a learning session"),
    "intervention.save": _l("Saved a change tested"),
    "pdsa.save": _l("Saved a PDSA cycle"),
    "chart_settings.change": _l("Changed a chart's settings"),
    "api_token.create": _l("Created an API token"),
    "api_token.revoke": _l("Revoked an API token"),
    "region.create": _l("Added the county"),
    "municipality.create": _l("Added a municipality"),
    "municipality.update": _l("Changed a municipality"),
    "municipality.delete": _l("Removed a municipality"),
    "unit.create": _l("Added a unit"),
    "unit.update": _l("Changed a unit"),
    "unit.delete": _l("Removed a unit"),
}

OBJECTS = {
    "user_account": _l("User"),
    "measurement": _l("Value"),
    "network": _l("Network"),
    "team": _l("Team"),
    "measure_definition": _l("Measure"),
    "learning_session": _l("Learning session"),
    "intervention": _l("Change tested"),
    "pdsa_cycle": _l("PDSA cycle"),
    "chart_settings": _l("Chart"),
    "api_token": _l("API token"),
    "region": _l("County"),
    "municipality": _l("Municipality"),
    "unit": _l("Unit"),
}

FIELDS = {
    "period": _l("Month"),
    "numerator": _l("Numerator"),
    "denominator": _l("Denominator"),
    "value": _l("Value"),
    "comment": _l("Comment"),
    "version": _l("Version"),
    "deleted": _l("Deleted"),
    "name": _l("Name"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "short_name": _l("Short name"),
    "topic": _l("Topic"),
    "description": _l("Description"),
    "status": _l("Status"),
    "start_date": _l("Start"),
    "end_date": _l("End"),
    "rule_set": _l("Rules for reading the charts"),
    "language": _l("Language"),
    "measures": _l("Measures"),
    "inclusions": _l("Inclusions"),
    "exclusions": _l("Exclusions"),
    "notes": _l("Notes"),
    "unit_label": _l("Unit label"),
    "target": _l("Target"),
    "direction": _l("Direction"),
    "default_chart": _l("Chart type"),
    "network": _l("Network"),
    "unit": _l("Unit"),
    "title": _l("Title"),
    "date": _l("Date"),
    "active": _l("Can log in"),
    "facilitator": _l("Facilitator"),
    "units": _l("Works in"),
    "leads": _l("Team lead in"),
    "failed_logins_forgotten": _l("Failed log-ins forgotten"),
    "prefix": _l("Token"),
    "address": _l("Address"),
    "expires_at": _l("Works until"),
    "region": _l("County"),
    "municipality": _l("Municipality"),
    "number": _l("Municipality number"),
    "kind": _l("Kind"),
    "size": _l("Size"),
    "size_kind": _l("Size counted in"),
}

# Fields whose recorded codes have names of their own.
_VALUE_NAMES = {"role": ROLE_LABELS, "kind": UNIT_KIND_NAMES, "size_kind": SIZE_KIND_NAMES}

# Objects that have a name of their own, by the type an event records.
_NAMED = {
    "user_account": User,
    "team": Team,
    "network": Network,
    "measure_definition": MeasureDefinition,
    "region": Region,
    "municipality": Municipality,
    "unit": Unit,
}


def action_label(code: str) -> str:
    return str(ACTIONS[code]) if code in ACTIONS else code


def object_label(code: str | None) -> str:
    return str(OBJECTS[code]) if code in OBJECTS else (code or "")


def field_label(code: str) -> str:
    return str(FIELDS[code]) if code in FIELDS else code


def value_text(field: str, value: Any) -> str:
    """A recorded value as the page shows it: yes or no, a month by its name, a list as a list, a
    role or a unit's kind by its name, else as it is."""
    if value is True:
        return str(_l("yes"))
    if value is False:
        return str(_l("no"))
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and value in _VALUE_NAMES.get(field, {}):
        return str(_VALUE_NAMES[field][value])
    if field == "period" and isinstance(value, str):
        try:
            return month_name(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def subjects(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """What each event is about, in words, by (object type, id): "Borre, avd. B · Screening · mars
    2026" for a value, the name for a user, team, network or measure. Objects since deleted, and
    types without a name, are left out (the page shows the type and id)."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_id is not None:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found: dict[tuple[str, int], str] = {}
    if wanted.get("measurement"):
        rows = db.session.scalars(
            select(Measurement)
            .where(Measurement.id.in_(wanted["measurement"]))
            .options(joinedload(Measurement.team), joinedload(Measurement.measure))
        )
        for m in rows:
            measure = m.measure.short_name or m.measure.name
            found[("measurement", m.id)] = f"{m.team.name} · {measure} · {month_name(m.period)}"
    for object_type, model in _NAMED.items():
        if wanted.get(object_type):
            for obj in db.session.scalars(select(model).where(model.id.in_(wanted[object_type]))):
                found[(object_type, obj.id)] = obj.name
    return found
