"""One write path: every way a measurement changes raises its series' version, with history and audit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnnet.api import auth as api_auth
from learnnet.imports.services import Scope, commit_import, plan_import
from learnnet.imports.tables import read_table
from learnnet.measurements import recording
from learnnet.models import AuditEvent, Measurement, MeasurementHistory, SeriesVersion
from tests.clock import month, ym
from tests.learnnet import factories as f

ROOT = Path(__file__).resolve().parents[2]


def version(db_session, team, measure) -> int | None:
    db_session.expire_all()
    return db_session.scalar(
        select(SeriesVersion.version).where(
            SeriesVersion.team_id == team.id, SeriesVersion.measure_id == measure.id
        )
    )


def test_every_way_of_changing_a_month_raises_the_series_version(app, client, auth, db_session, world):
    team, measure, other = world.own_team, world.measure, world.other_team
    member = world.users["team_member"]
    auth.login(member)
    entry = f"/teams/{team.id}/entry?period={ym(5)}"
    assert version(db_session, team, measure) is None

    def form(numerator, version_seen):
        return {
            f"num_{measure.id}": numerator,
            f"den_{measure.id}": "16",
            f"version_{measure.id}": version_seen,
        }

    assert client.post(entry, data=form("8", "0")).status_code == 302
    assert version(db_session, team, measure) == 1
    assert client.post(entry, data=form("9", "1")).status_code == 302
    assert version(db_session, team, measure) == 2

    m = db_session.scalar(select(Measurement).where(Measurement.team_id == team.id))
    client.post(f"/teams/{team.id}/measurements/{m.id}/delete", data={"version": "2"})
    assert version(db_session, team, measure) == 3
    first = db_session.scalar(
        select(MeasurementHistory).where(
            MeasurementHistory.action == "create", MeasurementHistory.measurement_id == m.id
        )
    )
    client.post(f"/teams/{team.id}/measurements/{m.id}/restore/{first.id}", data={"version": "3"})
    assert version(db_session, team, measure) == 4

    with app.test_request_context():
        rows = f"{measure.code},{ym(5)},10,16\n{measure.code},{ym(6)},7,16"
        text = "measure_code,month,numerator,denominator\n" + rows
        scope = Scope(world.network, team)
        plan = plan_import(scope, read_table("data.csv", text.encode()))
        assert commit_import(scope, plan, member).status == "done"
    assert version(db_session, team, measure) == 5

    _token, secret = api_auth.create_token(member, "test")
    response = client.put(
        f"/api/v1/teams/{team.id}/measures/{measure.id}/measurements/{ym(7)}",
        json={"numerator": 6, "denominator": 16},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
    assert version(db_session, team, measure) == 6

    # Each change has its history line; the other team's series never moved.
    assert db_session.scalar(select(func.count()).select_from(MeasurementHistory)) == 7
    assert version(db_session, other, measure) is None


def test_a_batch_with_one_outdated_month_writes_nothing(db_session, world):
    team, measure, user = world.own_team, world.measure, world.users["admin"]
    saved = f.MeasurementFactory(team=team, measure=measure, period=month(1), numerator=4, denominator=16)
    assert version(db_session, team, measure) == 1

    def count(model) -> int:
        return db_session.scalar(select(func.count()).select_from(model))

    before = (count(Measurement), count(MeasurementHistory), count(AuditEvent))
    changes = [
        recording.Change(team.id, measure.id, month(0), recording.Values(3, 16)),
        # Started from version 0 although the month is at version 1: someone saved it meanwhile.
        recording.Change(team.id, measure.id, month(1), recording.Values(5, 16), recording.Base(saved.id, 0)),
    ]
    with pytest.raises(recording.LostRace):
        recording.save_many(changes, user)
    assert (count(Measurement), count(MeasurementHistory), count(AuditEvent)) == before
    assert version(db_session, team, measure) == 1
    assert db_session.get(Measurement, saved.id).numerator == 4


def test_a_batch_is_audited_change_by_change_or_as_one_summary(db_session, world):
    team, measure, user = world.own_team, world.measure, world.users["admin"]
    changes = [recording.Change(team.id, measure.id, month(k), recording.Values(k + 1, 16)) for k in range(3)]
    ids = recording.save_many(changes, user)
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "measurement.create")).all()
    assert sorted(e.object_id for e in events) == sorted(ids.values())
    assert all(e.after["denominator"] == 16 and e.before is None for e in events)

    later = [
        recording.Change(
            team.id, measure.id, month(k), recording.Values(k + 2, 16), recording.Base(ids[c.key], 1)
        )
        for k, c in enumerate(changes)
    ]
    recording.save_many(later, user, summary=recording.Summary("measurement.import", team, {"rows": 3}))
    assert db_session.scalar(select(func.count()).where(AuditEvent.action == "measurement.update")) == 0
    assert db_session.scalar(select(func.count()).where(AuditEvent.action == "measurement.import")) == 1
    assert version(db_session, team, measure) == 2


def test_the_demo_county_is_written_through_the_write_path(db_session):
    from learnnet.demo import load_demo

    load_demo(db_session)
    series = db_session.scalar(select(func.count()).select_from(SeriesVersion))
    pairs = db_session.execute(select(Measurement.team_id, Measurement.measure_id).distinct()).all()
    assert series == len(pairs) > 0
    corrected = db_session.scalar(select(func.count()).where(SeriesVersion.version == 2))
    assert corrected >= 1


def test_only_the_write_path_writes_measurements():
    # Any other module that makes or changes measurement rows would bypass the series' version.
    writes = re.compile(
        r"\b(Measurement|MeasurementHistory)\(|(insert|update|delete)\((Measurement|MeasurementHistory)\b"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "learnnet").rglob("*.py")
        if path.name != "recording.py" and "models" not in path.parts and writes.search(path.read_text())
    ]
    assert offenders == []
