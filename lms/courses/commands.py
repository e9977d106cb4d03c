"""Command line: `courses sync`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.loader import CourseFileError, sync_courses
from lms.extensions import db

cli = AppGroup("courses", help="Manage workshops.")


@cli.command("sync")
@click.option("--dir", "folder", type=click.Path(path_type=Path), help="Default: LMS_COURSES_DIR.")
def sync_command(folder: Path | None) -> None:
    """Import the courses folder; idempotent; a bad file stops it and changes nothing."""
    root = folder or Path(current_app.config["COURSES_DIR"])
    try:
        report = sync_courses(root)
    except CourseFileError as error:
        db.session.rollback()
        click.echo(f"Error: {error.path}, line {error.line}: {error.message}", err=True)
        click.echo("Nothing was changed.", err=True)
        sys.exit(1)
    db.session.commit()
    if not report.changed:
        click.echo("Courses are up to date; nothing changed.")
        return
    for label, bucket in (
        ("created", report.created),
        ("updated", report.updated),
        ("archived", report.archived),
    ):
        if bucket:
            parts = ", ".join(f"{n} {kind}" for kind, n in sorted(bucket.items()))
            click.echo(f"{label}: {parts}")
