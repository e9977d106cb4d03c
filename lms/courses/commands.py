"""Command line: `cohorts create` and `demo seed`, which link cohorts to workshops."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.commands import exit_with_error
from lms.accounts.models import Cohort, Role, User
from lms.courses.cohorts import create_cohort
from lms.courses.models import Course
from lms.errors import DomainError
from lms.extensions import db

cohorts_cli = AppGroup("cohorts", help="Manage cohorts.")
demo_cli = AppGroup("demo", help="Demo data for trying Atelier locally.")


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
        cohort = create_cohort(
            code,
            name,
            list(courses),
            trainer_email=trainer_email,
            region=region,
            place=place,
            starts_on=starts_on.date() if starts_on else None,
        )
    except DomainError as error:
        exit_with_error(error)
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
    if current_app.config["ENV"] == "production":
        click.echo("Demo accounts are never created in production.", err=True)
        sys.exit(1)
    if db.session.scalar(select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])):
        click.echo("Demo accounts already exist (password: see the first run's output).")
        return
    for email, name, role, gender in DEMO_ACCOUNTS:
        accounts.create_user(
            email, name, DEMO_PASSWORD, role, gender=gender, region="Casablanca-Settat"
        )
    slugs = list(db.session.scalars(select(Course.slug).where(Course.archived_at.is_(None))))
    if db.session.scalar(select(Cohort.id).where(Cohort.code == "DEMO-2026")) is None:
        cohort = create_cohort(
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
                accounts.join_cohort(user, cohort.code)
    db.session.commit()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, role, _gender in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:8} {email:28} {name}")
    click.echo("Join code of the demo cohort: DEMO-2026")
