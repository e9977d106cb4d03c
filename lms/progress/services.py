"""Progress services: marking a module read and summarising a trainee's progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, select

from lms.accounts.models import User
from lms.clock import utcnow
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import ModuleProgress
from lms.submissions.models import (
    Review,
    ReviewStatus,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
)


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
    recompute_module_completion(user, module)
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


# Completion rules: a module is complete when read and each required assignment is graded at or
# above the workshop's pass threshold. Released grades call recompute_module_completion in the
# same transaction; reasons explain to the trainee what is still missing.


@dataclass
class WorkState:
    """What completion needs to know of one trainee's work on one assignment."""

    status: str
    total: int | None = None
    max_points: int | None = None


def passes(total: int, max_points: int, threshold: int) -> bool:
    """At or above the threshold, in percent of the rubric's points."""
    return max_points <= 0 or total * 100 >= threshold * max_points


@cache
def work_statement() -> Select:
    """Work with its released grade, without conditions; built once (the joins cost more to
    assemble than the query takes to run on a cohort)."""
    return (
        select(
            Submission.user_id,
            Submission.assignment_id,
            Submission.status,
            # Named as WorkState's fields: a row reads like a WorkState.
            Review.total_points.label("total"),
            Review.max_points,
        )
        # A released grade exists only on the latest version of graded work (graded is final):
        # other work is not joined to its versions, so each submission gives one row.
        .outerjoin(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id)
            & (Submission.status == SubmissionStatus.GRADED)
            & (SubmissionVersion.number == Submission.current_number),
        )
        .outerjoin(
            Review,
            (Review.version_id == SubmissionVersion.id) & (Review.status == ReviewStatus.RELEASED),
        )
    )


def work_states(
    user_ids: Iterable[int] | Select, assignment_ids: Iterable[int], cohort_id: int | None = None
) -> dict:
    """(user_id, assignment_id) -> WorkState, with released grades, in one query; only the work
    handed in to `cohort_id` when given (what that cohort's trainers see of it)."""
    # user_ids may be a list or a select of ids (a cohort's members), which binds no parameters.
    users = user_ids if isinstance(user_ids, Select) else list(user_ids)
    assignments = list(assignment_ids)
    if not assignments or (isinstance(users, list) and not users):
        return {}
    statement = work_statement().where(
        Submission.user_id.in_(users),
        Submission.assignment_id.in_(assignments),
        Submission.holds_work,  # a row holding only an extension is no work
    )
    if cohort_id is not None:
        statement = statement.where(Submission.cohort_id == cohort_id)
    rows = db.session.execute(statement)
    states: dict = {}
    for user_id, assignment_id, status, total, max_points in rows:
        state = states.setdefault((user_id, assignment_id), WorkState(status))
        if total is not None:
            state.total, state.max_points = total, max_points
    return states


def completion_reasons(
    module: Module, read: bool, works: dict[int, WorkState], threshold: int
) -> list[str]:
    """Why a module is not complete (empty when it is), from data already loaded.

    `module` is a Module or any value with the same `assignments` (id, title, required,
    archived_at), such as the grid's outline.
    """
    reasons = [] if read else [_("Read the module and mark it as read.")]
    for assignment in module.assignments:
        if not assignment.required or assignment.archived_at is not None:
            continue
        work = works.get(assignment.id)
        title = assignment.title
        if work is None or work.status == "draft":
            reasons.append(_("Hand in “%(title)s”.", title=title))
        elif work.status == "submitted":
            reasons.append(_("“%(title)s” is waiting for the trainer's grade.", title=title))
        elif work.status == "returned":
            reasons.append(_("Revise “%(title)s” and hand it in again.", title=title))
        elif work.total is not None and not passes(work.total, work.max_points, threshold):
            reasons.append(
                _(
                    "“%(title)s” scored %(total)s/%(max)s; %(needed)s%% is needed to pass.",
                    title=title,
                    total=work.total,
                    max=work.max_points,
                    needed=threshold,
                )
            )
    return reasons


def module_completion_reasons(user: User, module: Module) -> list[str]:
    """What the trainee still has to do for the module; empty when it is complete."""
    row = db.session.get(ModuleProgress, (user.id, module.id))
    if row is not None and row.completed_at is not None:
        return []
    states = work_states([user.id], [a.id for a in module.assignments])
    works = {aid: state for (_uid, aid), state in states.items()}
    return completion_reasons(
        module, bool(row and row.read_at), works, module.course.pass_threshold
    )


def recompute_module_completion(user: User, module: Module) -> bool:
    """Set completed_at once the rules hold; a completed module stays complete. Flushes."""
    row = db.session.get(ModuleProgress, (user.id, module.id))
    if row is not None and row.completed_at is not None:
        return True
    if module_completion_reasons(user, module):
        return False
    if row is None:
        row = ModuleProgress(user_id=user.id, module_id=module.id)
        db.session.add(row)
    row.completed_at = utcnow()
    db.session.flush()
    return True


def course_complete(user: User, course: Course) -> tuple[bool, list[str]]:
    """Whether every required active module is complete, and what is missing otherwise."""
    from sqlalchemy.orm import selectinload

    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id, Module.archived_at.is_(None))
            .options(selectinload(Module.assignments))
            .order_by(Module.position)
        )
    )
    rows = progress_rows(user.id, (m.id for m in modules))
    states = work_states([user.id], [a.id for m in modules for a in m.assignments])
    works = {aid: state for (_uid, aid), state in states.items()}
    reasons: list[str] = []
    for module in modules:
        if not module.required:
            continue
        row = rows.get(module.id)
        if row is not None and row.completed_at is not None:
            continue
        missing = completion_reasons(
            module, bool(row and row.read_at), works, course.pass_threshold
        )
        reasons.extend(f"{module.title}: {reason}" for reason in missing)
    return not reasons, reasons
