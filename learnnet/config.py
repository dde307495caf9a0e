"""Configuration from the environment.

``LEARNNET_ENV`` is ``development`` (the default), ``production`` or ``testing``.  In production the
app refuses to start without a ``SECRET_KEY`` of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"
# The largest import file a user may upload.
MAX_UPLOAD_BYTES = 20 * 2**20
# How jobs run after their request (learnnet/jobs.py); "inline", in the request itself, is for tests.
JOB_RUNNERS = ("thread", "worker")


class ConfigError(RuntimeError):
    """The environment does not hold what the app needs to start."""


def _default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "learnnet.sqlite3")


def _count(env, name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _flag(env, name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return value in {"1", "true", "yes", "on"}


def _job_runner(env) -> str:
    # LEARNNET_PACK_RUNNER is the setting's old name, still read when the new one is not set.
    name = "LEARNNET_JOB_RUNNER" if env.get("LEARNNET_JOB_RUNNER", "").strip() else "LEARNNET_PACK_RUNNER"
    value = env.get(name, "").strip() or "thread"
    if value not in JOB_RUNNERS:
        raise ConfigError(f"{name} must be {' or '.join(JOB_RUNNERS)}, not {value!r}")
    return value


def from_environment(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if environ is None else environ
    learnnet_env = env.get("LEARNNET_ENV", "development")
    if learnnet_env not in {"development", "production", "testing"}:
        raise ConfigError(f"LEARNNET_ENV must be development, production or testing, not {learnnet_env!r}")
    secret_key = env.get("SECRET_KEY", "")
    if learnnet_env == "production" and secret_key in {"", DEFAULT_SECRET_KEY}:
        raise ConfigError("SECRET_KEY must be set to a long random value in production")
    database_url = env.get("DATABASE_URL") or _default_database_url(instance_path)
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    production = learnnet_env == "production"
    return {
        "LEARNNET_ENV": learnnet_env,
        "SECRET_KEY": secret_key or DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A pooled connection is tried (SELECT 1) before each request uses it: one that a restart,
        # a failover or a firewall has cut is replaced, instead of failing the request (or a save).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
        "LANGUAGES": {"nb": "Norsk bokmål", "en": "English"},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # No request body beyond this is read: an import file (MAX_UPLOAD_BYTES) and the form
        # around it; anything larger is a 413.
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES + 2**20,
        # Cross-unit tables hide counts below this for viewers outside the team.
        "SMALL_NUMBER_THRESHOLD": int(env.get("LEARNNET_SMALL_NUMBER_THRESHOLD", "5")),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_FIX": _count(env, "LEARNNET_PROXY_FIX", 0),
        # Failed log-ins allowed per account and per client address within the window (seconds).
        "LOGIN_FAILURES_PER_ACCOUNT": _count(env, "LEARNNET_LOGIN_FAILURES_PER_ACCOUNT", 5),
        "LOGIN_FAILURES_PER_ADDRESS": _count(env, "LEARNNET_LOGIN_FAILURES_PER_ADDRESS", 20),
        "LOGIN_FAILURE_WINDOW": _count(env, "LEARNNET_LOGIN_FAILURE_WINDOW", 15 * 60),
        # Jobs, the learning-session packs and imports (learnnet/jobs.py): done in a thread of the web
        # process ("thread"), or left for `flask jobs work` ("worker").
        "JOB_RUNNER": _job_runner(env),
        # Processes that draw a pack's charts.
        "PACK_WORKERS": _count(env, "LEARNNET_PACK_WORKERS", min(4, os.cpu_count() or 1)),
        # E-mail (reminders) through SMTP, read by Flask-Mailman.
        "MAIL_SERVER": env.get("MAIL_SERVER", "").strip() or "localhost",
        "MAIL_PORT": _count(env, "MAIL_PORT", 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", "").strip() or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(env, "MAIL_USE_TLS", False),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "").strip() or "learnnet@localhost",
        "MAIL_TIMEOUT": 30,
        # The address users reach learnnet at: the links in e-mails start with it.
        "PUBLIC_URL": env.get("LEARNNET_PUBLIC_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000",
    }
