"""`flask db upgrade` on an empty database gives exactly the models."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from learnnet import create_app
from learnnet.extensions import db
from tests.conftest import app_config, scratch_postgres_database

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


def _upgrade_and_compare(url: str) -> list:
    app = create_app(app_config(url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()
    assert tables >= set(db.metadata.tables)
    return differences


def test_upgrade_on_empty_sqlite_matches_models(tmp_path):
    assert _upgrade_and_compare(f"sqlite:///{tmp_path}/empty.sqlite3") == []


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_upgrade_on_empty_postgres_matches_models():
    with scratch_postgres_database(os.environ["TEST_DATABASE_URL"], "migrations") as url:
        assert _upgrade_and_compare(url) == []


def test_one_migration_chain(tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
