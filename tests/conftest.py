"""Fixtures shared by every test: the app, an isolated database per test, clients per role.

The suite runs on a SQLite file by default and on PostgreSQL when ``TEST_DATABASE_URL`` is set.
On PostgreSQL each run works in a database of its own, created here and dropped at the end, so the
server's ``test`` database is never changed.
"""

from __future__ import annotations

import contextvars
import os
import threading
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from learnnet import create_app, kept
from learnnet.extensions import db
from learnnet.models import UnitMembership
from tests.clock import MOMENT
from tests.learnnet.factories import PASSWORD, configure_factories


@pytest.fixture(scope="session", autouse=True)
def frozen_clock():
    """The whole run, the live server's thread included, is on ``tests.clock.TODAY``.

    time-machine moves the process's clock (``datetime.now``, ``time.time``) to noon of that day,
    Norwegian time, and lets it tick on from there: code that waits or measures time sees time
    pass, and every "today" in learnnet, in Flask-Login and in the signed cookies is that day.
    It leaves the monotonic clock alone, which asyncio, Playwright and psycopg rely on.
    """
    with time_machine.travel(MOMENT, tick=True):
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "learnnet-test.sqlite3")
        return
    with scratch_postgres_database(server_url, "suite") as url:
        yield url


class scratch_postgres_database:
    """A PostgreSQL database of its own beside the one ``server_url`` names, dropped on exit."""

    def __init__(self, server_url: str, purpose: str):
        url = make_url(server_url)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        self.server_url = url
        self.name = f"learnnet_{purpose}_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        self.admin = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        return self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


def app_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "LEARNNET_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": "localhost",
        # Jobs (packs, imports) stay queued unless a test does them; no background threads in tests.
        "JOB_RUNNER": "worker",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(app_config(database_url))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def database(app):
    """The test's database, in one transaction rolled back at the end: tests never see each other.

    The app's engine is swapped for one connection holding that transaction; every session (the
    test's own and each request's) joins it through a savepoint, so code under test may commit.
    """
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        original_session = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        configure_factories(db.session)
        # Ids come round again after a rollback: nothing kept may outlive the test that made it.
        kept.forget_everything()
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original_session
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def db_session(database):
    return database.session


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    The test itself holds an app context for its database work; without this, Flask would reuse
    it for every request and share ``g`` (the logged-in user, the locale) between requests.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, database):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app, database):
    return app.test_cli_runner()


class AuthActions:
    """Logs a test client in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def world(db_session):
    """Two teams of one network in two units, another network, and one user per role."""
    from tests.learnnet import factories as f

    region = f.RegionFactory(name="Vestfold")
    municipality = f.MunicipalityFactory(region=region, name="Horten")
    own_unit = f.UnitFactory(municipality=municipality, name="Borre sykehjem, avd. 1")
    other_unit = f.UnitFactory(municipality=municipality, name="Indre havn, avd. 2")
    network = f.NetworkFactory(region=region, name="Underernæring 2025–26")
    other_network = f.NetworkFactory(region=region, name="Fall 2024–25", topic="falls")
    own_team = f.TeamFactory(network=network, unit=own_unit)
    other_team = f.TeamFactory(network=network, unit=other_unit)
    far_team = f.TeamFactory(network=other_network, unit=other_unit)
    measure = f.MeasureFactory(network=network)
    users = {
        "admin": f.UserFactory(role="admin", email="admin@example.no"),
        "centre": f.UserFactory(role="centre", email="centre@example.no"),
        "facilitator": f.UserFactory(role="facilitator", email="facilitator@example.no"),
        "team_member": f.UserFactory(role="team_member", email="member@example.no"),
        "viewer": f.UserFactory(role="viewer", email="viewer@example.no"),
    }
    network.facilitators.append(users["facilitator"])
    users["team_member"].memberships.append(UnitMembership(unit=own_unit))
    db_session.flush()
    return SimpleNamespace(
        region=region,
        network=network,
        other_network=other_network,
        own_team=own_team,
        other_team=other_team,
        far_team=far_team,
        measure=measure,
        users=users,
    )


@pytest.fixture(params=["admin", "centre", "facilitator", "team_member", "viewer"])
def role_client(request, client, auth, world):
    """A client logged in as each role in turn, with the world it sees."""
    user = world.users[request.param]
    response = auth.login(user)
    assert response.status_code == 302
    return SimpleNamespace(client=client, user=user, role=request.param, world=world)


# A real server in a thread, for the browser tests and the API's schemathesis run. Data it
# serves is committed (the server has its own connections), so tests give it networks of their own.
@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("live") / "live.sqlite3")
        return
    with scratch_postgres_database(server_url, "live") as url:
        yield url


@pytest.fixture(scope="session")
def live_app(live_database_url):
    app = create_app(app_config(live_database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
