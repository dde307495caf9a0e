"""How requests use PostgreSQL connections: pages that only read hold no transaction, a save is one
transaction, and a connection the server has closed is replaced before a request uses it.

Against a PostgreSQL database of its own with committed data (TEST_DATABASE_URL); SQLite keeps a
transaction for every request and has no server to lose.
"""

from __future__ import annotations

import os
import time

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from learnnet.extensions import db
from learnnet.models import Measurement
from tests.clock import month
from tests.conftest import scratch_postgres_database
from tests.learnnet import factories as f
from tests.learnnet.reliability.committed import team_app

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only (TEST_DATABASE_URL)"
)

PERIOD = month(14)


@pytest.fixture
def served():
    with scratch_postgres_database(os.environ["TEST_DATABASE_URL"], "connections") as url:
        for served in team_app(url):
            client = served.app.test_client()
            login = {"email": served.emails[0], "password": f.PASSWORD}
            assert client.post("/login", data=login).status_code == 302
            yield served.app, client, (served.team_id, served.measure_ids[0], served.emails[0])


def _transaction_states(app) -> list[TransactionStatus]:
    """After each statement the app runs from here on, whether its connection is in a transaction."""
    states: list[TransactionStatus] = []
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "after_cursor_execute")
    def record(connection, cursor, statement, parameters, context, executemany):
        states.append(connection.connection.dbapi_connection.info.transaction_status)

    return states


def test_a_page_that_only_reads_holds_no_transaction(served):
    app, client, (team_id, _, _) = served
    states = _transaction_states(app)
    assert client.get(f"/teams/{team_id}/entry?period={PERIOD:%Y-%m}").status_code == 200
    assert states  # the user, the team and its data were read
    assert set(states) == {TransactionStatus.IDLE}


def test_a_save_is_one_transaction(served):
    app, client, (team_id, measure_id, _) = served
    url = f"/teams/{team_id}/entry?period={PERIOD:%Y-%m}"
    client.get(url)
    states = _transaction_states(app)
    data = {f"num_{measure_id}": "3", f"den_{measure_id}": "12", f"version_{measure_id}": "0", "confirm": "y"}
    assert client.post(url, data=data).status_code == 302
    assert states and set(states) == {TransactionStatus.INTRANS}
    with app.app_context():
        saved = db.session.scalar(sa.select(Measurement).where(Measurement.team_id == team_id))
        assert (saved.numerator, saved.denominator, saved.period) == (3, 12, PERIOD)


def _close_from_the_server(app) -> None:
    """End every connection the app holds from the server's side, as a restart does, and wait until
    those server processes are gone (they have said goodbye on their sockets by then)."""
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"SELECT pg_terminate_backend(pid) {others}")
        deadline = time.monotonic() + 10
        while admin.execute(f"SELECT count(*) {others}").fetchone()[0]:
            assert time.monotonic() < deadline, "the server did not end the connections"
            time.sleep(0.02)


def test_a_connection_the_server_closed_is_replaced_before_a_page_uses_it(served):
    app, client, (team_id, _, _) = served
    assert client.get(f"/teams/{team_id}/entry").status_code == 200  # a connection in the pool
    with app.app_context():
        assert db.engine.pool.checkedin() == 1
    _close_from_the_server(app)
    assert client.get(f"/teams/{team_id}/entry").status_code == 200
    assert client.get("/readyz").status_code == 200
