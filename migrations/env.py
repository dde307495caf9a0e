"""Alembic environment for learnnet, run through Flask-Migrate (`flask db ...`)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def get_metadata():
    return migrate_ext.db.metadata


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        **migrate_ext.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # No empty migration when autogenerate finds nothing to do.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            conf_args.setdefault("on_version_apply", [_check_foreign_keys])
            _sqlite_foreign_keys(connection, False)
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, True)


def _sqlite_foreign_keys(connection, on):
    """Batch mode changes a SQLite table by copying it and dropping the old one; with foreign keys
    enforced, dropping a table that others refer to would delete (ON DELETE CASCADE) or empty their
    rows. So migrations run with enforcement off, as https://sqlite.org/lang_altertable.html
    prescribes, and each step checks the keys before it commits. The pragma works only outside a
    transaction, so it goes to the driver's connection before SQLAlchemy begins one (the app's
    connections leave transactions to SQLAlchemy: learnnet.extensions)."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(ctx, step, **_):
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"{step.up_revision_id}: rows refer to rows that are not there: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
