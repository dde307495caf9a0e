"""Flask extensions, created unbound here and bound in :func:`learnnet.create_app`."""

from __future__ import annotations

import sqlite3

from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so migrations are portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Requests that only read: they need no transaction of their own.
READING_METHODS = frozenset({"GET", "HEAD"})


def reading(engine: Engine) -> Engine:
    """``engine`` in autocommit mode, sharing its connection pool (the pool resets each connection
    to the engine's own isolation level when it comes back). One per engine and app, so that a
    request's statements share one connection."""
    copies = current_app.extensions.setdefault("learnnet.reading_engines", {})
    if engine not in copies:
        copies[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return copies[engine]


class Session(FlaskSession):
    """On PostgreSQL, a GET or HEAD request reads in autocommit mode.

    Under PostgreSQL's READ COMMITTED each statement sees what was committed when it began, in a
    transaction or not; a request that only reads gains nothing from one but two round trips
    (BEGIN, and ROLLBACK when the connection goes back to the pool). Requests that change data
    (POST) keep one transaction, committed or rolled back as a whole.

    So a GET must not write more than one statement can do alone (today: an API token's time of
    last use, and removing an upload that is done with), and must not use what only works inside
    a transaction: SAVEPOINT (``begin_nested``), ``with_for_update`` (it would lock nothing) or
    server-side cursors (``yield_per``).

    SQLite keeps its transactions (see ``_sqlite_begin``), and a session bound to a connection
    rather than an engine (the tests' one outer transaction) keeps that connection.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if (
            isinstance(engine, Engine)
            and engine.dialect.name == "postgresql"
            and has_request_context()
            and request.method in READING_METHODS
        ):
            return reading(engine)
        return engine


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
mail = Mail()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked; WAL lets several workers read while one writes.

    The driver's own transaction handling is switched off so that SQLAlchemy begins each
    transaction itself (see ``_sqlite_begin``); that also makes SAVEPOINT work.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Take SQLite's write lock at the start of every transaction.

    A transaction that reads and then writes cannot wait for another writer: SQLite refuses it at
    once ("database is locked"). Beginning IMMEDIATE makes concurrent requests queue for the lock
    (up to busy_timeout) instead. PostgreSQL, the production database, needs none of this.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
