"""The one clock: the day and the month are Norway's, whatever the server's time zone says."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from learnnet import clock
from learnnet.measurements import recording
from learnnet.measurements.periods import default_entry_period
from tests.learnnet import factories as f

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # 00:30 on 1 March in Norway (winter time, UTC+1) is still 28 February in UTC.
        (dt.datetime(2027, 2, 28, 23, 30, tzinfo=UTC), dt.date(2027, 3, 1)),
        # 00:30 on 1 July in Norway (summer time, UTC+2).
        (dt.datetime(2027, 6, 30, 22, 30, tzinfo=UTC), dt.date(2027, 7, 1)),
        # New Year in Norway an hour before it in UTC.
        (dt.datetime(2027, 12, 31, 23, 0, tzinfo=UTC), dt.date(2028, 1, 1)),
        (dt.datetime(2028, 2, 29, 12, 0, tzinfo=UTC), dt.date(2028, 2, 29)),
    ],
    ids=str,
)
def test_today_is_the_day_in_norway(moment, day):
    with time_machine.travel(moment, tick=False):
        assert clock.now() == moment and clock.now().tzinfo is not None
        assert clock.today() == day
        assert clock.this_month() == day.replace(day=1)


def test_a_save_just_after_midnight_on_the_first_belongs_to_the_new_month(app, world):
    team, measure = world.own_team, world.measure
    with app.test_request_context(), time_machine.travel(dt.datetime(2027, 2, 28, 23, 30, tzinfo=UTC)):
        network = team.network
        network.start_date, network.end_date = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
        march, april = dt.date(2027, 3, 1), dt.date(2027, 4, 1)
        assert default_entry_period(clock.today()) == dt.date(2027, 2, 1)

        def refused(period):
            problems = recording.check(team, measure, period, recording.Values(4, 16), history=[])
            return [p.field for p in problems if p.severity == "error"]

        assert refused(march) == []
        assert refused(april) == ["period"]


def test_the_test_network_lies_around_the_frozen_day(db_session):
    from tests import clock as test_clock

    network = f.NetworkFactory()
    assert clock.today() == test_clock.TODAY
    assert network.start_date == test_clock.month(0) < test_clock.LAST_MONTH < network.end_date
    assert test_clock.month(22) == clock.this_month()
