"""learnnet: measurement for learning networks in nursing homes and home-care services.

The application factory is a short list of named steps; it has no side effects (no migrations, no
network calls): migrations run at deploy time with ``flask db upgrade``.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from learnnet import config as config_module
from learnnet import models  # noqa: F401  (registers every table for Flask-Migrate)
from learnnet.admin import bp as admin_bp
from learnnet.api import bp as api_bp
from learnnet.api import tokens_bp as api_tokens_bp
from learnnet.auth import bp as auth_bp
from learnnet.backup import backup_cli
from learnnet.cli import demo_cli, jobs_cli, templates_cli, users_cli
from learnnet.county import bp as county_bp
from learnnet.errors import register as register_errors
from learnnet.extensions import babel, bootstrap, csrf, db, login_manager, mail, migrate
from learnnet.health import bp as health_bp
from learnnet.home import bp as home_bp
from learnnet.i18n import register_template_helpers as register_i18n
from learnnet.i18n import select_locale
from learnnet.imports import bp as imports_bp
from learnnet.networks import bp as networks_bp
from learnnet.networks.cli import packs_cli
from learnnet.reminders import bp as reminders_bp
from learnnet.reminders.cli import reminders_cli
from learnnet.security import register_headers, register_nul_guard, register_proxy_fix
from learnnet.teams import bp as teams_bp


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the learnnet application; ``config`` overrides what the environment gives."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security(app)
    return app


def configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    environ = dict(os.environ)
    if config and "LEARNNET_ENV" in config:
        environ["LEARNNET_ENV"] = config["LEARNNET_ENV"]
    if config and "SECRET_KEY" in config:
        environ["SECRET_KEY"] = config["SECRET_KEY"]
    app.config.from_mapping(config_module.from_environment(app.instance_path, environ))
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.instance_path, exist_ok=True)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(networks_bp)
    app.register_blueprint(county_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    csrf.exempt(health_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(reminders_bp)
    # The API authenticates every request by its bearer token, never by a cookie, so CSRF cannot apply.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(templates_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(packs_cli)
    app.cli.add_command(reminders_cli)


def register_error_handlers(app: Flask) -> None:
    register_errors(app)


def register_template_helpers(app: Flask) -> None:
    register_i18n(app)


def register_security(app: Flask) -> None:
    register_headers(app)
    register_nul_guard(app)
    register_proxy_fix(app)
