"""``flask backup create PATH`` and ``flask backup restore PATH``.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``), which copies a consistent
snapshot while the app keeps running and writing. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore`` from the PostgreSQL client tools, which must be on ``PATH`` and no older than the
server.

A backup is written to a temporary file beside ``PATH`` and renamed when complete, so a failed
backup never leaves a half-written file under the expected name. A restore refuses a database
that already holds data unless ``--force`` is given; stop the app servers before restoring.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.engine import URL

from learnnet.extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database.")

# Present in a migrated database that holds no data yet.
BOOKKEEPING_TABLES = {"alembic_version"}
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why."""


# --- what kind of database ------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client tools "
            "(the same major version as the server, or newer)"
        )
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment that carries it."""
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, environ


def _run(command: list[str], environ: dict[str, str]) -> None:
    result = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")


def _unsupported(url: URL) -> BackupError:
    return BackupError(f"backups support SQLite and PostgreSQL, not {url.get_backend_name()}")


# --- create ---------------------------------------------------------------------------------------


def create_backup(url: URL, target: Path) -> None:
    """Write a backup of the database at ``url`` to ``target``."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        backend = url.get_backend_name()
        if backend == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        elif backend == "postgresql":
            conninfo, environ = _libpq(url)
            _run([_tool("pg_dump"), "--format=custom", "--file", str(partial), "--dbname", conninfo], environ)
        else:
            raise _unsupported(url)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(source: Path, partial: Path) -> None:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
        live.backup(copy)
        # A single self-contained file: no -wal or -shm file beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(copy, partial)


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    (result,) = connection.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


# --- restore --------------------------------------------------------------------------------------


def holds_data(engine: sa.Engine) -> bool:
    """Whether any table but Alembic's bookkeeping has a row."""
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names()) - BOOKKEEPING_TABLES
        for name in sorted(tables):
            table = sa.table(name)
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                return True
    return False


def restore_backup(engine: sa.Engine, source: Path, force: bool = False) -> None:
    """Replace the database behind ``engine`` with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    url = engine.url
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise _unsupported(url)
    new_file = backend == "sqlite" and not _sqlite_path(url).exists()
    if not force and not new_file and holds_data(engine):
        raise BackupError(
            "the database already holds data; restore into an empty database, "
            "or give --force to replace what is there"
        )
    # Connections of this process would keep seeing the old pages.
    engine.dispose()
    if backend == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        _postgres_restore(source, url)
    engine.dispose()


def _sqlite_restore(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as backup:
        try:
            _check_sqlite(backup, source)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup: {error}") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as live:
            backup.backup(live)
            _check_sqlite(live, target)


def _postgres_restore(source: Path, url: URL) -> None:
    with source.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
    conninfo, environ = _libpq(url)
    # --clean --if-exists: a migrated but empty database already has the tables; drop them first.
    # --no-owner --no-privileges: the roles of the backed-up server need not exist here.
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            conninfo,
            str(source),
        ],
        environ,
    )


# --- commands -------------------------------------------------------------------------------------


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def create_command(path: Path, force: bool) -> None:
    """Back up the database to PATH (the app may keep running)."""
    if path.exists() and not force:
        raise BackupError(f"{path} exists already; give --force to overwrite it")
    create_backup(db.engine.url, path)
    click.echo(f"Backed up the database to {path} ({path.stat().st_size:,} bytes).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore the database from the backup in PATH (stop the app servers first)."""
    restore_backup(db.engine, path, force=force)
    click.echo(f"Restored the database from {path}.")
