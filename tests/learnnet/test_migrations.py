"""`flask db upgrade` on an empty database gives exactly the models, and upgrading a database that
holds data keeps it."""

import os
import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from learnnet import create_app
from learnnet.extensions import db
from learnnet.models import ChartSettings, MeasureDefinition, Measurement, MeasureTemplate
from tests.conftest import app_config, scratch_postgres_database
from tests.learnnet import factories as f

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


def _values(sql: str) -> list[str]:
    """The quoted values a CHECK constraint lists ('proportion'::character varying on PostgreSQL)."""
    return re.findall(r"'([^']*)'", sql)


def _upgrade_and_compare(url: str) -> list:
    app = create_app(app_config(url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
            inspector = sa.inspect(connection)
            tables = set(inspector.get_table_names())
            # Alembic's comparison leaves CHECK constraints out: compare their names and values here.
            checks = {
                (table, check["name"]): _values(check["sqltext"])
                for table in db.metadata.tables
                for check in inspector.get_check_constraints(table)
            }
        db.engine.dispose()
    assert tables >= set(db.metadata.tables)
    assert checks == {
        (table.name, check.name): _values(str(check.sqltext))
        for table in db.metadata.tables.values()
        for check in table.constraints
        if isinstance(check, sa.CheckConstraint)
    }
    return differences


def test_upgrade_on_empty_sqlite_matches_models(tmp_path):
    assert _upgrade_and_compare(f"sqlite:///{tmp_path}/empty.sqlite3") == []


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_upgrade_on_empty_postgres_matches_models():
    with scratch_postgres_database(os.environ["TEST_DATABASE_URL"], "migrations") as url:
        assert _upgrade_and_compare(url) == []


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config)


def test_one_migration_chain(tmp_path):
    assert len(_scripts().get_heads()) == 1


SUBGROUP_SAMPLES = "55ef2206f31e"


def _value_kinds(session) -> list[tuple[str, str]]:
    templates = session.execute(sa.select(MeasureTemplate.code, MeasureTemplate.value_kind))
    definitions = session.execute(sa.select(MeasureDefinition.code, MeasureDefinition.value_kind))
    return sorted(tuple(row) for row in [*templates, *definitions])


def _kept(session) -> tuple[int, ...]:
    """What refers to the measures: values, chart settings, and definitions linked to a template."""
    return (
        session.scalar(sa.select(sa.func.count()).select_from(Measurement)),
        session.scalar(sa.select(sa.func.count()).select_from(ChartSettings)),
        session.scalar(sa.select(sa.func.count()).where(MeasureDefinition.template_id.is_not(None))),
    )


def _subgroup_samples_round_trip(url: str) -> None:
    """Down past the migration that renamed 'samples' to 'subgroup_samples' and up again: the stored
    value kinds follow, the constraints refuse the other name, and nothing that refers to the
    measures is lost on the way (SQLite rebuilds both tables twice each way)."""
    before = _scripts().get_revision(SUBGROUP_SAMPLES).down_revision
    app = create_app(app_config(url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        f.configure_factories(db.session)
        template = MeasureTemplate(
            code="sleep.hours",
            topic="sleep",
            measure_type="outcome",
            value_kind="subgroup_samples",
            direction="up",
            multiplier=1.0,
            unit_label="",
            texts={},
        )
        measurement = f.MeasurementFactory(
            measure__code="sleep.hours",
            measure__value_kind="subgroup_samples",
            measure__template=template,
            numerator=None,
            denominator=None,
            value=7.5,
        )
        f.MeasurementFactory(
            team=measurement.team,
            measure__network=measurement.team.network,
            measure__code="nutrition.screened",
        )
        db.session.add(
            ChartSettings(team_id=measurement.team.id, measure_id=measurement.measure.id, chart_kind="i")
        )
        db.session.commit()
        kept = _kept(db.session)
        assert kept == (2, 1, 1)
        db.session.remove()

        for step, revision, kind, other in (
            (downgrade, before, "samples", "subgroup_samples"),
            (upgrade, "head", "subgroup_samples", "samples"),
        ):
            step(directory=MIGRATIONS, revision=revision)
            assert _value_kinds(db.session) == [
                ("nutrition.screened", "proportion"),
                ("sleep.hours", kind),
                ("sleep.hours", kind),
            ]
            assert _kept(db.session) == kept
            for model in (MeasureTemplate, MeasureDefinition):
                with pytest.raises(IntegrityError):
                    db.session.execute(sa.update(model).values(value_kind=other))
                db.session.rollback()
            db.session.remove()
        db.engine.dispose()


def test_subgroup_samples_on_sqlite(tmp_path):
    _subgroup_samples_round_trip(f"sqlite:///{tmp_path}/samples.sqlite3")


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_subgroup_samples_on_postgres():
    with scratch_postgres_database(os.environ["TEST_DATABASE_URL"], "samples") as url:
        _subgroup_samples_round_trip(url)
