"""A trainee seen by their trainer, and a cohort's due dates, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from lms.accounts.models import CohortMember, User
from lms.courses.models import Assignment
from lms.errors import NotFound
from lms.extensions import db
from lms.grading.grid import CohortSummary, Trainee, cohort_workshop
from lms.grading.grid_statements import COURSE_MODULES
from lms.grading.outline import OutlineCourse
from lms.grading.statuses import cell_labels, module_status, work_rank
from lms.progress.models import ModuleProgress
from lms.progress.services import WorkState, completion_reasons, work_statement
from lms.submissions.models import CohortDueDate, Submission

NOT_A_MEMBER = _l("This trainee is not in the cohort.")


@dataclass(slots=True)
class Deadline:
    """The due date that applies, and where it comes from."""

    due: date | None
    # extension (this trainee only) | cohort (set by a trainer) | schedule (start + offset) | None
    source: str | None
    offset_days: int | None = None


@dataclass(slots=True)
class AssignmentLine:
    """One assignment of the trainee's workshop, with their work on it."""

    id: int
    title: str
    required: bool
    status: str | None  # as the trainee sees it: draft | submitted | returned | graded | None
    total: int | None
    max_points: int | None
    deadline: Deadline
    late: bool
    submission_id: int | None  # set once something was handed in: the grading page exists

    @property
    def graded(self) -> bool:
        return self.total is not None


@dataclass(slots=True)
class ModuleLine:
    """A module's status for the trainee, as in the grid, and why it is not complete."""

    id: int
    title: str
    status: str  # complete | waiting | returned | in_progress | not_started
    label: str
    reasons: list[str]
    assignments: list[AssignmentLine]


@dataclass
class TraineeOverview:
    """Everything the trainer's page about one trainee shows for one workshop."""

    cohort: CohortSummary
    trainee: Trainee
    course: OutlineCourse
    courses: list[OutlineCourse]
    modules: list[ModuleLine]

    @property
    def has_assignments(self) -> bool:
        return any(module.assignments for module in self.modules)


@dataclass(slots=True)
class DueDateModule:
    """A module and the cohort's deadline for each of its active assignments."""

    title: str
    assignments: list[tuple[int, str, Deadline]]  # id, title, deadline


@dataclass
class CohortDueDates:
    """A cohort's due dates in one workshop."""

    cohort: CohortSummary
    course: OutlineCourse
    courses: list[OutlineCourse]
    modules: list[DueDateModule]

    @property
    def has_assignments(self) -> bool:
        return any(module.assignments for module in self.modules)


# Built once with bound parameters (see grid.py): cohort_id, course_id, trainee_id.
_ASSIGNMENTS = select(Assignment.id).where(Assignment.module_id.in_(COURSE_MODULES))
_MEMBER = (
    select(User.id, User.name, User.email)
    .join(CohortMember, CohortMember.user_id == User.id)
    .where(CohortMember.cohort_id == bindparam("cohort_id"), User.id == bindparam("trainee_id"))
)
_SCHEDULE = (
    select(Assignment.id, Assignment.due_offset_days, CohortDueDate.due_on)
    .outerjoin(
        CohortDueDate,
        (CohortDueDate.assignment_id == Assignment.id)
        & (CohortDueDate.cohort_id == bindparam("cohort_id")),
    )
    .where(Assignment.id.in_(_ASSIGNMENTS))
)
_PROGRESS = select(
    ModuleProgress.module_id, ModuleProgress.read_at, ModuleProgress.completed_at
).where(
    ModuleProgress.user_id == bindparam("trainee_id"), ModuleProgress.module_id.in_(COURSE_MODULES)
)
_WORK = (
    work_statement()
    .add_columns(
        Submission.id.label("submission_id"),
        Submission.submitted_at,
        Submission.extended_until,
        Submission.is_late,
        Submission.holds_work.label("holds_work"),
    )
    .where(
        Submission.user_id == bindparam("trainee_id"),
        Submission.assignment_id.in_(_ASSIGNMENTS),
        # A trainee may follow the same workshop in two cohorts: the page shows the work handed
        # in to the cohort shown, as its grid does, not the grades and extensions another
        # cohort's trainer gave (an administrator finds those on that cohort's page).
        Submission.cohort_id == bindparam("cohort_id"),
    )
)


