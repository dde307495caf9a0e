"""``flask backup create`` and ``flask backup restore``: a round trip keeps every row of every table.

These tests work in scratch databases of their own (SQLite files, or PostgreSQL databases when
``TEST_DATABASE_URL`` is set), committed for real, never inside the rolled-back test transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from learnnet import audit, create_app, models
from learnnet.extensions import db
from tests.clock import day, month
from tests.conftest import app_config, scratch_postgres_database
from tests.learnnet import factories as f

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
SERVER = os.environ.get("TEST_DATABASE_URL")
MAIN_TABLES = {
    "alembic_version",
    "region",
    "municipality",
    "unit",
    "network",
    "learning_session",
    "team",
    "measure_template",
    "measure_definition",
    "measurement",
    "measurement_history",
    "chart_settings",
    "chart_phase",
    "chart_exclusion",
    "intervention",
    "pdsa_cycle",
    "user_account",
    "unit_membership",
    "network_facilitator",
    "audit_event",
    "failed_login",
}

needs_postgres = pytest.mark.skipif(not SERVER, reason="TEST_DATABASE_URL not set")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[pytest.mark.postgres, needs_postgres]),
]


@pytest.fixture
def scratch(tmp_path):
    """Makes empty scratch databases of one backend: ``scratch(backend, name)`` gives a URL."""
    with ExitStack() as stack:

        def make(backend: str, name: str) -> str:
            if backend == "postgresql":
                return stack.enter_context(scratch_postgres_database(SERVER, f"backup_{name}"))
            return f"sqlite:///{tmp_path}/{name}.sqlite3"

        yield make


class Database:
    """An app of its own on one scratch database, with its CLI."""

    def __init__(self, url: str):
        self.url = url
        self.app = create_app(app_config(url))

    def cli(self, *args: str):
        return self.app.test_cli_runner().invoke(args=list(args))

    def migrate(self) -> Database:
        with self.app.app_context():
            upgrade(directory=MIGRATIONS)
            db.engine.dispose()
        return self

    def rows(self) -> dict[str, list[tuple]]:
        """Every row of every table, in primary-key order."""
        engine = sa.create_engine(self.url)
        try:
            metadata = sa.MetaData()
            metadata.reflect(engine)
            with engine.connect() as connection:
                return {
                    name: [
                        tuple(row)
                        for row in connection.execute(
                            sa.select(table).order_by(*(table.primary_key.columns or table.columns))
                        )
                    ]
                    for name, table in metadata.tables.items()
                }
        finally:
            engine.dispose()

    def dispose(self) -> None:
        with self.app.app_context():
            db.engine.dispose()


def _fill(database: Database) -> None:
    """A few committed rows in each main table, with non-ASCII text, JSON and timestamps."""
    with database.app.app_context():
        session = db.session
        f.configure_factories(session)
        region = f.RegionFactory(name="Vestfold og Telemark")
        municipality = f.MunicipalityFactory(region=region, name="Tønsberg")
        units = [f.UnitFactory(municipality=municipality, name=f"Bøkeskogen, avd. {k}") for k in (1, 2)]
        template = models.MeasureTemplate(
            code="mal-screening",
            topic="malnutrition",
            measure_type="process",
            value_kind="proportion",
            multiplier=100.0,
            unit_label="%",
            direction="up",
            texts={"nb": {"name": "Ernæringsscreening"}, "en": {"name": "Screening"}},
        )
        session.add(template)
        network = f.NetworkFactory(region=region, name="Underernæring 2025–26")
        session.add(
            models.LearningSession(
                network=network, number=1, date=day(1, 4), title="Første samling"
            )
        )
        teams = [f.TeamFactory(network=network, unit=unit) for unit in units]
        measure = f.MeasureFactory(network=network, template=template)
        users = [f.UserFactory(role="facilitator"), f.UserFactory(role="team_member")]
        network.facilitators.append(users[0])
        users[1].memberships.append(models.UnitMembership(unit=units[0], is_lead=True))
        for k in (1, 2, 3):
            measurement = f.MeasurementFactory(
                team=teams[0],
                measure=measure,
                period=month(k - 1),
                numerator=k + 4,
                denominator=16,
                comment="målt på fredag",
            )
            session.add(
                models.MeasurementHistory(
                    measurement=measurement,
                    action="create",
                    version=1,
                    numerator=measurement.numerator,
                    denominator=16,
                    changed_by=users[1],
                )
            )
        settings = models.ChartSettings(team_id=teams[0].id, measure_id=measure.id, chart_kind="p")
        settings.phases.append(models.ChartPhase(start_period=month(2), label="Etter tiltak"))
        settings.exclusions.append(models.ChartExclusion(period=month(1), reason="Ferie"))
        session.add(settings)
        intervention = f.InterventionFactory(team=teams[0])
        session.add(
            models.PdsaCycle(
                intervention=intervention, number=1, plan="Veie alle", start_date=day(5, 2)
            )
        )
        session.flush()
        audit.record(users[0], "network.create", network, after={"name": network.name})
        session.add(
            models.FailedLogin(
                email="x@example.no",
                address="192.0.2.1",
                at=dt.datetime(2025, 5, 1, 8, 30, 15, 123456, dt.UTC),
            )
        )
        session.commit()
        db.engine.dispose()


def _compare(source: Database, target: Database) -> None:
    expected, restored = source.rows(), target.rows()
    assert set(restored) == set(expected)
    for name, rows in expected.items():
        assert restored[name] == rows, name
    assert not {name for name in MAIN_TABLES if not expected[name]}, "fill every main table"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("target_kind", ["new", "migrated"])
def test_round_trip_keeps_every_row(scratch, tmp_path, backend, target_kind):
    source = Database(scratch(backend, "source")).migrate()
    _fill(source)
    path = tmp_path / "learnnet.backup"
    result = source.cli("backup", "create", str(path))
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))

    target = Database(scratch(backend, "target"))
    if target_kind == "migrated":
        target.migrate()
    result = target.cli("backup", "restore", str(path))
    assert result.exit_code == 0, result.output
    _compare(source, target)

    # The restored database takes new rows (PostgreSQL's sequences came along).
    with target.app.app_context():
        db.session.add(models.Region(name="Agder"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(models.Region)) == 2
    source.dispose()
    target.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_refuses_a_database_with_data_unless_forced(scratch, tmp_path, backend):
    source = Database(scratch(backend, "source")).migrate()
    _fill(source)
    path = tmp_path / "learnnet.backup"
    assert source.cli("backup", "create", str(path)).exit_code == 0

    target = Database(scratch(backend, "target")).migrate()
    with target.app.app_context():
        db.session.add(models.Region(name="Nordland"))
        db.session.commit()
        db.engine.dispose()
    before = target.rows()
    result = target.cli("backup", "restore", str(path))
    assert result.exit_code != 0
    assert "already holds data" in result.output and "--force" in result.output
    assert target.rows() == before

    result = target.cli("backup", "restore", "--force", str(path))
    assert result.exit_code == 0, result.output
    _compare(source, target)
    source.dispose()
    target.dispose()


def test_sqlite_backup_while_the_app_writes(scratch, tmp_path):
    """The online backup takes the last committed state while another connection is mid-write."""
    source = Database(scratch("sqlite", "live")).migrate()
    _fill(source)
    path = tmp_path / "online.backup"
    with closing(sqlite3.connect(source.url.removeprefix("sqlite:///"))) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO region (name) VALUES ('Uncommitted')")
        result = source.cli("backup", "create", str(path))
        writer.rollback()
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(path)) as copy:
        names = [name for (name,) in copy.execute("SELECT name FROM region")]
        (mode,) = copy.execute("PRAGMA journal_mode").fetchone()
    assert names == ["Vestfold og Telemark"]
    assert mode == "delete"
    assert not Path(str(path) + "-wal").exists()
    source.dispose()


def test_create_refuses_to_overwrite_unless_forced(scratch, tmp_path):
    source = Database(scratch("sqlite", "source")).migrate()
    path = tmp_path / "exists.backup"
    path.write_bytes(b"keep me")
    result = source.cli("backup", "create", str(path))
    assert result.exit_code != 0 and "exists already" in result.output
    assert path.read_bytes() == b"keep me"
    assert source.cli("backup", "create", "--force", str(path)).exit_code == 0
    assert path.read_bytes().startswith(b"SQLite format 3")
    source.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_refuses_what_is_not_a_backup(scratch, tmp_path, backend):
    target = Database(scratch(backend, "target"))
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database backup at all" * 100)
    result = target.cli("backup", "restore", str(junk))
    assert result.exit_code != 0
    assert "is not a" in result.output
    missing = target.cli("backup", "restore", str(tmp_path / "missing.backup"))
    assert missing.exit_code != 0 and "no backup at" in missing.output
    target.dispose()


def test_postgres_without_pg_dump_on_path_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    app = create_app(app_config("postgresql+psycopg://nobody@127.0.0.1:1/learnnet"))
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "x.backup")])
    assert result.exit_code != 0
    assert "pg_dump was not found on PATH" in result.output
