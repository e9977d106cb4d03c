"""Progress services: marking a module read and summarising a trainee's progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from lms.accounts.models import User
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import ModuleProgress
from lms.security import utcnow


class ModuleStatus(StrEnum):
    """Where a trainee stands in a module."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


@dataclass
class ModuleState:
    """A module's status for one trainee, with what is still missing."""

    module: Module
    read: bool
    status: ModuleStatus
    missing: list[str] = field(default_factory=list)


@dataclass
class CourseProgress:
    """A trainee's progress in a workshop: steps done out of steps to do."""

    course: Course
    modules: list[ModuleState]

    @property
    def steps_total(self) -> int:
        return sum(1 + _required_assignments(m.module) for m in self.modules if m.module.required)

    @property
    def steps_done(self) -> int:
        done = 0
        for state in self.modules:
            if not state.module.required:
                continue
            if state.status == ModuleStatus.COMPLETE:
                done += 1 + _required_assignments(state.module)
            else:
                done += int(state.read)
        return done

    @property
    def percent(self) -> int:
        total = self.steps_total
        return round(100 * self.steps_done / total) if total else 0

    @property
    def complete(self) -> bool:
        return all(s.status == ModuleStatus.COMPLETE for s in self.modules if s.module.required)


def _required_assignments(module: Module) -> int:
    return sum(1 for a in module.assignments if a.required and a.archived_at is None)


def mark_module_read(user: User, module: Module) -> ModuleProgress:
    """Record that the trainee read the module; reading twice keeps the first time."""
    row = db.session.get(ModuleProgress, (user.id, module.id))
    if row is None:
        row = ModuleProgress(user_id=user.id, module_id=module.id)
        db.session.add(row)
    if row.read_at is None:
        row.read_at = utcnow()
    db.session.flush()
    return row


def progress_rows(user_id: int, module_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """The trainee's progress rows for these modules, in one query."""
    ids = list(module_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_id.in_(ids)
        )
    )
    return {row.module_id: row for row in rows}


def module_state(module: Module, row: ModuleProgress | None) -> ModuleState:
    """Status of one module from its progress row."""
    read = bool(row and row.read_at)
    if row and row.completed_at:
        return ModuleState(module, read, ModuleStatus.COMPLETE)
    missing = [] if read else ["reading"]
    if _required_assignments(module):
        missing.append("assignments")
    status = ModuleStatus.IN_PROGRESS if read else ModuleStatus.NOT_STARTED
    if not missing:
        status = ModuleStatus.COMPLETE
    return ModuleState(module, read, status, missing)


def course_progress(user: User, course: Course, modules: list[Module]) -> CourseProgress:
    """Progress of a trainee in a workshop whose active modules are given (already loaded)."""
    rows = progress_rows(user.id, (m.id for m in modules))
    return CourseProgress(course, [module_state(m, rows.get(m.id)) for m in modules])


def catalogue_progress(user: User, courses: list[Course]) -> dict[int, CourseProgress]:
    """Progress in several workshops with one query for all progress rows."""
    modules = [m for c in courses for m in c.modules if m.archived_at is None]
    rows = progress_rows(user.id, (m.id for m in modules))
    return {
        c.id: CourseProgress(
            c, [module_state(m, rows.get(m.id)) for m in c.modules if m.archived_at is None]
        )
        for c in courses
    }
