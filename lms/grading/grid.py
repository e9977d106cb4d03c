"""The cohort grid: each trainee's status in each module of a workshop, in a few Core queries."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, reduce

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import DateTime, Select, bindparam, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from lms.accounts.access import COHORT_NOT_FOUND
from lms.accounts.models import Cohort, CohortCourse, CohortMember, CohortTrainer, User
from lms.clock import utcnow
from lms.courses.models import Course, Module
from lms.courses.revision import cached
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
from lms.i18n import current_language
from lms.progress.models import ModuleProgress
from lms.submissions.models import Submission, SubmissionStatus

INACTIVE_AFTER = timedelta(days=7)
NO_WORKSHOP = _l("This cohort follows no workshop.")


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

    cohort: CohortSummary
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

    def rows_html(self, link_prefix: str, link_suffix: str, never: str, inactive: str) -> Markup:
        """The table's body rows: each trainee's name linking to their page (the URL is the
        prefix, their id and the suffix), their cells, their last activity. Made here in one
        pass, each text escaped, rather than by the template's loop: the grid is the trainer's
        busiest page, and a row of a template costs a dozen calls where this costs one."""
        prefix, suffix = escape(link_prefix), escape(link_suffix)
        never_text = escape(never)
        badge = Markup(' <span class="badge late">{}</span>').format(inactive)
        lines = []
        for row in self.rows:
            flag, late = (' class="inactive"', badge) if row.inactive else ("", "")
            lines.append(
                f'<tr{flag}><th scope="row" dir="auto"><a href="{prefix}{row.trainee.id}{suffix}">'
                f"{escape(row.trainee.name)}</a></th>{row.cells_html}"
                f"<td>{row.last_activity_date or never_text}{late}</td></tr>"
            )
        # Every value above was escaped, the cells by _cells_html.
        return Markup("\n".join(lines))  # noqa: S704


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
# What a trainee's work in a module weighs for its cell: "1" when a piece waits for grading, else
# "2" when one was returned, else "3" when there is any (a draft, a graded piece); the least wins.
WORK_RANKS = {SubmissionStatus.SUBMITTED: "1", SubmissionStatus.RETURNED: "2"}
OTHER_WORK, NO_WORK = "3", "0"
NOTHING_YET = (False, False)  # a module neither read nor completed
_RANK = case(
    *((Submission.status == status, rank) for status, rank in WORK_RANKS.items()),
    else_=OTHER_WORK,
)
# The latest sign of a trainee's activity: signing in, work in any workshop (not only the one
# shown), reading or completing a module; one value, so one date to read per trainee.
_LAST_ACTIVITY = LatestOf(
    User.last_seen_at,
    select(func.max(Submission.updated_at)).where(Submission.user_id == User.id).scalar_subquery(),
    select(func.max(func.coalesce(ModuleProgress.completed_at, ModuleProgress.read_at)))
    .where(ModuleProgress.user_id == User.id)
    .scalar_subquery(),
).label("last_activity")
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
_COHORT = select(Cohort.id, Cohort.code, Cohort.name, Cohort.starts_on).where(
    Cohort.id == bindparam("cohort_id")
)
_TRAINED_COHORT = _COHORT.where(
    Cohort.id.in_(
        select(CohortTrainer.cohort_id).where(CohortTrainer.user_id == bindparam("user_id"))
    )
)


@cache
def trainees_statement(shape: tuple[int, ...]) -> Select:
    """The cohort's trainees, each with their latest activity and the rank of their work handed in
    to the cohort in each module as one string, a character a module, for modules of `shape[i]`
    assignments each (bound as a<i>_<k>): one pass over each trainee's work in the workshop, found
    by index, and one short value per trainee to read. Built once per shape of workshop."""
    ranks, every = [], []
    for position, count in enumerate(shape):
        ids = [bindparam(f"a{position}_{k}") for k in range(count)]
        every += ids
        ranks.append(
            func.coalesce(func.min(case((Submission.assignment_id.in_(ids), _RANK))), NO_WORK)
            if ids
            else literal(NO_WORK)
        )
    if every:
        work = (
            select(reduce(operator.add, ranks))
            .where(
                Submission.user_id == User.id,
                Submission.assignment_id.in_(every),
                # Only work handed in to this cohort: a trainee who follows the workshop in
                # another cohort too is graded there, by its trainers. Each (trainee,
                # assignment) is still found by the unique index; the row it points to is read
                # anyway for the status.
                Submission.cohort_id == bindparam("cohort_id"),
                Submission.holds_work,
            )
            .scalar_subquery()
        )
    else:  # no module holds an assignment: no work to look for
        work = literal(NO_WORK * len(shape))
    return (
        select(User.id, User.name, User.email, _LAST_ACTIVITY, work.label("work"))
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == bindparam("cohort_id"))
        .order_by(User.name, User.id)
    )


def _work_parameters(modules: list[OutlineModule]) -> tuple[tuple[int, ...], dict[str, int]]:
    """The shape of a workshop's modules for trainees_statement, and its parameters' values."""
    shape = tuple(len(module.assignments) for module in modules)
    values = {
        f"a{position}_{k}": assignment.id
        for position, module in enumerate(modules)
        for k, assignment in enumerate(module.assignments)
    }
    return shape, values


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """What the trainer's pages show of a cohort."""

    id: int
    code: str
    name: str
    starts_on: date


