"""Trainers' pages keep workshop outlines until `courses sync` bumps the catalogue's revision;
who may open what, and which workshops a cohort follows, are asked on every request."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select, text

from lms.accounts.models import CohortTrainer
from lms.courses.models import Course, Module
from lms.courses.revision import bump_catalogue_revision, catalogue_token
from lms.extensions import db
from tests.cli import flask
from tests.factories import TEST_COURSES

GRID = "/grading/cohorts/{}/?course=redaction-contenu"


def _module(slug: str) -> Module:
    return db.session.scalar(
        select(Module).join(Course).where(Course.slug == "redaction-contenu", Module.slug == slug)
    )


def _grid(client, cohort) -> str:
    # Outlines are kept only under a revision token, which syncing the courses wrote.
    assert catalogue_token() is not None
    return client.get(GRID.format(cohort.id)).text


@pytest.mark.slow  # `flask courses sync` in a subprocess
def test_a_sync_from_the_command_line_shows_at_once(klass, as_user, app, tmp_path):
    """`courses sync`, run by another process, changes a title: every page shows it at once."""
    trainer = as_user(klass.trainer)
    assert "Structurer un texte" in _grid(trainer, klass.cohort)
    folder = tmp_path / "courses"
    shutil.copytree(TEST_COURSES, folder)
    module_file = folder / "redaction-contenu" / "02-structure.md"
    module_file.write_text(
        module_file.read_text().replace("Structurer un texte", "Structurer, édition revue")
    )
    db.session.commit()
    environment = {
        "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LMS_MEDIA_DIR": app.config["MEDIA_DIR"],
        "LMS_SECRET_KEY": "cli-test-secret",
        "LMS_HUEY_IMMEDIATE": "1",
    }
    done = flask(["courses", "sync", "--dir", str(folder)], environment)
    assert done.returncode == 0, done.stderr
    page = _grid(trainer, klass.cohort)
    assert "Structurer, édition revue" in page and "Structurer un texte" not in page


def test_raw_sql_that_bumps_the_revision_shows_at_once(klass, as_user):
    """A data migration or raw SQL changing the catalogue bumps the revision, as documented."""
    trainer = as_user(klass.trainer)
    module = _module("structure")
    assert module.title_fr in _grid(trainer, klass.cohort)
    db.session.execute(
        text("UPDATE modules SET title_fr = 'Module réécrit ailleurs' WHERE id = :id"),
        {"id": module.id},
    )
    bump_catalogue_revision()
    db.session.commit()
    assert "Module réécrit ailleurs" in _grid(trainer, klass.cohort)


def test_a_workshop_dropped_by_the_cohort_leaves_the_queue_filters(klass, as_user):
    """Which workshops a cohort follows is no part of what is kept: no bump needed."""
    trainer = as_user(klass.trainer)
    assert catalogue_token() is not None
    queue = trainer.get("/grading/").text
    followed = [c.course_id for c in klass.cohort.courses]
    assert len(followed) >= 2
    dropped = db.session.get(Course, followed[-1])
    assert f">{dropped.title_fr}</option>" in queue
    klass.cohort.courses = [c for c in klass.cohort.courses if c.course_id != dropped.id]
    db.session.commit()
    assert f">{dropped.title_fr}</option>" not in trainer.get("/grading/").text


def test_who_may_open_a_cohort_follows_its_trainers_and_name_at_once(klass, as_user):
    """Whether a trainer trains a cohort is asked on each request: a trainer taken off the
    cohort is refused at once, one added is let in at once, a new name shows at once."""
    grid = GRID.format(klass.cohort.id)
    trainer = as_user(klass.trainer)
    assert catalogue_token() is not None
    assert trainer.get(grid).status_code == 200
    klass.cohort.name = "Cohorte renommée"
    db.session.commit()
    assert "Cohorte renommée" in trainer.get(grid).text
    klass.cohort.trainers = [CohortTrainer(user_id=klass.other_trainer.id)]
    db.session.commit()
    assert trainer.get(grid).status_code == 404
    assert as_user(klass.other_trainer).get(grid).status_code == 200
