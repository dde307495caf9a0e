"""The database itself refuses what must never be stored."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from learnnet.models import Measurement
from tests.learnnet import factories as f


def _flush_fails(session):
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_duplicate_month_for_team_and_measure_is_refused(db_session):
    first = f.MeasurementFactory()
    db_session.add(
        Measurement(team=first.team, measure=first.measure, period=first.period, numerator=1, denominator=2)
    )
    _flush_fails(db_session)


def test_same_month_of_another_measure_is_accepted(db_session):
    first = f.MeasurementFactory()
    other = f.MeasureFactory(network=first.team.network)
    f.MeasurementFactory(team=first.team, measure=other, period=first.period)


def test_negative_count_is_refused(db_session):
    m = f.MeasurementFactory.build(numerator=-1)
    db_session.add(m)
    _flush_fails(db_session)


@pytest.mark.parametrize("denominator", [0, -5])
def test_denominator_must_be_positive(db_session, denominator):
    db_session.add(f.MeasurementFactory.build(denominator=denominator))
    _flush_fails(db_session)


def test_measurement_needs_a_value(db_session):
    db_session.add(f.MeasurementFactory.build(numerator=None, value=None))
    _flush_fails(db_session)


def test_measurement_needs_an_existing_team(db_session):
    measure = f.MeasureFactory()
    db_session.flush()
    db_session.add(
        Measurement(
            team_id=999_999, measure_id=measure.id, period=dt.date(2025, 1, 1), numerator=1, denominator=2
        )
    )
    _flush_fails(db_session)


def test_unknown_role_is_refused(db_session):
    db_session.add(f.UserFactory.build(role="superuser"))
    _flush_fails(db_session)


def test_network_cannot_end_before_it_starts(db_session):
    db_session.add(f.NetworkFactory.build(start_date=dt.date(2025, 5, 1), end_date=dt.date(2025, 1, 1)))
    _flush_fails(db_session)


def test_saving_from_a_stale_version_is_refused(db_session):
    m = f.MeasurementFactory()
    db_session.flush()
    # Another request saves the same row first.
    db_session.execute(
        sa.update(Measurement).where(Measurement.id == m.id).values(version=m.version + 1),
        execution_options={"synchronize_session": False},
    )
    m.numerator = 3
    with pytest.raises(sa.orm.exc.StaleDataError), db_session.begin_nested():
        db_session.flush()


def test_timestamps_are_aware_utc(db_session):
    m = f.MeasurementFactory()
    db_session.flush()
    db_session.expire(m)
    assert m.created_at.tzinfo is not None
    assert m.created_at.utcoffset() == dt.timedelta(0)
