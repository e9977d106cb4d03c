"""Trainers' pages keep workshop outlines until the catalogue changes, whoever changes it."""

from __future__ import annotations

import secrets

from sqlalchemy import select, text, update

from lms.courses.models import Course, Module
from lms.courses.revision import CatalogueRevision, catalogue_token
from lms.extensions import db


def _first_module():
    return db.session.scalar(
        select(Module)
        .join(Course)
        .where(Course.slug == "redaction-contenu", Module.archived_at.is_(None))
        .order_by(Module.position)
    )


def _grid(client, cohort):
    # Outlines are kept only under a revision token, which syncing the courses wrote.
    assert catalogue_token() is not None
    return client.get(f"/grading/cohorts/{cohort.id}/?course=redaction-contenu").text


def test_a_title_changed_through_the_application_shows_at_once(klass, as_user):
    trainer = as_user(klass.trainer)
    module = _first_module()
    assert module.title_fr in _grid(trainer, klass.cohort)
    module.title_fr = "Écrire pour le web, édition revue"
    db.session.commit()
    page = _grid(trainer, klass.cohort)
    assert "Écrire pour le web, édition revue" in page


def test_a_change_written_by_another_process_shows_at_once(klass, as_user, app):
    """As `courses sync` does from the command line: another connection, another process."""
    trainer = as_user(klass.trainer)
    module = _first_module()
    module_id, before = module.id, module.title_fr
    assert before in _grid(trainer, klass.cohort)
    db.session.commit()
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE modules SET title_fr = 'Module réécrit ailleurs' WHERE id = :id"),
            {"id": module_id},
        )
        other.execute(update(CatalogueRevision).values(token=secrets.token_hex(16)))
    page = _grid(trainer, klass.cohort)
    assert "Module réécrit ailleurs" in page and before not in page


def test_a_workshop_dropped_by_the_cohort_leaves_the_queue_filters(klass, as_user):
    trainer = as_user(klass.trainer)
    assert catalogue_token() is not None
    queue = trainer.get("/grading/").text
    followed = [c.course_id for c in klass.cohort.courses]
    assert len(followed) >= 2
    dropped = db.session.get(Course, followed[-1])
    assert f">{dropped.title_fr}</option>" in queue
    # Replacing the collection deletes the orphan link row: a change the outlines must see.
    klass.cohort.courses = [c for c in klass.cohort.courses if c.course_id != dropped.id]
    db.session.commit()
    assert f">{dropped.title_fr}</option>" not in trainer.get("/grading/").text


def test_who_may_open_a_cohort_follows_its_trainers_and_name_at_once(klass, as_user):
    """Whether a trainer trains a cohort is kept with the outlines: a trainer taken off the
    cohort is refused at once, one added is let in at once, a new name shows at once."""
    from lms.accounts.models import CohortTrainer

    grid = f"/grading/cohorts/{klass.cohort.id}/?course=redaction-contenu"
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
