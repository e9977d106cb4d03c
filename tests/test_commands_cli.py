"""The documented commands, run as an operator runs them: `flask --app wsgi …` on a new install."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from werkzeug.security import check_password_hash

from lms import create_app
from lms.extensions import db
from tests.cli import ROOT, flask, fresh_env
from tests.surface import csrf_token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("commands-cli")]


def _rows(folder: Path, sql: str, *params) -> list[tuple]:
    connection = sqlite3.connect(folder / "atelier.sqlite3")
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _head_revision() -> str:
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def _signs_in(folder: Path, env: dict[str, str], email: str, password: str) -> list[str]:
    """Sign in through the pages of an application on that database; the workshops' slugs shown."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": env["LMS_DATABASE_URL"],
            "SECRET_KEY": env["LMS_SECRET_KEY"],
            "MEDIA_DIR": env["LMS_MEDIA_DIR"],
            "SIGNING_KEY_FILE": env["LMS_SIGNING_KEY_FILE"],
        }
    )
    try:
        client = app.test_client()
        token = csrf_token(client, signed_in=False)
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        page = client.get("/courses/").get_data(as_text=True)
        return [
            slug
            for slug in ("montage-video", "redaction-contenu", "marketing-digital")
            if f"/courses/{slug}/" in page
        ]
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A new installation: `db upgrade`, then `courses sync`, as the README says."""
    folder = tmp_path_factory.mktemp("installation")
    env = fresh_env(folder)
    upgrade = flask(["db", "upgrade"], env)
    sync = flask(["courses", "sync"], env)
    return folder, env, upgrade, sync


def test_db_upgrade_builds_the_schema_at_head(installation):
    folder, _env, upgrade, _sync = installation
    assert upgrade.returncode == 0, upgrade.stderr
    assert _rows(folder, "SELECT version_num FROM alembic_version") == [(_head_revision(),)]


def test_courses_sync_imports_the_workshops_once(installation):
    folder, env, _upgrade, first = installation
    assert first.returncode == 0, first.stderr
    assert "3 courses" in first.stdout and "created" in first.stdout
    counts = (
        "SELECT (SELECT count(*) FROM courses), (SELECT count(*) FROM modules), "
        "(SELECT count(*) FROM assignments)"
    )
    before = _rows(folder, counts)
    again = flask(["courses", "sync"], env)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert _rows(folder, counts) == before
    assert before[0][0] == 3


def test_an_operator_creates_a_trainer_a_cohort_and_a_trainee_who_signs_in(installation):
    folder, env, _upgrade, _sync = installation
    trainer = flask(
        [
            "users",
            "create",
            "Youssef@Example.org",
            "--name",
            "Youssef El Amrani",
            "--role",
            "trainer",
        ],
        env,
        input="trainer-password-1\n",
    )
    assert trainer.returncode == 0, trainer.stderr
    assert "youssef@example.org" in trainer.stdout
    cohort = flask(
        [
            "cohorts",
            "create",
            "khb-2026",
            "--name",
            "Centre de Khouribga",
            "--course",
            "montage-video",
            "--course",
            "redaction-contenu",
            "--trainer",
            "youssef@example.org",
            "--region",
            "Béni Mellal-Khénifra",
        ],
        env,
    )
    assert cohort.returncode == 0, cohort.stderr
    assert "KHB-2026" in cohort.stdout
    trainee = flask(
        [
            "users",
            "create",
            "nadia@example.org",
            "--name",
            "Nadia Idrissi",
            "--role",
            "trainee",
            "--cohort",
            "KHB-2026",
        ],
        env,
        input="s3cret-password\n",
    )
    assert trainee.returncode == 0, trainee.stderr

    assert sorted(
        _rows(
            folder,
            "SELECT c.region, co.slug FROM cohorts c "
            "JOIN cohort_courses cc ON cc.cohort_id = c.id "
            "JOIN courses co ON co.id = cc.course_id WHERE c.code = 'KHB-2026'",
        )
    ) == [("Béni Mellal-Khénifra", "montage-video"), ("Béni Mellal-Khénifra", "redaction-contenu")]
    assert _rows(
        folder,
        "SELECT u.email FROM cohort_trainers t JOIN users u ON u.id = t.user_id "
        "JOIN cohorts c ON c.id = t.cohort_id WHERE c.code = 'KHB-2026'",
    ) == [("youssef@example.org",)]
    ((role, password_hash),) = _rows(
        folder, "SELECT role, password_hash FROM users WHERE email = ?", "nadia@example.org"
    )
    assert role == "trainee" and check_password_hash(password_hash, "s3cret-password")
    assert _signs_in(folder, env, "nadia@example.org", "s3cret-password") == [
        "montage-video",
        "redaction-contenu",
    ]


def test_refused_commands_say_why_and_write_nothing(installation):
    folder, env, _upgrade, _sync = installation
    users = "SELECT count(*) FROM users"
    before = _rows(folder, users)
    unknown_cohort = flask(
        ["users", "create", "amal@example.org", "--name", "Amal", "--cohort", "NOPE-1"],
        env,
        input="s3cret-password\n",
    )
    assert unknown_cohort.returncode == 1
    assert "NOPE-1" in unknown_cohort.stderr
    short = flask(["users", "create", "sara@example.org", "--name", "Sara"], env, input="court\n")
    assert short.returncode == 1 and "8" in short.stderr
    assert _rows(folder, users) == before  # the account was not kept without its cohort

    workshop = flask(["cohorts", "create", "saf-1", "--name", "Safi", "--course", "cuisine"], env)
    assert workshop.returncode == 1 and "cuisine" in workshop.stderr
    assert _rows(folder, "SELECT count(*) FROM cohorts WHERE code = 'SAF-1'") == [(0,)]
    role = flask(
        ["users", "create", "r@example.org", "--name", "R", "--role", "root"],
        env,
        input="s3cret-password\n",
    )
    assert role.returncode == 2 and "root" in role.stderr


def test_demo_seed_prints_accounts_once_and_never_in_production(installation, tmp_path):
    folder, env, _upgrade, _sync = installation
    first = flask(["demo", "seed"], env)
    assert first.returncode == 0, first.stderr
    assert "fatima@atelier.local" in first.stdout and "DEMO-2026" in first.stdout
    password = first.stdout.split("password for all: ", 1)[1].split(")", 1)[0]
    again = flask(["demo", "seed"], env)
    assert again.returncode == 0 and "already exist" in again.stdout
    assert _rows(folder, "SELECT count(*) FROM users WHERE email LIKE '%@atelier.local'") == [(5,)]
    assert _signs_in(folder, env, "fatima@atelier.local", password) == [
        "montage-video",
        "redaction-contenu",
        "marketing-digital",
    ]

    production = fresh_env(tmp_path, LMS_ENV="production")
    assert flask(["db", "upgrade"], production).returncode == 0
    refused = flask(["demo", "seed"], production)
    assert refused.returncode == 1 and "production" in refused.stderr
    assert _rows(tmp_path, "SELECT count(*) FROM users") == [(0,)]
