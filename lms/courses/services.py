"""Course services: which workshops a person may see, and permission-checked fetches."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import defer, selectinload

from lms.accounts.models import CohortCourse, CohortMember, CohortTrainer, User
from lms.courses.models import Assignment, Course, Module
from lms.errors import NotFound
from lms.extensions import db

# Lists show titles and statuses: the long texts stay in the database until a page shows them.
_LIGHT_MODULES = (defer(Module.body_md), defer(Module.body_html))
_LIGHT_ASSIGNMENTS = (defer(Assignment.instructions_md), defer(Assignment.instructions_html))

COURSE_NOT_FOUND = _l("This workshop does not exist or is not open to you.")
MODULE_NOT_FOUND = _l("This module does not exist in this workshop.")


def _visible_to(user: User):
    """A condition on Course: the user follows it, trains it, or administers everything."""
    if user.is_admin:
        return Course.archived_at.is_(None)
    if user.is_trainer:
        link = (
            select(CohortCourse.course_id)
            .join(CohortTrainer, CohortTrainer.cohort_id == CohortCourse.cohort_id)
            .where(CohortTrainer.user_id == user.id)
        )
    else:
        link = (
            select(CohortCourse.course_id)
            .join(CohortMember, CohortMember.cohort_id == CohortCourse.cohort_id)
            .where(CohortMember.user_id == user.id)
        )
    return Course.archived_at.is_(None) & Course.id.in_(link)


def list_courses(user: User) -> list[Course]:
    """The workshops a person sees in the catalogue, modules and assignments loaded."""
    return list(
        db.session.scalars(
            select(Course)
            .where(_visible_to(user))
            .options(
                selectinload(Course.modules)
                .options(*_LIGHT_MODULES)
                .selectinload(Module.assignments)
                .options(*_LIGHT_ASSIGNMENTS)
            )
            .order_by(Course.position, Course.slug)
        )
    )


def access_course(user: User, slug: str) -> Course:
    """The workshop if the user may see it, else NotFound (never reveal it exists)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug, _visible_to(user)))
    if course is None:
        raise NotFound(COURSE_NOT_FOUND)
    return course


def active_modules(course: Course) -> list[Module]:
    """The workshop's modules in order with their assignments (titles only), in two queries."""
    return list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id, Module.archived_at.is_(None))
            .options(*_LIGHT_MODULES, selectinload(Module.assignments).options(*_LIGHT_ASSIGNMENTS))
            .order_by(Module.position)
        )
    )


def access_module(user: User, course_slug: str, module_slug: str) -> tuple[Course, Module]:
    """A module of a workshop the user may see, else NotFound."""
    course = access_course(user, course_slug)
    module = db.session.scalar(
        select(Module)
        .where(
            Module.course_id == course.id,
            Module.slug == module_slug,
            Module.archived_at.is_(None),
        )
        .options(selectinload(Module.assignments))
    )
    if module is None:
        raise NotFound(MODULE_NOT_FOUND)
    return course, module


def is_trainee_of(user: User, course: Course) -> bool:
    """Whether the user follows the workshop as a trainee (progress applies only then)."""
    if not user.is_trainee:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CohortCourse.course_id == course.id,
                    CohortMember.cohort_id == CohortCourse.cohort_id,
                    CohortMember.user_id == user.id,
                )
            )
        )
    )
