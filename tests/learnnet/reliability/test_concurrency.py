"""Many people saving the same and different months at once: no lost update, no 500, full history.

Runs against a database of its own with committed data, with one HTTP client per thread (each its
own login), through the real entry form. On PostgreSQL when TEST_DATABASE_URL is set, else on SQLite.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from learnnet.extensions import db
from learnnet.models import Measurement, MeasurementHistory
from tests.clock import month
from tests.conftest import scratch_postgres_database
from tests.learnnet import factories as f
from tests.learnnet.reliability.committed import team_app

THREADS = 8
ROUNDS = 6
PERIODS = (month(12), month(13))


@pytest.fixture
def busy_app(tmp_path):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        with scratch_postgres_database(server_url, "concurrency") as url:
            yield from _app(url)
    else:
        yield from _app(f"sqlite:///{tmp_path}/concurrency.sqlite3")


def _app(url):
    for served in team_app(url, members=THREADS, measures=2):
        yield served.app, (served.team_id, served.measure_ids, served.emails)


def _version(page: str, measure_id: int) -> str:
    match = re.search(rf'name="version_{measure_id}"[^>]*value="(\d+)"', page) or re.search(
        rf'value="(\d+)"[^>]*name="version_{measure_id}"', page
    )
    return match.group(1)


def test_simultaneous_saves(busy_app):
    app, (team_id, measure_ids, emails) = busy_app
    statuses: Counter = Counter()
    saved_values: list[tuple[int, str, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        try:
            client = app.test_client()
            client.post("/login", data={"email": emails[index], "password": f.PASSWORD})
            start.wait()
            for round_ in range(ROUNDS):
                # Half the threads fight over January, the others over February.
                period = PERIODS[(index + round_) % 2]
                url = f"/teams/{team_id}/entry?period={period:%Y-%m}"
                page = client.get(url).get_data(as_text=True)
                numerator = index * 100 + round_
                data = {"confirm": "y"}
                for measure_id in measure_ids:
                    data[f"num_{measure_id}"] = str(numerator % 16)
                    data[f"den_{measure_id}"] = "16"
                    data[f"version_{measure_id}"] = _version(page, measure_id)
                response = client.post(url, data=data)
                statuses[response.status_code] += 1
                if response.status_code == 302:
                    saved_values.append((period.month, str(numerator % 16), index))
        except BaseException as error:  # noqa: BLE001 - reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert set(statuses) <= {200, 302}, statuses  # a save or a conflict shown; never a 500
    assert statuses[302] >= 2

    with app.app_context():
        for measure_id in measure_ids:
            for period in PERIODS:
                m = db.session.scalar(
                    select(Measurement).where(
                        Measurement.measure_id == measure_id, Measurement.period == period
                    )
                )
                history = db.session.scalars(
                    select(MeasurementHistory)
                    .where(MeasurementHistory.measurement_id == m.id)
                    .order_by(MeasurementHistory.version)
                ).all()
                # Every accepted save is in the history, one version each, none lost or doubled.
                assert [h.version for h in history] == list(range(1, m.version + 1))
                assert history[-1].numerator == m.numerator
                accepted = [v for month, v, _ in saved_values if month == period.month]
                changed = sum(1 for h in history if h.action in ("create", "update"))
                assert changed <= len(accepted)
        total = db.session.scalar(select(func.count()).select_from(Measurement))
        assert total == len(measure_ids) * len(PERIODS)
