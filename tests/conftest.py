"""Shared fixtures: one application and database per test process, cleaned after each test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

# Tasks run inline in tests; chosen before lms is imported because Huey is built at import.
os.environ.setdefault("LMS_HUEY_IMMEDIATE", "1")

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from lms import create_app
from lms.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the message catalogues when a .po is newer than its .mo (make test does it too)."""
    translations = ROOT / "lms" / "translations"
    stale = [
        po
        for po in translations.glob("*/LC_MESSAGES/messages.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "pybabel"),
                "-q",
                "compile",
                "-d",
                str(translations),
            ],
            check=True,
        )


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_root: Path) -> str:
    """SQLite in a temporary folder, or a per-worker PostgreSQL database when asked for."""
    base = os.environ.get("LMS_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_root / 'test.sqlite3'}"
    name = f"atelier_test_{_worker_id()}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return re.sub(r"/[^/]+$", f"/{name}", base)


class IsolatedClient(FlaskClient):
    """A test client whose requests do not see the previous request's signed-in user.

    Tests keep an app context pushed (to use db.session directly); Flask reuses it for each
    request, so `g` would otherwise carry Flask-Login's user, Flask-Babel's chosen language and
    Flask-WTF's signed token from one request to the next, where production gives each request
    its own context.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in ("_login_user", "_flask_babel", "csrf_token"):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app_session(tmp_path_factory):
    """One application per test process, with its tables created once."""
    tmp_root = tmp_path_factory.mktemp("atelier")
    media = tmp_root / "media"
    media.mkdir()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": _database_url(tmp_root),
            "MEDIA_DIR": str(media),
            "WTF_CSRF_ENABLED": False,
            "SIGNING_KEY_FILE": str(tmp_root / "signing-key.pem"),
            "COURSES_DIR": str(factories.TEST_COURSES),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(app_session) -> Iterator:
    """The application inside an app context; every table is emptied after the test."""
    with app_session.app_context():
        yield app_session
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def courses(app):
    """The workshops written for the tests, synced (not the real courses/: see its README)."""
    return factories.sync_test_courses()


@pytest.fixture
def csrf_on(app, monkeypatch):
    """Turn CSRF checking on for one test (the shared test app runs with it off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def count_queries(app):
    """A context manager that counts the SQL statements run inside it."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counter():
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counter


@pytest.fixture
def admin(app):
    """An administrator reading pages in English, so assertions read the message ids."""
    return factories.make_user("admin", name="Admin Lab", email="admin@lab.test", locale="en")


@pytest.fixture
def admin_client(client, admin):
    """The test client, signed in as the administrator."""
    factories.login(client, admin)
    return client
