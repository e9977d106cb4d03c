"""Course services: which workshops a person may see, and permission-checked fetches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import defer, selectinload

from lms.accounts.access import member_cohort_ids, trained_cohort_ids
from lms.accounts.models import CohortCourse, CohortMember, User
from lms.courses.models import Assignment, Course, Module
from lms.errors import NotFound
from lms.extensions import db
from lms.i18n import current_language, pick

# Lists show titles and statuses: the long texts stay in the database until a page shows them.
_LIGHT_MODULES = (defer(Module.body_md), defer(Module.body_html))
_LIGHT_ASSIGNMENTS = (defer(Assignment.instructions_md), defer(Assignment.instructions_html))

COURSE_NOT_FOUND = _l("This workshop does not exist or is not open to you.")
MODULE_NOT_FOUND = _l("This module does not exist in this workshop.")


def _visible_to(user: User):
    """A condition on Course: the user follows it, trains it, or administers everything."""
    return _visibility(_role(user), user.id)


def _role(user: User) -> str:
    return "admin" if user.is_admin else "trainer" if user.is_trainer else "member"


def _visibility(role: str, user_id):
    """The condition of _visible_to for a role; user_id may be a bound parameter."""
    if role == "admin":
        return Course.archived_at.is_(None)
    cohorts = trained_cohort_ids(user_id) if role == "trainer" else member_cohort_ids(user_id)
    link = select(CohortCourse.course_id).where(CohortCourse.cohort_id.in_(cohorts))
    return Course.archived_at.is_(None) & Course.id.in_(link)


@cache
def _course_by_slug(role: str) -> Select:
    """Built once per role with bound parameters: every workshop and module page asks."""
    return select(Course).where(
        Course.slug == bindparam("slug"), _visibility(role, bindparam("user_id"))
    )


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
    course = db.session.scalar(_course_by_slug(_role(user)), {"slug": slug, "user_id": user.id})
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


@dataclass
class AssignmentLine:
    """What the workshop page and its progress need of an assignment."""

    id: int
    required: bool
    archived_at: datetime | None


@dataclass
class ModuleLine:
    """A module as the workshop page lists it, its title already in the reader's language."""

    id: int
    slug: str
    title: str
    required: bool
    reading_minutes: int
    assignments: list[AssignmentLine] = field(default_factory=list)


# Built once: one Core query instead of Module and Assignment objects in two.
_MODULE_LINES = (
    select(
        Module.id,
        Module.slug,
        Module.title_fr,
        Module.title_ar,
        Module.title_en,
        Module.required,
        Module.reading_minutes,
        Assignment.id,
        Assignment.required,
        Assignment.archived_at,
    )
    .outerjoin(Assignment, Assignment.module_id == Module.id)
    .where(Module.course_id == bindparam("course_id"), Module.archived_at.is_(None))
    .order_by(Module.position, Module.id, Assignment.position)
)


def module_lines(course: Course) -> list[ModuleLine]:
    """The workshop's active modules in order, with their assignments, as plain values."""
    language = current_language()
    modules: dict[int, ModuleLine] = {}
    rows = db.session.execute(_MODULE_LINES, {"course_id": course.id})
    for module_id, slug, fr, ar, en, required, minutes, a_id, a_required, a_archived in rows:
        module = modules.get(module_id)
        if module is None:
            title = pick({"fr": fr, "ar": ar, "en": en}, language)
            module = modules[module_id] = ModuleLine(module_id, slug, title, required, minutes)
        if a_id is not None:
            module.assignments.append(AssignmentLine(a_id, a_required, a_archived))
    return list(modules.values())


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
