"""Workshops, modules and assignments as plain values for the trainer's pages, kept per revision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select

from lms.courses.models import Assignment, Course, Module
from lms.courses.revision import catalogue_token
from lms.extensions import db
from lms.i18n import current_language, pick


@dataclass
class OutlineAssignment:
    """What the queue, the grid and completion rules need of an assignment."""

    id: int
    title: str
    required: bool
    archived_at: datetime | None


@dataclass
class OutlineModule:
    """A module with its title in the reader's language and its assignments in order."""

    id: int
    title: str
    required: bool
    archived_at: datetime | None
    assignments: list[OutlineAssignment] = field(default_factory=list)

    @property
    def has_required_work(self) -> bool:
        """Whether completing the module needs graded work, not only reading."""
        return any(a.required and a.archived_at is None for a in self.assignments)


@dataclass
class OutlineCourse:
    """A workshop with its modules in order (archived ones included, flagged)."""

    id: int
    slug: str
    title: str
    pass_threshold: int
    modules: list[OutlineModule] = field(default_factory=list)

    @property
    def active_modules(self) -> list[OutlineModule]:
        return [m for m in self.modules if m.archived_at is None]


# The active workshops with their modules and assignments, oldest position first.
ALL_WORKSHOPS = (
    select(
        Course.id,
        Course.slug,
        Course.title_fr,
        Course.title_ar,
        Course.title_en,
        Course.pass_threshold,
        Module.id.label("module_id"),
        Module.title_fr.label("module_fr"),
        Module.title_ar.label("module_ar"),
        Module.title_en.label("module_en"),
        Module.required.label("module_required"),
        Module.archived_at.label("module_archived_at"),
        Assignment.id.label("assignment_id"),
        Assignment.title.label("assignment_title"),
        Assignment.required.label("assignment_required"),
        Assignment.archived_at.label("assignment_archived_at"),
    )
    .join(Module, Module.course_id == Course.id)
    .outerjoin(Assignment, Assignment.module_id == Module.id)
    .where(Course.archived_at.is_(None))
    .order_by(Course.position, Course.slug, Module.position, Assignment.position)
)

# language -> (the catalogue token it was read under, the outlines): the trainer's pages show
# them on every request, and reading them again cost a third of the queue's time. The cache holds
# the catalogue alone, at most one entry per language; which workshops a person may see is asked
# of the database on each request. It is read again when `courses sync` bumps the token
# (lms/courses/revision.py). Callers only read what they get: threads share it.
_outlines: dict[str, tuple[str, list[OutlineCourse]]] = {}


def catalogue_outlines(token: str | None) -> list[OutlineCourse]:
    """Every active workshop with its modules and assignments, titles in the reader's language,
    as of the catalogue's `token` (read by the caller before: what is built here reflects at
    least that revision)."""
    language = current_language()
    kept = _outlines.get(language)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    outlines = _build(db.session.execute(ALL_WORKSHOPS), language)
    if token is not None:  # never synced: nothing to tell a stale copy by
        _outlines[language] = (token, outlines)
    return outlines


def course_outlines(
    courses_and_token: Select | None = None, params: dict | None = None
) -> list[OutlineCourse]:
    """The outlines of all active workshops, or of those whose ids `courses_and_token` selects
    (its rows: a course id and revision.TOKEN_COLUMN, one statement for both), with `params` for
    its bound parameters. No ORM objects; the course texts are never read."""
    if courses_and_token is None:
        return catalogue_outlines(catalogue_token())
    rows = db.session.execute(courses_and_token, params).all()
    if not rows:
        return []
    kept = {course_id for course_id, _token in rows}
    return [course for course in catalogue_outlines(rows[0][1]) if course.id in kept]


def _build(rows, language: str) -> list[OutlineCourse]:
    courses: dict[int, OutlineCourse] = {}
    modules: dict[int, OutlineModule] = {}
    for row in rows:
        course = courses.get(row.id)
        if course is None:
            title = pick({"fr": row.title_fr, "ar": row.title_ar, "en": row.title_en}, language)
            course = courses[row.id] = OutlineCourse(row.id, row.slug, title, row.pass_threshold)
        module = modules.get(row.module_id)
        if module is None:
            titles = {"fr": row.module_fr, "ar": row.module_ar, "en": row.module_en}
            module = modules[row.module_id] = OutlineModule(
                row.module_id,
                pick(titles, language),
                row.module_required,
                row.module_archived_at,
            )
            course.modules.append(module)
        if row.assignment_id is not None:
            module.assignments.append(
                OutlineAssignment(
                    row.assignment_id,
                    row.assignment_title,
                    row.assignment_required,
                    row.assignment_archived_at,
                )
            )
    return list(courses.values())
