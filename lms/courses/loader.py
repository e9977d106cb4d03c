"""Syncs the checked course files into the database in one transaction (the caller commits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.clock import utcnow
from lms.courses.files import (
    CourseFileError,
    CourseSpec,
    CriterionSpec,
    LevelSpec,
    ModuleSpec,
    read_courses,
)
from lms.courses.models import Assignment, Course, Module, RubricCriterion, RubricLevel
from lms.courses.revision import bump_catalogue_revision
from lms.extensions import db
from lms.markup import render_markdown

__all__ = ["CourseFileError", "SyncReport", "read_courses", "sync_courses"]


@dataclass
class SyncReport:
    """What a sync changed, by kind of row."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    archived: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)


def sync_courses(root: Path) -> SyncReport:
    """Bring the database in line with the folder; the caller commits (or nothing changes)."""
    specs = read_courses(root)
    report = SyncReport()
    existing = {
        c.slug: c
        for c in db.session.scalars(
            select(Course).options(
                selectinload(Course.modules)
                .selectinload(Module.assignments)
                .selectinload(Assignment.criteria)
                .selectinload(RubricCriterion.levels)
            )
        )
    }
    for spec in specs:
        course = existing.pop(spec.slug, None)
        if course is None:
            course = Course(slug=spec.slug)
            db.session.add(course)
            report.count(report.created, "courses")
        elif _assign(course, _course_fields(spec)):
            report.count(report.updated, "courses")
        _sync_modules(course, spec, report)
    now = utcnow()
    for course in existing.values():
        if course.archived_at is None:
            course.archived_at = now
            report.count(report.archived, "courses")
    bump_catalogue_revision()  # every process keeping a copy of the catalogue reads it again
    db.session.flush()
    return report


def _course_fields(spec: CourseSpec) -> dict:
    return {
        "position": spec.position,
        "hours": spec.hours,
        "pass_threshold": spec.pass_threshold,
        "max_attempts": spec.max_attempts,
        "archived_at": None,
        **{f"title_{k}": v for k, v in spec.titles.items()},
        **{f"summary_{k}": v or ("" if k == "fr" else None) for k, v in spec.summaries.items()},
    }


def _assign(row, values: dict) -> bool:
    """Set only the attributes that differ, so an unchanged file writes nothing."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _sync_modules(course: Course, spec: CourseSpec, report: SyncReport) -> None:
    if course.id is None:
        _assign(course, _course_fields(spec))
    current = {m.slug: m for m in course.modules}
    for module_spec in spec.modules:
        module = current.pop(module_spec.slug, None)
        values = {
            "position": module_spec.position,
            "reading_minutes": module_spec.reading_minutes,
            "required": module_spec.required,
            "body_md": module_spec.body,
            "archived_at": None,
            **{f"title_{k}": v for k, v in module_spec.titles.items()},
        }
        if module is None:
            module = Module(slug=module_spec.slug, course=course, **values)
            module.body_html = str(render_markdown(module_spec.body))
            db.session.add(module)
            report.count(report.created, "modules")
        else:
            if module.body_md != module_spec.body:
                values["body_html"] = str(render_markdown(module_spec.body))
            if _assign(module, values):
                report.count(report.updated, "modules")
        _sync_assignments(module, module_spec, spec, report)
    for module in current.values():
        if module.archived_at is None:
            module.archived_at = utcnow()
            report.count(report.archived, "modules")


def _sync_assignments(module: Module, spec: ModuleSpec, course: CourseSpec, report) -> None:
    current = {a.slug: a for a in module.assignments}
    for position, a_spec in enumerate(spec.assignments):
        assignment = current.pop(a_spec.slug, None)
        values = {
            "position": position,
            "kind": a_spec.kind,
            "title": a_spec.title,
            "instructions_md": a_spec.instructions,
            "due_offset_days": a_spec.due_offset_days,
            "required": a_spec.required,
            "max_attempts": a_spec.max_attempts or course.max_attempts,
            "archived_at": None,
        }
        if assignment is None:
            assignment = Assignment(slug=a_spec.slug, module=module, **values)
            assignment.instructions_html = str(render_markdown(a_spec.instructions))
            db.session.add(assignment)
            report.count(report.created, "assignments")
        else:
            if assignment.instructions_md != a_spec.instructions:
                values["instructions_html"] = str(render_markdown(a_spec.instructions))
            if _assign(assignment, values):
                report.count(report.updated, "assignments")
        if _sync_rubric(assignment, a_spec.criteria):
            report.count(report.updated, "rubrics")
    for assignment in current.values():
        if assignment.archived_at is None:
            assignment.archived_at = utcnow()
            report.count(report.archived, "assignments")


def _sync_rubric(assignment: Assignment, criteria: list[CriterionSpec]) -> bool:
    """Criteria are matched by position; their ids stay stable when only wording changes."""
    changed = False
    existing = list(assignment.criteria) if assignment.id is not None else []
    for position, c_spec in enumerate(criteria):
        if position < len(existing):
            criterion = existing[position]
            changed |= _assign(
                criterion, {"title": c_spec.title, "description": c_spec.description}
            )
        else:
            criterion = RubricCriterion(
                position=position, title=c_spec.title, description=c_spec.description
            )
            assignment.criteria.append(criterion)
            changed = True
        changed |= _sync_levels(criterion, c_spec.levels)
    for criterion in existing[len(criteria) :]:
        assignment.criteria.remove(criterion)
        changed = True
    return changed and assignment.id is not None


def _sync_levels(criterion: RubricCriterion, levels: list[LevelSpec]) -> bool:
    current = sorted(criterion.levels, key=lambda lvl: lvl.position) if criterion.id else []
    wanted = [(i, lvl.label, lvl.points) for i, lvl in enumerate(levels)]
    if [(lvl.position, lvl.label, lvl.points) for lvl in current] == wanted:
        return False
    for level in current:
        criterion.levels.remove(level)
    for position, label, points in wanted:
        criterion.levels.append(RubricLevel(position=position, label=label, points=points))
    return True
