"""The cohort grid: each trainee's status in each module of a workshop, in a few Core queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from lms.accounts.models import Cohort, CohortCourse, CohortMember, User
from lms.courses.models import Course
from lms.errors import NotFound
from lms.extensions import db
from lms.grading.outline import (
    OutlineAssignment,
    OutlineCourse,
    OutlineModule,
    course_outlines,
)
from lms.grading.services import require_grader
from lms.progress.models import ModuleProgress
from lms.progress.services import WorkState, completion_reasons, work_states
from lms.security import utcnow
from lms.submissions.access import access_cohort
from lms.submissions.models import Submission

INACTIVE_AFTER = timedelta(days=7)
NO_PROGRESS = (None, None)
CELL_LABELS = {
    "complete": _l("done"),
    "waiting": _l("to grade"),
    "returned": _l("returned"),
    "in_progress": _l("started"),
    "not_started": "—",
}


@dataclass
class Cell:
    """One trainee in one module; `hint` says what is missing, for the cell's tooltip."""

    status: str  # complete | waiting | returned | in_progress | not_started
    reasons: list[str] = field(default_factory=list)
    # The <td>, built once per distinct cell (rows share Cell objects): a grid of 40 trainees has
    # hundreds of cells but a few dozen distinct ones, and escaping each attribute of each cell
    # in the template was half the page's time.
    html: Markup = field(default_factory=Markup)


@dataclass
class Trainee:
    """What the grid and the grades export show of a trainee."""

    id: int
    name: str
    email: str


@dataclass
class GridRow:
    """One trainee across the modules of a workshop."""

    trainee: Trainee
    cells: list[Cell]
    last_activity: datetime | None
    inactive: bool
    complete_modules: int

    @property
    def cells_html(self) -> Markup:
        return Markup("").join(cell.html for cell in self.cells)


@dataclass
class Grid:
    """Trainees × modules for a cohort and one of its workshops."""

    cohort: Cohort
    course: OutlineCourse
    courses: list[OutlineCourse]
    modules: list[OutlineModule]
    rows: list[GridRow]
    works: dict = field(default_factory=dict)

    @property
    def assignments(self) -> list[OutlineAssignment]:
        return [a for m in self.modules for a in m.assignments if a.archived_at is None]

    @property
    def inactive_count(self) -> int:
        return sum(1 for row in self.rows if row.inactive)


def cohort_grid(user: User, cohort_id: int, course_slug: str | None = None) -> Grid:
    """Each trainee's status in each module, and who has been inactive for 7 days.

    Trainees, progress and work are read as plain rows (no ORM objects): a cohort of 40 makes
    hundreds of cells, and the same completion texts are translated once per grid, not per cell.
    """
    require_grader(user)
    cohort = access_cohort(user, cohort_id)
    courses = course_outlines(
        Course.id.in_(select(CohortCourse.course_id).where(CohortCourse.cohort_id == cohort.id))
    )
    course = next((c for c in courses if c.slug == course_slug), courses[0] if courses else None)
    if course is None:
        raise NotFound("This cohort follows no workshop yet.")
    modules = course.active_modules
    trainees = db.session.execute(
        select(User.id, User.name, User.email, User.last_seen_at)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.name, User.id)
    ).all()
    # A subquery rather than a list of ids: no bound parameter per trainee.
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    progress = _progress(members, [m.id for m in modules])
    works = work_states(members, [a.id for m in modules for a in m.assignments])
    # Per trainee: work by assignment, a hashable summary of it, and the latest activity seen.
    by_trainee: dict[int, dict[int, WorkState]] = {}
    marks: dict[int, dict[int, tuple]] = {}
    for (user_id, assignment_id), state in works.items():
        by_trainee.setdefault(user_id, {})[assignment_id] = state
        marks.setdefault(user_id, {})[assignment_id] = (state.status, state.total, state.max_points)
    # Work in any workshop counts as activity, not only in the one shown.
    latest: dict[int, datetime] = dict(
        db.session.execute(
            select(Submission.user_id, func.max(Submission.updated_at))
            .where(Submission.user_id.in_(members))
            .group_by(Submission.user_id)
        ).all()
    )
    for (user_id, _module_id), (read_at, completed_at) in progress.items():
        _note(latest, user_id, read_at)
        _note(latest, user_id, completed_at)
    layout = [(module, module.id, [a.id for a in module.assignments]) for module in modules]
    now = utcnow()
    # Many cells are alike (not started, waiting for the same assignment): each distinct one is
    # worked out once, and the rows share the same Cell objects.
    cells_seen: dict = {}
    texts: dict = {}
    labels = {status: str(label) for status, label in CELL_LABELS.items()}
    rows = []
    for trainee_id, name, email, last_seen_at in trainees:
        mine = by_trainee.get(trainee_id, {})
        my_marks = marks.get(trainee_id, {})
        cells = []
        complete = 0
        for module, module_id, assignment_ids in layout:
            read_at, completed_at = progress.get((trainee_id, module_id), NO_PROGRESS)
            key = (
                module_id,
                read_at is None,
                completed_at is None,
                *map(my_marks.get, assignment_ids),
            )
            cell = cells_seen.get(key)
            if cell is None:
                cell = cells_seen[key] = _cell(
                    module, read_at, completed_at, mine, course.pass_threshold, texts
                )
                cell.html = _cell_html(cell, labels)
            cells.append(cell)
            complete += cell.status == "complete"
        last = latest.get(trainee_id)
        if last_seen_at is not None and (last is None or last_seen_at > last):
            last = last_seen_at
        last = _aware(last) if last is not None else None
        rows.append(
            GridRow(
                trainee=Trainee(trainee_id, name, email),
                cells=cells,
                last_activity=last,
                inactive=last is None or now - last > INACTIVE_AFTER,
                complete_modules=complete,
            )
        )
    return Grid(cohort, course, courses, modules, rows, works)


def _progress(user_ids, module_ids: list[int]) -> dict:
    """(user_id, module_id) -> (read_at, completed_at), in one query; user_ids may be a select."""
    if not module_ids:
        return {}
    rows = db.session.execute(
        select(
            ModuleProgress.user_id,
            ModuleProgress.module_id,
            ModuleProgress.read_at,
            ModuleProgress.completed_at,
        ).where(ModuleProgress.user_id.in_(user_ids), ModuleProgress.module_id.in_(module_ids))
    )
    return {(r.user_id, r.module_id): (r.read_at, r.completed_at) for r in rows}


def _cell(module: OutlineModule, read_at, completed_at, works: dict, threshold: int, texts) -> Cell:
    if completed_at is not None:
        return Cell("complete")
    read = read_at is not None
    reasons = completion_reasons(module, read, works, threshold, texts)
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


def _note(latest: dict, user_id: int, moment: datetime | None) -> None:
    """Keep the latest moment per trainee (one database gives them all the same kind)."""
    if moment is not None:
        known = latest.get(user_id)
        if known is None or moment > known:
            latest[user_id] = moment


def _cell_html(cell: Cell, labels: dict[str, str]) -> Markup:
    hint = Markup(' title="{}"').format(" ".join(cell.reasons)) if cell.reasons else ""
    return Markup('<td class="cell-{}"{}>{}</td>').format(cell.status, hint, labels[cell.status])


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