def cohort_workshop(
    user: User, cohort_id: int, course_slug: str | None
) -> tuple[CohortSummary, OutlineCourse, list[OutlineCourse]]:
    """A cohort the user trains, the workshop asked for (else its first one) and all of its
    workshops, for the grid and the pages that link from it.

    Cohorts, their trainers and workshops are the catalogue's: what one trainer may open is
    kept until the catalogue changes, with a refusal as much as an answer."""
    require_grader(user)
    trainer_id = None if user.is_admin else user.id
    key = ("cohort", cohort_id, trainer_id, current_language())
    cohort, courses = cached(key, lambda: _cohort_and_workshops(cohort_id, trainer_id))
    if cohort is None:
        raise NotFound(COHORT_NOT_FOUND)
    course = next((c for c in courses if c.slug == course_slug), courses[0] if courses else None)
    if course is None:
        raise NotFound(NO_WORKSHOP)
    return cohort, course, courses


def _cohort_and_workshops(cohort_id: int, trainer_id: int | None):
    statement = _COHORT if trainer_id is None else _TRAINED_COHORT
    row = read_rows(statement, {"cohort_id": cohort_id, "user_id": trainer_id}).first()
    if row is None:
        return None, []
    courses = course_outlines(_COHORT_WORKSHOPS, {"cohort_id": cohort_id})
    return CohortSummary(*row), courses


def cohort_grid(user: User, cohort_id: int, course_slug: str | None = None) -> Grid:
    """Each trainee's status in each module, and who has been inactive for 7 days.

    Trainees come as plain rows (no ORM objects) with the rank of their work in each module, and
    their progress in a second query: the same number of queries whatever the cohort's size. A
    row's cells are made once per pattern of work and progress, each status escaped once. Why a
    module is not complete is on each trainee's page.
    """
    cohort, course, courses = cohort_workshop(user, cohort_id, course_slug)
    modules = course.active_modules
    shape, params = _work_parameters(modules)
    params.update(cohort_id=cohort.id, course_id=course.id)
    position_of = {module.id: position for position, module in enumerate(modules)}
    # trainee -> (read, completed) for each module, for those who read or completed any.
    progress: dict[int, list[tuple[bool, bool]]] = {}
    for trainee_id, module_id, read, completed in read_rows(_PROGRESS, params):
        position = position_of.get(module_id)
        if position is not None and (read or completed):
            marks = progress.setdefault(trainee_id, [NOTHING_YET] * len(modules))
            marks[position] = (bool(read), bool(completed))
    needs_work = [module.has_required_work for module in modules]
    cells = _cells_html()
    patterns: dict[tuple, tuple[list[str], Markup]] = {}
    # SQLite gives naive datetimes (UTC) and PostgreSQL aware ones: the cutoff is made of the
    # same kind once, rather than each trainee's moment converted.
    cutoff = utcnow() - INACTIVE_AFTER
    naive_cutoff = cutoff.replace(tzinfo=None)
    rows = []
    for trainee_id, name, email, last, work in read_rows(trainees_statement(shape), params):
        marks = progress.get(trainee_id)
        pattern = (work, None if marks is None else tuple(marks))
        made = patterns.get(pattern)
        if made is None:
            statuses = [
                module_status(read, completed, rank, required)
                for (read, completed), rank, required in zip(
                    marks or [NOTHING_YET] * len(modules), work, needs_work, strict=True
                )
            ]
            # Each cell's markup was escaped by _cells_html.
            made = patterns[pattern] = (statuses, Markup("".join([cells[s] for s in statuses])))  # noqa: S704
        rows.append(
            GridRow(
                trainee=Trainee(trainee_id, name, email),
                statuses=made[0],
                last_activity=last,
                inactive=last is None or last < (naive_cutoff if last.tzinfo is None else cutoff),
                cells_html=made[1],
                last_activity_date=last.isoformat()[:10] if last is not None else "",
            )
        )
    return Grid(cohort, course, courses, modules, rows)


def work_rank(statuses) -> str:
    """The rank of a trainee's work in a module from its statuses, as the grid's query gives it."""
    return min((WORK_RANKS.get(status, OTHER_WORK) for status in statuses), default=NO_WORK)


def module_status(read: bool, completed: bool, rank: str, has_required: bool) -> str:
    """A trainee's status in a module from their progress and the rank of their work.

    Completion is recorded when the rules hold (a module read, required work graded above the
    threshold); a read module without required work is complete too, as on the trainee's page.
    """
    if completed or (read and not has_required):
        return "complete"
    if rank == "1":
        return "waiting"
    if rank == "2":
        return "returned"
    if read or rank != NO_WORK:
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
