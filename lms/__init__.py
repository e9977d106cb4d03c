"""Atelier: the application factory, built in small named steps."""

from __future__ import annotations

import json
import os

from flask import Flask

from lms.config import PROJECT_ROOT, default_config, finalize_config


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, commands, error handlers."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, overrides)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_request_hooks(app)
    register_error_handlers(app)
    return app


def load_config(app: Flask, overrides: dict | None) -> None:
    """Defaults, then LMS_* from the environment, then the caller's overrides."""
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_prefixed_env("LMS", loads=_keep_strings_for_paths)
    os.makedirs(app.instance_path, exist_ok=True)
    finalize_config(app.config, overrides, app.instance_path)


def _keep_strings_for_paths(value: str):
    """Parse numbers and booleans from the environment but keep everything else a string."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if isinstance(parsed, int | float | bool) else value


def register_extensions(app: Flask) -> None:
    """Bind each extension to the application."""
    from lms import i18n, markup
    from lms.accounts.sessions import load_user
    from lms.extensions import babel, csrf, db, login_manager, migrate

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    markup.escape_lazy_values()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = i18n.SIGN_IN_REQUIRED
    login_manager.login_message_category = "info"
    # "basic", not "strong": a phone on mobile data changes address often, and "strong" would
    # sign the trainee out each time. A stolen cookie is answered by server-side sessions
    # (lms/accounts/sessions.py: sign-out ends every copy) and Secure, HttpOnly cookies.
    login_manager.session_protection = "basic"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _enable_sqlite_wal(db.engine)


MODEL_MODULES = (
    "lms.security",
    "lms.accounts.models",
    "lms.courses.models",
    "lms.courses.revision",
    "lms.progress.models",
    "lms.media.models",
    "lms.submissions.models",
    "lms.notifications.models",
    "lms.certificates.models",
)


def import_models() -> None:
    """Import every package's models so that metadata and migrations see all tables."""
    import importlib

    for name in MODEL_MODULES:
        importlib.import_module(name)


def _enable_sqlite_wal(engine) -> None:
    """Let readers and the worker proceed while one writer writes."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    """Mount each package's blueprint."""
    from lms import http, i18n, pages
    from lms.accounts.views import bp as accounts_bp
    from lms.admin.views import bp as admin_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.grading.views import bp as grading_bp
    from lms.learning.assignments import bp as submissions_bp
    from lms.learning.workshops import bp as courses_bp
    from lms.media.views import bp as media_bp
    from lms.notifications.views import bp as notifications_bp

    http.init_app(app)  # the bounded <int:…> converter, before any rule is added
    app.register_blueprint(pages.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(grading_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(admin_bp)


def register_commands(app: Flask) -> None:
    """Add the command-line groups of each package to `flask`."""
    from lms.accounts.commands import users_cli
    from lms.certificates.commands import cli as certificates_cli
    from lms.commands import courses_cli
    from lms.courses.commands import cohorts_cli, demo_cli
    from lms.media.commands import cli as media_cli

    for group in (users_cli, cohorts_cli, courses_cli, demo_cli, certificates_cli, media_cli):
        app.cli.add_command(group)


def register_request_hooks(app: Flask) -> None:
    """Security headers on every response and template helpers."""
    from lms import i18n, security

    security.init_app(app)
    i18n.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """One place maps errors to pages in the user's language."""
    from lms import errors

    errors.init_app(app)
