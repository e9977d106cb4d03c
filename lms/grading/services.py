"""The trainer's views of work: the grading queue and the cohort grid, each in a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Cohort, CohortCourse, CohortMember, CohortTrainer, User
from lms.courses.models import Assignment, Course, Module
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.progress.models import ModuleProgress
from lms.progress.services import completion_reasons, work_states
from lms.security import utcnow
from lms.submissions.access import access_cohort, trained_cohort_ids
from lms.submissions.models import Submission, SubmissionStatus

PAGE_SIZE = 50
INACTIVE_AFTER = timedelta(days=7)
QUEUE_STATUSES = ("submitted", "returned", "graded", "all")


def require_grader(user: User) -> None:
    """Grading pages are for trainers and administrators."""
    if not (user.is_trainer or user.is_admin):
        raise Forbidden("Only trainers grade work.")


@dataclass
class QueueFilters:
    """What the trainer narrowed the queue to."""

    course: str | None = None
    module_id: int | None = None
    status: str = "submitted"
    page: int = 1


@dataclass
class Queue:
    """One page of the queue, counts by status, and the choices for the filters."""

    items: list[Submission]
    counts: dict[str, int]
    courses: list[Course]
    filters: QueueFilters
    has_next: bool


def _scope(user: User, filters: QueueFilters):
    conditions = [Submission.status != SubmissionStatus.DRAFT]
    if not user.is_admin:
        conditions.append(Submission.cohort_id.in_(trained_cohort_ids(user)))
    if filters.module_id:
        conditions.append(Module.id == filters.module_id)
    if filters.course:
        conditions.append(Course.slug == filters.course)
    return conditions


def _joined(statement):
    return (
        statement.join(Assignment, Assignment.id == Submission.assignment_id)
        .join(Module, Module.id == Assignment.module_id)
        .join(Course, Course.id == Module.course_id)
    )


def grading_queue(user: User, filters: QueueFilters) -> Queue:
    """Work of the trainer's cohorts, oldest hand-in first, in four queries whatever the size."""
    require_grader(user)
    if filters.status not in QUEUE_STATUSES:
        filters.status = "submitted"
    conditions = _scope(user, filters)
    counts = dict(
        db.session.execute(
            _joined(select(Submission.status, func.count(Submission.id)))
            .where(*conditions)
            .group_by(Submission.status)
        ).all()
    )
    listing = _joined(select(Submission)).where(*conditions)
    if filters.status != "all":
        listing = listing.where(Submission.status == filters.status)
    page = max(filters.page, 1)
    items = list(
        db.session.scalars(
            listing.options(
                joinedload(Submission.user),
                joinedload(Submission.cohort),
                joinedload(Submission.assignment)
                .joinedload(Assignment.module)
                .joinedload(Module.course),
            )
            .order_by(Submission.submitted_at, Submission.id)
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return Queue(
        items=items[:PAGE_SIZE],
        counts={s: counts.get(s, 0) for s in ("submitted", "returned", "graded")},
        courses=grader_courses(user),
        filters=filters,
        has_next=len(items) > PAGE_SIZE,
    )


def grader_courses(user: User) -> list[Course]:
    """The workshops of the trainer's cohorts (all for an administrator), modules loaded."""
    statement = select(Course).where(Course.archived_at.is_(None))
    if not user.is_admin:
        statement = statement.where(
            Course.id.in_(
                select(CohortCourse.course_id).where(
                    CohortCourse.cohort_id.in_(trained_cohort_ids(user))
                )
            )
        )
    return list(
        db.session.scalars(
            statement.options(selectinload(Course.modules)).order_by(Course.position, Course.slug)
        )
    )


def grader_cohorts(user: User) -> list[Cohort]:
    """The cohorts a trainer follows (all for an administrator), newest first."""
    require_grader(user)
    statement = select(Cohort).options(selectinload(Cohort.courses))
    if not user.is_admin:
        statement = statement.join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id).where(
            CohortTrainer.user_id == user.id
        )
    return list(db.session.scalars(statement.order_by(Cohort.starts_on.desc(), Cohort.code)))


@dataclass
class Cell:
    """One trainee in one module."""

    status: str  # complete | waiting | returned | in_progress | not_started
    reasons: list[str] = field(default_factory=list)


@dataclass
class GridRow:
    """One trainee across the modules of a workshop."""

    trainee: User
    cells: list[Cell]
    last_activity: datetime | None
    inactive: bool
    complete_modules: int


@dataclass
class Grid:
    """Trainees × modules for a cohort and one of its workshops."""

    cohort: Cohort
    course: Course
    courses: list[Course]
    modules: list[Module]
    rows: list[GridRow]
    works: dict = field(default_factory=dict)

    @property
    def assignments(self) -> list[Assignment]:
        return [a for m in self.modules for a in m.assignments if a.archived_at is None]

    @property
    def inactive_count(self) -> int:
        return sum(1 for row in self.rows if row.inactive)


def cohort_courses(cohort: Cohort) -> list[Course]:
    """The workshops a cohort follows."""
    return list(
        db.session.scalars(
            select(Course)
            .join(CohortCourse, CohortCourse.course_id == Course.id)
            .where(CohortCourse.cohort_id == cohort.id, Course.archived_at.is_(None))
            .order_by(Course.position, Course.slug)
        )
    )


def cohort_grid(user: User, cohort_id: int, course_slug: str | None = None) -> Grid:
    """Each trainee's status in each module, and who has been inactive for 7 days."""
    require_grader(user)
    cohort = access_cohort(user, cohort_id)
    courses = cohort_courses(cohort)
    course = next((c for c in courses if c.slug == course_slug), courses[0] if courses else None)
    if course is None:
        raise NotFound("This cohort follows no workshop yet.")
    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id, Module.archived_at.is_(None))
            .options(selectinload(Module.assignments))
            .order_by(Module.position)
        )
    )
    trainees = list(
        db.session.scalars(
            select(User)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(User.name, User.id)
        )
    )
    ids = [t.id for t in trainees]
    module_ids = [m.id for m in modules]
    progress = {}
    if ids and module_ids:
        for row in db.session.scalars(
            select(ModuleProgress).where(
                ModuleProgress.user_id.in_(ids), ModuleProgress.module_id.in_(module_ids)
            )
        ):
            progress[(row.user_id, row.module_id)] = row
    works = work_states(ids, [a.id for m in modules for a in m.assignments])
    last_work = (
        dict(
            db.session.execute(
                select(Submission.user_id, func.max(Submission.updated_at))
                .where(Submission.user_id.in_(ids))
                .group_by(Submission.user_id)
            ).all()
        )
        if ids
        else {}
    )
    now = utcnow()
    rows = []
    for trainee in trainees:
        cells = []
        mine = {aid: w for (uid, aid), w in works.items() if uid == trainee.id}
        stamps = [trainee.last_seen_at, last_work.get(trainee.id)]
        for module in modules:
            row = progress.get((trainee.id, module.id))
            if row is not None:
                stamps.extend([row.read_at, row.completed_at])
            cells.append(_cell(module, row, mine, course.pass_threshold))
        last = max((_aware(s) for s in stamps if s is not None), default=None)
        rows.append(
            GridRow(
                trainee=trainee,
                cells=cells,
                last_activity=last,
                inactive=last is None or now - last > INACTIVE_AFTER,
                complete_modules=sum(1 for c in cells if c.status == "complete"),
            )
        )
    return Grid(cohort, course, courses, modules, rows, works)


def _cell(module: Module, row: ModuleProgress | None, works: dict, threshold: int) -> Cell:
    if row is not None and row.completed_at is not None:
        return Cell("complete")
    read = bool(row and row.read_at)
    reasons = completion_reasons(module, read, works, threshold)
    if not reasons:
        return Cell("complete")
    statuses = {works[a.id].status for a in module.assignments if a.id in works}
    if "submitted" in statuses:
        status = "waiting"
    elif "returned" in statuses:
        status = "returned"
    elif read or statuses:
        status = "in_progress"
    else:
        status = "not_started"
    return Cell(status, reasons)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are UTC."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
