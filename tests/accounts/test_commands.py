"""The `users create` and `cohorts create` commands."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from lms.accounts.models import Cohort, Role, User
from lms.extensions import db


def test_users_create_reads_the_password_from_stdin(runner, courses):
    runner.invoke(
        args=["cohorts", "create", "KHB-1", "--name", "Khouribga", "--course", "montage-video"]
    )
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Nadia@Example.test",
            "--name",
            "Nadia Idrissi",
            "--role",
            "trainee",
            "--cohort",
            "KHB-1",
        ],
        input="s3cret-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nadia@example.test"))
    assert user.role == Role.TRAINEE
    assert check_password_hash(user.password_hash, "s3cret-password")
    assert [m.cohort.code for m in user.memberships] == ["KHB-1"]


def test_users_create_refuses_a_short_password(runner, app):
    result = runner.invoke(
        args=["users", "create", "a@example.test", "--name", "A"], input="short\n"
    )
    assert result.exit_code == 1
    assert "au moins 8" in result.output or "at least 8" in result.output
    assert db.session.scalar(select(User)) is None


def test_cohorts_create_with_trainer_courses_and_region(runner, courses):
    runner.invoke(
        args=["users", "create", "trainer@example.test", "--name", "T", "--role", "trainer"],
        input="password-123\n",
    )
    result = runner.invoke(
        args=[
            "cohorts",
            "create",
            "dakar-2026",
            "--name",
            "Incubateur Dakar",
            "--course",
            "marketing-digital",
            "--course",
            "redaction-contenu",
            "--trainer",
            "trainer@example.test",
            "--region",
            "Dakar (Sénégal)",
        ]
    )
    assert result.exit_code == 0, result.output
    cohort = db.session.scalar(select(Cohort))
    assert cohort.code == "DAKAR-2026" and cohort.region == "Dakar (Sénégal)"
    assert len(cohort.courses) == 2 and len(cohort.trainers) == 1


def test_cohorts_create_refuses_an_unknown_workshop(runner, courses):
    result = runner.invoke(args=["cohorts", "create", "X-1", "--name", "X", "--course", "cuisine"])
    assert result.exit_code == 1
    assert "cuisine" in result.output
    assert db.session.scalar(select(Cohort)) is None
