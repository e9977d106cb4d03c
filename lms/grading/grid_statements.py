"""The cohort grid's statements: the trainees with their latest activity and the rank of their
work in each module, and their progress; built once, with the cohort and workshop bound."""

from __future__ import annotations

import operator
from functools import cache, reduce

from sqlalchemy import DateTime, Select, bindparam, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from lms.accounts.models import CohortMember, User
from lms.courses.models import Module
from lms.grading.outline import OutlineModule
from lms.grading.statuses import NO_WORK, OTHER_WORK, WORK_RANKS
from lms.progress.models import ModuleProgress
from lms.submissions.models import Submission


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


MEMBERS = select(CohortMember.user_id).where(CohortMember.cohort_id == bindparam("cohort_id"))
# The active and archived modules of the workshop bound as course_id.
COURSE_MODULES = select(Module.id).where(Module.course_id == bindparam("course_id"))
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
# Whether each member read and completed each module of the workshop.
PROGRESS = select(
    ModuleProgress.user_id,
    ModuleProgress.module_id,
    ModuleProgress.read_at.is_not(None),
    ModuleProgress.completed_at.is_not(None),
).where(ModuleProgress.user_id.in_(MEMBERS), ModuleProgress.module_id.in_(COURSE_MODULES))


@cache
def trainees_statement(shape: tuple[int, ...]) -> Select:
    """The cohort's trainees, each with their latest activity and the rank of their work handed in
    to the cohort in each module as one string, a character a module, for modules of `shape[i]`
    assignments each (bound as a<i>_<k>): one pass over each trainee's work in the workshop, found
    by index, and one short value per trainee to read. Built once per shape of workshop, so that
    SQLAlchemy's statement cache knows it."""
    ranks, every = [], []
    for position, count in enumerate(shape):
        ids = [bindparam(f"a{position}_{k}") for k in range(count)]
        every += ids
        ranks.append(
            func.coalesce(func.min(case((Submission.assignment_id.in_(ids), _RANK))), NO_WORK)
            if ids
            else literal(NO_WORK)
        )
    work = _work_ranks(ranks, every) if every else literal(NO_WORK * len(shape))
    return (
        select(User.id, User.name, User.email, _LAST_ACTIVITY, work.label("work"))
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == bindparam("cohort_id"))
        .order_by(User.name, User.id)
    )


def _work_ranks(ranks: list, assignment_ids: list):
    """One trainee's ranks, module after module, as a scalar subquery of their work."""
    return (
        select(reduce(operator.add, ranks))
        .where(
            Submission.user_id == User.id,
            Submission.assignment_id.in_(assignment_ids),
            # Only work handed in to this cohort: a trainee who follows the workshop in another
            # cohort too is graded there, by its trainers. Each (trainee, assignment) is still
            # found by the unique index; the row it points to is read anyway for the status.
            Submission.cohort_id == bindparam("cohort_id"),
            Submission.holds_work,
        )
        .scalar_subquery()
    )


def work_parameters(modules: list[OutlineModule]) -> tuple[tuple[int, ...], dict[str, int]]:
    """The shape of a workshop's modules for trainees_statement, and its parameters' values."""
    shape = tuple(len(module.assignments) for module in modules)
    values = {
        f"a{position}_{k}": assignment.id
        for position, module in enumerate(modules)
        for k, assignment in enumerate(module.assignments)
    }
    return shape, values
