"""The cohort grid: each trainee's status in each module of a workshop, in a few Core queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import DateTime, String, bindparam, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from lms.accounts.models import Cohort, CohortCourse, CohortMember, User
from lms.courses.models import Assignment, Course, Module
from lms.errors import NotFound
from lms.extensions import read_rows
from lms.grading.outline import (
    OutlineAssignment,
    OutlineCourse,
    OutlineModule,
    course_outlines,
    outline_query,
)
from lms.grading.services import require_grader
from lms.progress.models import ModuleProgress
from lms.security import utcnow
from lms.submissions.access import access_cohort
from lms.submissions.models import Submission

INACTIVE_AFTER = timedelta(days=7)
NO_WORKSHOP = _l("This cohort follows no workshop.")
NO_PROGRESS = (None, None)


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
    cells_html: Markup  # the row's <td>s, from one escaped <td> per status
    last_activity_date: str  # as the page shows it ("" for never)

    @property
    def complete_modules(self) -> int:
        return self.statuses.count("complete")


@dataclass
class Grid:
    """Trainees × modules for a cohort and one of its workshops."""

    cohort: Cohort
    course: OutlineCourse
    courses: list[OutlineCourse]
    modules: list[OutlineModule]
    rows: list[GridRow]

    @property
    def assignments(self) -> list[OutlineAssignment]:
        return [a for m in self.modules for a in m.assignments if a.archived_at is None]

    @property
    def inactive_count(self) -> int:
        return sum(1 for row in self.rows if row.inactive)


class LatestOf(GenericFunction):
    """The latest of several moments, NULLs ignored, NULL when all are (PostgreSQL's GREATEST;
    SQLite's max() of several values returns NULL as soon as one of them is)."""

    type = DateTime(timezone=True)
    name = "latest_of"
    inherit_cache = True


@compiles(LatestOf)
def _greatest(element, compiler, **kw) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(LatestOf, "sqlite")
def _sqlite_max(element, compiler, **kw) -> str:
    # SQLite keeps moments as ISO text, which sorts as time does; '' sorts before any of them.
    moments = ", ".join(
        f"coalesce({compiler.process(clause, **kw)}, '')" for clause in element.clauses
    )
    return f"nullif(max({moments}), '')"


# The grid's statements, built once with the cohort and the workshop as bound parameters: a
# statement assembled per request has its cache key computed per request, which costs more than
# SQLite takes to run it.
_MEMBERS = select(CohortMember.user_id).where(CohortMember.cohort_id == bindparam("cohort_id"))
# The active and archived modules of the workshop bound as course_id.
COURSE_MODULES = select(Module.id).where(Module.course_id == bindparam("course_id"))
# The status of each of a trainee's work in the workshop, as "assignment_id:status,…": one
# value per trainee row rather than a query and a row per piece of work.
_WORK_OF_TRAINEE = (
    select(
        func.aggregate_strings(
            cast(Submission.assignment_id, String) + ":" + Submission.status, ","
        )
    )
    .where(
        Submission.user_id == User.id,
        Submission.holds_work,
        Submission.assignment_id.in_(
            select(Assignment.id).where(Assignment.module_id.in_(COURSE_MODULES))
        ),
    )
    .scalar_subquery()
)
_TRAINEES = (
    select(
        User.id,
        User.name,
        User.email,
        # The latest sign of activity: signing in, work in any workshop (not only the one shown),
        # reading or completing a module; one value, so one date to read per trainee.
        LatestOf(
            User.last_seen_at,
            select(func.max(Submission.updated_at))
            .where(Submission.user_id == User.id)
            .scalar_subquery(),
            select(func.max(func.coalesce(ModuleProgress.completed_at, ModuleProgress.read_at)))
            .where(ModuleProgress.user_id == User.id)
            .scalar_subquery(),
        ).label("last_activity"),
        _WORK_OF_TRAINEE.label("work"),
    )
    .join(CohortMember, CohortMember.user_id == User.id)
    .where(CohortMember.cohort_id == bindparam("cohort_id"))
    .order_by(User.name, User.id)
)
# Whether each module was read and completed (the moments count in the trainees' activity).
_PROGRESS = select(
    ModuleProgress.user_id,
    ModuleProgress.module_id,
    ModuleProgress.read_at.is_not(None),
    ModuleProgress.completed_at.is_not(None),
).where(ModuleProgress.user_id.in_(_MEMBERS), ModuleProgress.module_id.in_(COURSE_MODULES))
_COHORT_WORKSHOPS = outline_query(
    Course.id.in_(
        select(CohortCourse.course_id).where(CohortCourse.cohort_id == bindparam("cohort_id"))
    )
)


def cohort_workshop(
    user: User, cohort_id: int, course_slug: str | None
) -> tuple[Cohort, OutlineCourse, list[OutlineCourse]]:
    """A cohort the user trains, the workshop asked for (else its first one) and all of its
    workshops, for the grid and the pages that link from it."""
    require_grader(user)
    cohort = access_cohort(user, cohort_id)
    courses = course_outlines(_COHORT_WORKSHOPS, {"cohort_id": cohort.id})
    course = next((c for c in courses if c.slug == course_slug), courses[0] if courses else None)
    if course is None:
        raise NotFound(NO_WORKSHOP)
    return cohort, course, courses


def cohort_grid(user: User, cohort_id: int, course_slug: str | None = None) -> Grid:
    """Each trainee's status in each module, and who has been inactive for 7 days.

    Trainees with the status of their work, and their progress, are read as plain rows (no ORM
    objects), in the same number of queries whatever the cohort's size; a cell is one of five
    statuses, each escaped once. Why a module is not complete is on each trainee's page.
    """
    cohort, course, courses = cohort_workshop(user, cohort_id, course_slug)
    modules = course.active_modules
    params = {"cohort_id": cohort.id, "course_id": course.id}
    progress = {
        (user_id, module_id): (read, completed)
        for user_id, module_id, read, completed in read_rows(_PROGRESS, params)
    }
    layout = [
        (module.id, [str(a.id) for a in module.assignments], module.has_required_work)
        for module in modules
    ]
    cells = _cells_html()
    # SQLite gives naive datetimes (UTC) and PostgreSQL aware ones: the cutoff is made of the
    # same kind once, rather than each trainee's moment converted.
    cutoff = utcnow() - INACTIVE_AFTER
    naive_cutoff = cutoff.replace(tzinfo=None)
    rows = []
    for trainee_id, name, email, last, work in read_rows(_TRAINEES, params):
        # "assignment_id:status,…" -> {assignment_id: status}, ids kept as text.
        mine = dict(item.split(":", 1) for item in work.split(",")) if work else {}
        statuses = [
            cell_status(
                progress.get((trainee_id, module_id), NO_PROGRESS),
                [mine[a] for a in assignment_ids if a in mine],
                has_required,
            )
            for module_id, assignment_ids, has_required in layout
        ]
        rows.append(
            GridRow(
                trainee=Trainee(trainee_id, name, email),
                statuses=statuses,
                last_activity=last,
                inactive=last is None or last < (naive_cutoff if last.tzinfo is None else cutoff),
                # Each cell's markup was escaped by _cells_html.
                cells_html=Markup("".join([cells[s] for s in statuses])),  # noqa: S704
                last_activity_date=last.isoformat()[:10] if last is not None else "",
            )
        )
    return Grid(cohort, course, courses, modules, rows)


def cell_status(progress: tuple, statuses: list[str], has_required: bool) -> str:
    """A trainee's status in a module from (read, completed) and the status of their work; the
    two may be flags or the moments themselves (None when not yet).

    Completion is recorded when the rules hold (a module read, required work graded above the
    threshold); a read module without required work is complete too, as on the trainee's page.
    """
    read, completed = progress
    if completed or (read and not has_required):
        return "complete"
    if "submitted" in statuses:
        return "waiting"
    if "returned" in statuses:
        return "returned"
    if read or statuses:
        return "in_progress"
    return "not_started"


def cell_labels() -> dict[str, str]:
    """The statuses' labels in the reader's language, the catalogue looked up once."""
    _ = get_translations().ugettext
    return {
        "complete": _("done"),
        "waiting": _("to grade"),
        "returned": _("returned"),
        "in_progress": _("started"),
        "not_started": "—",
    }


def _cells_html() -> dict[str, str]:
    """One escaped <td> per status, shared by every row."""
    return {
        status: f'<td class="cell-{status}">{escape(label)}</td>'
        for status, label in cell_labels().items()
    }
