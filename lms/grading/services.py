"""The trainer's queue of work to grade, its filters, and the list of cohorts they follow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from lms.accounts.access import may_grade, may_grade_work, trained_cohort_ids
from lms.accounts.models import Cohort, CohortCourse, User
from lms.courses.models import Assignment
from lms.courses.revision import TOKEN_COLUMN
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.grading.outline import OutlineCourse, course_outlines
from lms.submissions.access import SUBMISSION_NOT_FOUND, access_submission
from lms.submissions.models import Submission, SubmissionStatus

# A phone shows 25 rows comfortably; the queue is read page by page, oldest first.
PAGE_SIZE = 25
QUEUE_STATUSES = ("submitted", "returned", "graded", "all")


def require_grader(user: User) -> None:
    """Grading pages are for trainers and administrators."""
    if not may_grade(user):
        raise Forbidden("Only trainers grade work.")


def access_work_to_grade(user: User, submission_id: int) -> Submission:
    """Work the user may grade (accounts.access.may_grade_work), loaded for the grading page;
    else NotFound, their own work included."""
    submission = access_submission(user, submission_id)
    if not may_grade_work(user, submission.user_id, submission.cohort_id):
        raise NotFound(SUBMISSION_NOT_FOUND)
    return submission


@dataclass
class QueueFilters:
    """What the trainer narrowed the queue to."""

    course: str | None = None
    module_id: int | None = None
    status: str = "submitted"
    page: int = 1


@dataclass
class QueueItem:
    """One row of the queue: only what the page shows, titles already in the reader's language."""

    id: int
    status: str
    is_late: bool
    trainee_name: str
    cohort_code: str
    assignment_title: str
    where: str  # "workshop · module · version n", in the reader's language
    handed_in: str  # the hand-in's date and time, as the page shows it


@dataclass
class Queue:
    """One page of the queue, counts by status, and the choices for the filters."""

    items: list[QueueItem]
    counts: dict[str, int]
    courses: list[OutlineCourse]
    filters: QueueFilters
    has_next: bool


def _assignment_ids(courses: list[OutlineCourse], filters: QueueFilters) -> list[int] | None:
    """The assignments the filters keep, from the already loaded workshops (None: no filter)."""
    if not filters.course and not filters.module_id:
        return None
    return [
        assignment.id
        for course in courses
        if not filters.course or course.slug == filters.course
        for module in course.modules
        if not filters.module_id or module.id == filters.module_id
        for assignment in module.assignments
    ]


def grading_queue(user: User, filters: QueueFilters) -> Queue:
    """Work of the trainer's cohorts, oldest hand-in first, in a constant number of queries.

    The listing selects plain columns (no ORM objects) and joins only the trainee and the cohort:
    assignment, module and workshop titles come from the workshops loaded for the filters.
    """
    require_grader(user)
    if filters.status not in QUEUE_STATUSES:
        filters.status = "submitted"
    filters.page = max(filters.page, 1)
    courses = grader_courses(user)
    kept = _assignment_ids(courses, filters)
    counts_statement, rows_statement = _queue_statements(
        user.is_admin, kept is not None, filters.status != "all"
    )
    params = {
        "user_id": user.id,
        "assignment_ids": kept,
        "status": filters.status,
        "limit": PAGE_SIZE + 1,
        "offset": (filters.page - 1) * PAGE_SIZE,
    }
    counts = dict(db.session.execute(counts_statement, params).all())
    rows = db.session.execute(rows_statement, params).all()
    places = _assignment_places(courses, {row.assignment_id for row in rows})
    version = _("version %(n)s")  # translated once, filled in for each row
    return Queue(
        items=[_queue_item(row, places, version) for row in rows[:PAGE_SIZE]],
        counts={s: counts.get(s, 0) for s in ("submitted", "returned", "graded")},
        courses=courses,
        filters=filters,
        has_next=len(rows) > PAGE_SIZE,
    )


def _queue_item(row, places: dict[int, tuple[str, str]], version: str) -> QueueItem:
    """One row of the queue's listing as the page shows it, texts in the reader's language."""
    title, where = places.get(row.assignment_id, ("", ""))
    submitted_at = row.submitted_at
    return QueueItem(
        id=row.id,
        status=row.status,
        is_late=row.is_late,
        trainee_name=row.name,
        cohort_code=row.code,
        assignment_title=title,
        where=f"{where} · {version % {'n': row.current_number}}",
        handed_in=submitted_at.strftime("%Y-%m-%d %H:%M") if submitted_at else "",
    )


# The cohorts a trainer follows, as a subquery bound to the trainer's id.
_TRAINED = trained_cohort_ids(bindparam("user_id"))
_TRAINED_COURSES = select(CohortCourse.course_id, TOKEN_COLUMN).where(
    CohortCourse.cohort_id.in_(_TRAINED)
)


@cache
def _queue_statements(admin: bool, filtered: bool, one_status: bool) -> tuple[Select, Select]:
    """The counts and the page of the queue, built once per kind of request with bound
    parameters, so that SQLAlchemy's statement cache knows them."""
    conditions = [Submission.status != SubmissionStatus.DRAFT]
    if not admin:
        conditions.append(Submission.cohort_id.in_(_TRAINED))
    if filtered:
        conditions.append(Submission.assignment_id.in_(bindparam("assignment_ids", expanding=True)))
    counts = select(Submission.status, func.count()).where(*conditions).group_by(Submission.status)
    if one_status:
        conditions.append(Submission.status == bindparam("status"))
    # The page's ids first, from the queue index alone (no table row read), then the 26 rows with
    # their trainee and cohort: sorting every row of the cohorts with its joins cost three times
    # as much.
    page = (
        select(Submission.id)
        .where(*conditions)
        .order_by(Submission.submitted_at, Submission.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    rows = (
        select(
            Submission.id,
            Submission.status,
            Submission.submitted_at,
            Submission.is_late,
            Submission.current_number,
            Submission.assignment_id,
            User.name,
            Cohort.code,
        )
        .join(User, User.id == Submission.user_id)
        .join(Cohort, Cohort.id == Submission.cohort_id)
        .where(Submission.id.in_(page))
        .order_by(Submission.submitted_at, Submission.id)
    )
    return counts, rows


def _assignment_places(courses: list[OutlineCourse], shown: set[int]) -> dict[int, tuple[str, str]]:
    """assignment id -> (title, "workshop · module") for the assignments shown; one of a workshop
    archived since keeps its title alone, read from the database."""
    places = {
        assignment.id: (assignment.title, f"{course.title} · {module.title}")
        for course in courses
        for module in course.modules
        for assignment in module.assignments
    }
    missing = shown - places.keys()
    if missing:
        statement = select(Assignment.id, Assignment.title).where(Assignment.id.in_(missing))
        places.update((aid, (title, "")) for aid, title in db.session.execute(statement))
    return places


def grader_courses(user: User) -> list[OutlineCourse]:
    """The workshops of the trainer's cohorts (all for an administrator), in one query."""
    if user.is_admin:
        return course_outlines()
    return course_outlines(_TRAINED_COURSES, {"user_id": user.id})


def grader_cohorts(user: User) -> list[Cohort]:
    """The cohorts a trainer follows (all for an administrator), newest first."""
    require_grader(user)
    statement = select(Cohort).options(selectinload(Cohort.courses))
    if not user.is_admin:
        statement = statement.where(Cohort.id.in_(trained_cohort_ids(user.id)))
    return list(db.session.scalars(statement.order_by(Cohort.starts_on.desc(), Cohort.code)))
