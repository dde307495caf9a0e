"""Every route × every role × own or another team: the expected answer.

The matrix is built from the app's URL map: a route without an entry in ACCESS fails the test, so
a new route cannot ship without deciding who may reach it.
"""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from learnnet.models import ChartExclusion, ChartPhase, ChartSettings, MeasurementHistory, PdsaCycle
from tests.learnnet import factories as f

ROLES = ("anonymous", "admin", "centre", "facilitator", "team_member", "viewer")
SCOPES = ("own", "other")

# Who may: for each kind of access, the roles allowed on the member's own team (or its network)
# and on a team of another network that nobody but the centre may reach.
KINDS = {
    "public": {"own": set(ROLES), "other": set(ROLES)},
    "user": {"own": set(ROLES) - {"anonymous"}, "other": set(ROLES) - {"anonymous"}},
    "view_team": {"own": {"admin", "centre", "facilitator", "team_member"}, "other": {"admin", "centre"}},
    "edit_team": {"own": {"admin", "facilitator", "team_member"}, "other": {"admin"}},
    "chart_settings": {"own": {"admin", "facilitator"}, "other": {"admin"}},
    "view_network": {"own": {"admin", "centre", "facilitator"}, "other": {"admin", "centre"}},
    "county": {"own": {"admin", "centre", "viewer"}, "other": {"admin", "centre", "viewer"}},
}

# Every route of the app, by its rule, with its kind of access. Static files are left out.
ACCESS = {
    "/": "public",
    "/login": "public",
    "/logout": "user",
    "/language": "public",
    "/healthz": "public",
    "/readyz": "public",
    "/my-teams": "user",
    "/networks/": "user",
    "/networks/<int:network_id>": "view_network",
    "/county/": "county",
    "/teams/<int:team_id>": "view_team",
    "/teams/<int:team_id>/entry": "edit_team",
    "/teams/<int:team_id>/interventions": "view_team",
    "/teams/<int:team_id>/interventions/new": "edit_team",
    "/teams/<int:team_id>/interventions/<int:intervention_id>/edit": "edit_team",
    "/teams/<int:team_id>/interventions/<int:intervention_id>/cycles/new": "edit_team",
    "/teams/<int:team_id>/interventions/<int:intervention_id>/cycles/<int:cycle_id>/edit": "edit_team",
    "/teams/<int:team_id>/measurements/<int:measurement_id>/delete": "edit_team",
    "/teams/<int:team_id>/measurements/<int:measurement_id>/restore/<int:history_id>": "edit_team",
    "/teams/<int:team_id>/measures/<int:measure_id>": "view_team",
    "/teams/<int:team_id>/measures/<int:measure_id>/chart.<fmt>": "view_team",
    "/teams/<int:team_id>/measures/<int:measure_id>/settings": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/phases": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/phases/<int:phase_id>/delete": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/exclusions": "chart_settings",
    "/teams/<int:team_id>/measures/<int:measure_id>/exclusions/<int:exclusion_id>/delete": "chart_settings",
}

SKIP_ENDPOINTS = {"static", "bootstrap.static"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method


def test_every_route_has_an_entry(app):
    missing = sorted({rule for rule, _method in _routes(app)} - set(ACCESS))
    assert not missing, f"add these routes to ACCESS with who may reach them: {missing}"
    stale = sorted(set(ACCESS) - {rule for rule, _method in _routes(app)})
    assert not stale, f"ACCESS names routes that no longer exist: {stale}"


def _objects(db_session, team, measure, user):
    periods = [dt.date(2025, month, 1) for month in (1, 2, 3, 4)]
    measurements = [
        f.MeasurementFactory(team=team, measure=measure, period=p, numerator=5 + k, denominator=16)
        for k, p in enumerate(periods)
    ]
    db_session.flush()
    history = MeasurementHistory(measurement=measurements[0], action="create", version=1, numerator=5,
                                 denominator=16, changed_by_id=user.id)
    db_session.add(history)
    intervention = f.InterventionFactory(team=team)
    cycle = PdsaCycle(intervention=intervention, number=1, start_date=dt.date(2025, 6, 1))
    settings = ChartSettings(team_id=team.id, measure_id=measure.id)
    settings.phases.append(ChartPhase(start_period=dt.date(2025, 3, 1), label="Ny rutine"))
    settings.exclusions.append(ChartExclusion(period=dt.date(2025, 2, 1), reason="Telling endret"))
    db_session.add_all([cycle, settings])
    db_session.flush()
    return {
        "team_id": team.id,
        "network_id": team.network_id,
        "measure_id": measure.id,
        "measurement_id": measurements[0].id,
        "history_id": history.id,
        "intervention_id": intervention.id,
        "cycle_id": cycle.id,
        "phase_id": settings.phases[0].id,
        "exclusion_id": settings.exclusions[0].id,
        "fmt": "png",
    }


@pytest.fixture
def targets(db_session, world):
    other_measure = f.MeasureFactory(network=world.other_network)
    return SimpleNamespace(
        own=_objects(db_session, world.own_team, world.measure, world.users["team_member"]),
        other=_objects(db_session, world.far_team, other_measure, world.users["admin"]),
    )


def _url(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, client, auth, world, targets, role):
    if role != "anonymous":
        assert auth.login(world.users[role]).status_code == 302
    failures = []
    for rule, method in sorted(_routes(app)):
        if rule in ("/logout", "/language"):
            continue  # they end or change the session the matrix runs in; covered elsewhere
        kind = ACCESS[rule]
        for scope in SCOPES if "<int:" in rule else ("own",):
            url = _url(rule, getattr(targets, scope))
            response = client.open(url, method=method, data={})
            allowed = role in KINDS[kind][scope]
            status = response.status_code
            if status >= 500:
                failures.append(f"{method} {url}: {status}")
            elif role == "anonymous" and not allowed:
                if not (status == 302 and "/login" in response.headers.get("Location", "")):
                    failures.append(f"{method} {url} anonymous: {status}, expected a redirect to log in")
            elif not allowed and status not in (403, 404):
                failures.append(f"{method} {url} as {role} ({scope}): {status}, expected 403")
            elif allowed and status in (401, 403):
                failures.append(f"{method} {url} as {role} ({scope}): {status}, expected access")
    assert not failures, "\n".join(failures)
