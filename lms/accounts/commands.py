"""Command line: `users create`, `cohorts create` and `demo seed`."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from lms.accounts import services
from lms.accounts.models import Role
from lms.errors import DomainError
from lms.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")
cohorts_cli = AppGroup("cohorts", help="Manage cohorts.")
demo_cli = AppGroup("demo", help="Demo data for trying Atelier locally.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.TRAINEE.value)
@click.option("--cohort", "cohort_code", help="Code of a cohort the trainee joins.")
def create_user_command(email: str, name: str, role: str, cohort_code: str | None) -> None:
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = services.create_user(email, name, password, role)
        if cohort_code:
            services.join_cohort(user, cohort_code)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@cohorts_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--course", "courses", multiple=True, required=True, help="Workshop slug.")
@click.option("--trainer", "trainer_email")
@click.option("--region")
@click.option("--place")
@click.option("--starts-on", type=click.DateTime(["%Y-%m-%d"]))
def create_cohort_command(code, name, courses, trainer_email, region, place, starts_on) -> None:
    """Create a cohort following one or more workshops."""
    try:
        cohort = services.create_cohort(
            code,
            name,
            list(courses),
            trainer_email=trainer_email,
            region=region,
            place=place,
            starts_on=starts_on.date() if starts_on else None,
        )
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created cohort {cohort.code} ({cohort.name}); join code: {cohort.code}.")


DEMO_PASSWORD = "atelier-demo"  # noqa: S105 - printed to the developer, refused in production
DEMO_ACCOUNTS = [
    ("admin@atelier.local", "Salma Bennani", Role.ADMIN, "f"),
    ("formateur@atelier.local", "Youssef El Amrani", Role.TRAINER, "m"),
    ("fatima@atelier.local", "فاطمة الزهراء بنعلي", Role.TRAINEE, "f"),
    ("aicha@atelier.local", "Aïcha Ouédraogo", Role.TRAINEE, "f"),
    ("karim@atelier.local", "Karim Tazi", Role.TRAINEE, "m"),
]


@demo_cli.command("seed")
def seed_demo_command() -> None:
    """Create a demo cohort and accounts once; print them. Refused in production."""
    from sqlalchemy import select

    from lms.accounts.models import Cohort, User
    from lms.courses.models import Course

    if current_app.config["ENV"] == "production":
        click.echo("Demo accounts are never created in production.", err=True)
        sys.exit(1)
    if db.session.scalar(select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])):
        click.echo("Demo accounts already exist (password: see the first run's output).")
        return
    for email, name, role, gender in DEMO_ACCOUNTS:
        services.create_user(
            email, name, DEMO_PASSWORD, role, gender=gender, region="Casablanca-Settat"
        )
    slugs = list(db.session.scalars(select(Course.slug).where(Course.archived_at.is_(None))))
    if db.session.scalar(select(Cohort.id).where(Cohort.code == "DEMO-2026")) is None:
        cohort = services.create_cohort(
            "DEMO-2026",
            "Cohorte de démonstration — Khouribga",
            slugs,
            trainer_email="formateur@atelier.local",
            region="Béni Mellal-Khénifra",
            place="Khouribga",
            starts_on=date.today(),
        )
        for email, _name, role, _gender in DEMO_ACCOUNTS:
            if role == Role.TRAINEE:
                user = db.session.scalar(select(User).where(User.email == email))
                services.join_cohort(user, cohort.code)
    db.session.commit()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, role, _gender in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:8} {email:28} {name}")
    click.echo("Join code of the demo cohort: DEMO-2026")
