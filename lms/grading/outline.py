"""Workshops, modules and assignments as plain values, in one query, for the trainer's pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select

from lms.courses.models import Assignment, Course, Module
from lms.courses.revision import cached
from lms.extensions import read_rows
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


# Built once: its sixteen columns and joins cost more to assemble than the query takes to run.
_OUTLINE = (
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
    .order_by(Course.position, Course.slug, Module.position, Assignment.position)
)


def outline_query(*conditions: ColumnElement[bool]) -> Select:
    """The outline of the active workshops matching the conditions on Course.

    Build it once, at import, with bound parameters for the values: a statement made per request
    has its cache key computed per request, which costs more than running it.
    """
    return _OUTLINE.where(Course.archived_at.is_(None), *conditions)


ALL_WORKSHOPS = outline_query()


def course_outlines(
    statement: Select = ALL_WORKSHOPS, params: dict | None = None
) -> list[OutlineCourse]:
    """Workshops with modules and assignments, from an `outline_query` statement.

    One Core query and no ORM objects: the course texts (module bodies, instructions) are
    never read, and titles are picked in the reader's language. `params` gives the values of the
    statement's bound parameters. The result is kept until the catalogue's revision changes
    (lms/courses/revision.py).
    """
    language = current_language()
    key = ("outline", id(statement), tuple(sorted((params or {}).items())), language)
    return cached(key, lambda: _build(read_rows(statement, params), language))


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
