"""Commands that compose several packages: `courses sync` imports the workshops, then their
lesson videos through the media pipeline."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.courses.loader import CourseFileError, sync_courses
from lms.courses.models import Course
from lms.extensions import db
from lms.media.lessons import LessonSyncReport, sync_lesson_videos

courses_cli = AppGroup("courses", help="Manage workshops.")


@courses_cli.command("sync")
@click.option("--dir", "folder", type=click.Path(path_type=Path), help="Default: LMS_COURSES_DIR.")
def sync_command(folder: Path | None) -> None:
    """Import the courses folder and queue its new lesson videos; idempotent; a bad file
    stops it and changes nothing."""
    root = folder or Path(current_app.config["COURSES_DIR"])
    try:
        report = sync_courses(root)
        videos = _sync_videos(root)
    except CourseFileError as error:
        db.session.rollback()
        click.echo(f"Error: {error.path}, line {error.line}: {error.message}", err=True)
        click.echo("Nothing was changed.", err=True)
        sys.exit(1)
    db.session.commit()  # and with it, the new videos go to the workers
    if not report.changed and not videos.queued:
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
    if videos.queued:
        click.echo(f"lesson videos queued: {len(videos.queued)}")


def _sync_videos(root: Path) -> LessonSyncReport:
    """Send the new videos of each workshop's media/ folder through the upload pipeline."""
    combined = LessonSyncReport()
    slugs = db.session.scalars(select(Course.slug).where(Course.archived_at.is_(None))).all()
    for slug in sorted(slugs):
        folder = root / slug
        if folder.is_dir():
            report = sync_lesson_videos(slug, folder)
            combined.queued.extend(report.queued)
            combined.unchanged.extend(report.unchanged)
    return combined
