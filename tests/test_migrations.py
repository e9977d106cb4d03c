"""Migrations: an empty database upgrades to head, there is one head, models match them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from lms import create_app
from lms.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_there_is_a_single_head():
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_an_empty_database_upgrades_to_head_and_matches_the_models(tmp_path, app_session):
    url = app_session.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:  # a separate schema-free database: reuse the worker's by dropping its tables first
        with app_session.app_context():
            db.session.remove()
            db.drop_all()
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": url, "TESTING": True})
    try:
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
                tables = set(inspect(connection).get_table_names())
            engine.dispose()
        assert {"users", "courses", "modules", "assignments", "module_progress"} <= tables
        assert differences == []
    finally:
        if not url.startswith("sqlite"):
            with app.app_context():
                db.session.remove()
                db.drop_all()
                from sqlalchemy import text

                with db.engine.begin() as connection:
                    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
                db.engine.dispose()
            with app_session.app_context():
                db.create_all()
