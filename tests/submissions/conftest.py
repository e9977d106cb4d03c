"""Fixtures for submissions and grading: a cohort following the writing workshop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Cohort, Role, User
from lms.courses.models import Assignment, Course, Module
from lms.extensions import db
from tests.factories import login, make_cohort, make_user


@dataclass
class Class:
    """A trainer's cohort with two trainees, and a second cohort with its own trainer."""

    trainer: User
    trainee: User
    classmate: User
    cohort: Cohort
    other_trainer: User
    outsider: User
    other_cohort: Cohort
    admin: User


def assignment_of(kind: str, course_slug: str | None = None) -> Assignment:
    """The first active assignment of a kind (optionally in one workshop)."""
    statement = (
        select(Assignment)
        .join(Module)
        .join(Course)
        .where(Assignment.kind == kind, Assignment.archived_at.is_(None))
        .order_by(Course.position, Module.position, Assignment.position)
    )
    if course_slug:
        statement = statement.where(Course.slug == course_slug)
    return db.session.scalars(statement).first()


def page_url(assignment: Assignment) -> str:
    module = assignment.module
    return f"/submissions/{module.course.slug}/{module.slug}/{assignment.slug}/"


@pytest.fixture
def klass(courses) -> Class:
    trainer = make_user(Role.TRAINER)
    other_trainer = make_user(Role.TRAINER)
    trainee = make_user(name="Fatima Zahra")
    classmate = make_user(name="Youssef")
    outsider = make_user(name="Karim")
    admin = make_user(Role.ADMIN)
    slugs = ["redaction-contenu", "marketing-digital", "montage-video"]
    cohort = make_cohort(
        slugs,
        trainer=trainer,
        trainees=[trainee, classmate],
        starts_on=date.today() - timedelta(days=1),
    )
    other = make_cohort(slugs, trainer=other_trainer, trainees=[outsider])
    return Class(trainer, trainee, classmate, cohort, other_trainer, outsider, other, admin)


@pytest.fixture
def text_assignment(klass) -> Assignment:
    return assignment_of("text", "redaction-contenu")


@pytest.fixture
def as_user(client):
    """Sign the test client in as someone (signing out whoever was signed in)."""

    def switch(user: User):
        client.post("/logout")
        login(client, user)
        return client

    return switch


def best_levels(assignment: Assignment) -> dict[int, int]:
    return {c.id: max(c.levels, key=lambda lvl: lvl.points).id for c in assignment.criteria}


def worst_levels(assignment: Assignment) -> dict[int, int]:
    return {c.id: min(c.levels, key=lambda lvl: lvl.points).id for c in assignment.criteria}


def review_form(assignment: Assignment, levels: dict[int, int], **fields) -> dict[str, str]:
    form = {f"criterion-{cid}": str(lid) for cid, lid in levels.items()}
    form.update({k: str(v) for k, v in fields.items()})
    return form
