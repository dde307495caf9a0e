"""Fixtures for the security tests: objects of every kind on the member's team and on another's."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from learnnet.models import (
    ChartExclusion,
    ChartPhase,
    ChartSettings,
    LearningSession,
    MeasurementHistory,
    PdsaCycle,
    SessionPack,
)
from tests.clock import month, ym
from tests.learnnet import factories as f

SKIP_ENDPOINTS = {"static", "bootstrap.static"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method


def url_for_rule(rule: str, values: dict) -> str:
    """The rule with the values filled in; an ``any(...)`` part takes its first choice."""

    def value(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):
            return converter[4:].split(",")[0].strip().strip('"')
        return str(values[name])

    return re.sub(r"<(?:([^:>]+):)?(\w+)>", value, rule)


def _objects(db_session, team, measure, user, account):
    periods = [month(k) for k in range(4)]
    measurements = [
        f.MeasurementFactory(team=team, measure=measure, period=p, numerator=5 + k, denominator=16)
        for k, p in enumerate(periods)
    ]
    db_session.flush()
    history = MeasurementHistory(
        measurement=measurements[0],
        action="create",
        version=1,
        numerator=5,
        denominator=16,
        changed_by_id=user.id,
    )
    db_session.add(history)
    intervention = f.InterventionFactory(team=team)
    cycle = PdsaCycle(intervention=intervention, number=1, start_date=month(5))
    settings = ChartSettings(team_id=team.id, measure_id=measure.id)
    settings.phases.append(ChartPhase(start_period=month(2), label="Ny rutine"))
    settings.exclusions.append(ChartExclusion(period=month(1), reason="Telling endret"))
    session = LearningSession(
        network_id=team.network_id, number=1, date=month(5), title="Oppstart"
    )
    db_session.add_all([cycle, settings, session])
    db_session.flush()
    pack = SessionPack(
        session_id=session.id,
        status="done",
        progress=100,
        step="done",
        language="nb",
        data_until=month(4),
        error="",
        pdf=b"%PDF-1.4",
        png_zip=b"PK",
    )
    db_session.add(pack)
    db_session.flush()
    return {
        "team_id": team.id,
        "unit_id": team.unit_id,
        "municipality_id": team.unit.municipality_id,
        "network_id": team.network_id,
        "measure_id": measure.id,
        "measurement_id": measurements[0].id,
        "history_id": history.id,
        "intervention_id": intervention.id,
        "cycle_id": cycle.id,
        "phase_id": settings.phases[0].id,
        "exclusion_id": settings.exclusions[0].id,
        "fmt": "png",
        "session_id": session.id,
        "pack_id": pack.id,
        "kind": "pdf",
        "token_id": 1,
        "user_id": account.id,
        "period": ym(0),
        "key": "not-an-upload",
    }


@pytest.fixture
def targets(db_session, world):
    other_measure = f.MeasureFactory(network=world.other_network)
    users = world.users
    return SimpleNamespace(
        own=_objects(db_session, world.own_team, world.measure, users["team_member"], users["team_member"]),
        other=_objects(db_session, world.far_team, other_measure, users["admin"], users["viewer"]),
    )