def _schedule(cohort: CohortSummary, course: OutlineCourse) -> dict[int, Deadline]:
    """assignment id -> the cohort's deadline: a trainer's date, else start + offset, else none."""
    deadlines = {}
    params = {"cohort_id": cohort.id, "course_id": course.id}
    for assignment_id, offset, due_on in db.session.execute(_SCHEDULE, params):
        if due_on is not None:
            deadlines[assignment_id] = Deadline(due_on, "cohort", offset)
        elif offset is not None:
            deadlines[assignment_id] = Deadline(
                cohort.starts_on + timedelta(days=offset), "schedule", offset
            )
        else:
            deadlines[assignment_id] = Deadline(None, None)
    return deadlines


def trainee_overview(
    user: User, cohort_id: int, trainee_id: int, course_slug: str | None = None
) -> TraineeOverview:
    """A trainee's modules and work in one workshop of a cohort the user trains.

    The same few queries whatever the number of modules and assignments; each module's status
    is the grid's, and its reasons are the sentences the trainee reads on the module page.
    """
    cohort, course, courses = cohort_workshop(user, cohort_id, course_slug)
    params = {
        "cohort_id": cohort.id,
        "course_id": course.id,
        "trainee_id": trainee_id,
    }
    member = db.session.execute(_MEMBER, params).first()
    if member is None:
        raise NotFound(NOT_A_MEMBER)
    progress = {
        row.module_id: (row.read_at, row.completed_at)
        for row in db.session.execute(_PROGRESS, params)
    }
    works: dict[int, WorkState] = {}
    rows = {}
    for row in db.session.execute(_WORK, params):
        rows[row.assignment_id] = row  # also a row that holds only an extension: its date shows
        if row.holds_work:
            works[row.assignment_id] = WorkState(row.status, row.total, row.max_points)
    lines = _module_lines(course, progress, works, rows, _schedule(cohort, course))
    trainee = Trainee(member.id, member.name, member.email)
    return TraineeOverview(cohort, trainee, course, courses, lines)


def _module_lines(
    course: OutlineCourse, progress: dict, works: dict[int, WorkState], rows: dict, deadlines: dict
) -> list[ModuleLine]:
    """Each active module with the trainee's status, why it is not complete, and the work."""
    labels = cell_labels()
    modules = []
    for module in course.active_modules:
        read_at, completed_at = progress.get(module.id, (None, None))
        status = module_status(
            read_at is not None,
            completed_at is not None,
            work_rank(works[a.id].status for a in module.assignments if a.id in works),
            module.has_required_work,
        )
        reasons = (
            []
            if status == "complete"
            else completion_reasons(module, read_at is not None, works, course.pass_threshold)
        )
        lines = [
            _assignment_line(a.id, a.title, a.required, rows.get(a.id), deadlines.get(a.id))
            for a in module.assignments
            if a.archived_at is None
        ]
        modules.append(ModuleLine(module.id, module.title, status, labels[status], reasons, lines))
    return modules


def _assignment_line(
    assignment_id: int, title: str, required: bool, work, deadline: Deadline | None
) -> AssignmentLine:
    deadline = deadline or Deadline(None, None)
    if work is None:
        return AssignmentLine(
            assignment_id, title, required, None, None, None, deadline, False, None
        )
    if work.extended_until is not None:
        deadline = Deadline(work.extended_until, "extension", deadline.offset_days)
    status = work.status if work.holds_work else None
    return AssignmentLine(
        assignment_id,
        title,
        required,
        status,
        work.total,
        work.max_points,
        deadline,
        bool(work.is_late),
        work.submission_id if work.submitted_at is not None else None,
    )


def cohort_due_dates(user: User, cohort_id: int, course_slug: str | None = None) -> CohortDueDates:
    """The cohort's due date for each active assignment of a workshop, grouped by module."""
    cohort, course, courses = cohort_workshop(user, cohort_id, course_slug)
    deadlines = _schedule(cohort, course)
    modules = [
        DueDateModule(
            module.title,
            [
                (a.id, a.title, deadlines.get(a.id) or Deadline(None, None))
                for a in module.assignments
                if a.archived_at is None
            ],
        )
        for module in course.active_modules
    ]
    return CohortDueDates(cohort, course, courses, modules)
