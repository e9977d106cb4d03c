"""Command line: `users create`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from lms.accounts import services
from lms.accounts.models import Role
from lms.errors import DomainError
from lms.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


def exit_with_error(error: DomainError) -> None:
    """Roll back, print the reason, exit with status 1."""
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
        exit_with_error(error)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
