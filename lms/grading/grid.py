"""The cohort grid: each trainee's status in each module of a workshop, in a few Core queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from lms.accounts.access import access_cohort
from lms.accounts.models import CohortCourse, User
from lms.clock import utcnow
from lms.courses.revision import TOKEN_COLUMN
from lms.errors import NotFound
from lms.extensions import db
from lms.grading.grid_statements import PROGRESS, trainees_statement, work_parameters
from lms.grading.outline import OutlineAssignment, OutlineCourse, OutlineModule, course_outlines
from lms.grading.services import require_grader
from lms.grading.statuses import cell_labels, module_status

INACTIVE_AFTER = timedelta(days=7)
NO_WORKSHOP = _l("This cohort follows no workshop.")
NOTHING_YET = (False, False)  # a module neither read nor completed
_COHORT_COURSES = select(CohortCourse.course_id, TOKEN_COLUMN).where(
    CohortCourse.cohort_id == bindparam("cohort_id")
)


@dataclass(slots=True)
class Trainee:
    """What the grid and the grades export show of a trainee."""

    id: int
    name: str
    email: str


@dataclass(slots=True)
class GridRow:
    """One trainee across the modules of a workshop."""

    trainee: Trainee
    statuses: list[str]  # one per module: complete | waiting | returned | in_progress | not_started
    last_activity: datetime | None  # UTC, naive or aware as the database gives it
    inactive: bool

    @property
    def complete_modules(self) -> int:
        return self.statuses.count("complete")

    @property
    def last_activity_date(self) -> str:
        """As the page shows it ("" for never)."""
        return self.last_activity.isoformat()[:10] if self.last_activity is not None else ""


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """What the trainer's pages show of a cohort."""

    id: int
    code: str
    name: str
    starts_on: date


@dataclass
class Grid:
    """Trainees × modules for a cohort and one of its workshops."""

    cohort: CohortSummary
    course: OutlineCourse
    courses: list[OutlineCourse]
    modules: list[OutlineModule]
    rows: list[GridRow]
    labels: dict[str, str]  # status -> its label in the reader's language

    @property
    def assignments(self) -> list[OutlineAssignment]:
        return [a for m in self.modules for a in m.assignments if a.archived_at is None]

    @property
    def inactive_count(self) -> int:
        return sum(1 for row in self.rows if row.inactive)


def cohort_workshop(
    user: User, cohort_id: int, course_slug: str | None
) -> tuple[CohortSummary, OutlineCourse, list[OutlineCourse]]:
    """A cohort the user trains, the workshop asked for (else its first one) and all of its
    workshops, for the grid and the pages that link from it."""
    require_grader(user)
    cohort = access_cohort(user, cohort_id)
    courses = course_outlines(_COHORT_COURSES, {"cohort_id": cohort.id})
    course = next((c for c in courses if c.slug == course_slug), courses[0] if courses else None)
    if course is None:
        raise NotFound(NO_WORKSHOP)
    summary = CohortSummary(cohort.id, cohort.code, cohort.name, cohort.starts_on)
    return summary, course, courses


def cohort_grid(user: User, cohort_id: int, course_slug: str | None = None) -> Grid:
    """Each trainee's status in each module, and who has been inactive for 7 days.

    Trainees come as plain rows with the rank of their work in each module, and their progress
    in a second query: the same number of queries whatever the cohort's size. Why a module is
    not complete is on each trainee's page.
    """
    cohort, course, courses = cohort_workshop(user, cohort_id, course_slug)
    modules = course.active_modules
    shape, params = work_parameters(modules)
    params.update(cohort_id=cohort.id, course_id=course.id)
    progress = _progress_marks(modules, params)
    needs_work = [module.has_required_work for module in modules]
    # SQLite gives naive datetimes (UTC) and PostgreSQL aware ones: the cutoff is made of both
    # kinds once, rather than each trainee's moment converted.
    cutoff = utcnow() - INACTIVE_AFTER
    cutoffs = {True: cutoff.replace(tzinfo=None), False: cutoff}
    rows = []
    for trainee_id, name, email, last, work in db.session.execute(
        trainees_statement(shape), params
    ):
        marks = progress.get(trainee_id) or [NOTHING_YET] * len(modules)
        statuses = [
            module_status(read, completed, rank, required)
            for (read, completed), rank, required in zip(marks, work, needs_work, strict=True)
        ]
        inactive = last is None or last < cutoffs[last.tzinfo is None]
        rows.append(GridRow(Trainee(trainee_id, name, email), statuses, last, inactive))
    return Grid(cohort, course, courses, modules, rows, cell_labels())


def _progress_marks(modules: list[OutlineModule], params: dict) -> dict[int, list]:
    """trainee -> (read, completed) for each module, for those who read or completed any."""
    position_of = {module.id: position for position, module in enumerate(modules)}
    progress: dict[int, list[tuple[bool, bool]]] = {}
    for trainee_id, module_id, read, completed in db.session.execute(PROGRESS, params):
        position = position_of.get(module_id)
        if position is not None and (read or completed):
            marks = progress.setdefault(trainee_id, [NOTHING_YET] * len(modules))
            marks[position] = (bool(read), bool(completed))
    return progress
