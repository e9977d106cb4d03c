"""Who may receive a certificate, and why not: one rule used by every page and command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import CohortMember, User
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import ModuleProgress
from lms.progress.services import ModuleStatus, module_state


@dataclass(frozen=True)
class Eligibility:
    """Whether a trainee may receive the certificate; reasons name what is missing."""

    eligible: bool
    reasons: list[str] = field(default_factory=list)


def required_modules(course: Course) -> list[Module]:
    """The required, non-archived modules of a workshop, assignments loaded, in order."""
    return list(
        db.session.scalars(
            select(Module)
            .where(
                Module.course_id == course.id,
                Module.required.is_(True),
                Module.archived_at.is_(None),
            )
            .options(selectinload(Module.assignments))
            .order_by(Module.position)
        )
    )


def _judge(user: User, modules: Sequence[Module], rows: dict[int, ModuleProgress]) -> Eligibility:
    if not user.is_trainee:
        return Eligibility(False, [_("Only trainees receive certificates.")])
    if not modules:
        return Eligibility(False, [_("This workshop has no required module yet.")])
    # The same rule as the progress pages: a module is complete when the server said so.
    reasons = [
        _("Module %(position)s “%(title)s” is not complete.", position=index, title=module.title)
        for index, module in enumerate(modules, start=1)
        if module_state(module, rows.get(module.id)).status != ModuleStatus.COMPLETE
    ]
    return Eligibility(not reasons, reasons)


def eligibility(user: User, course: Course) -> Eligibility:
    """Whether this trainee completed every required module of the workshop."""
    modules = required_modules(course)
    rows = {
        row.module_id: row
        for row in db.session.scalars(
            select(ModuleProgress).where(
                ModuleProgress.user_id == user.id,
                ModuleProgress.module_id.in_([m.id for m in modules]),
            )
        )
    }
    return _judge(user, modules, rows)


def cohort_trainees(cohort_id: int) -> list[User]:
    """The trainees of a cohort ordered by name, in one query."""
    return list(
        db.session.scalars(
            select(User)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(User.name, User.id)
        )
    )


def _progress_by_user(module_ids: list[int], user_condition) -> dict[int, dict]:
    rows: dict[int, dict[int, ModuleProgress]] = {}
    if module_ids:
        for row in db.session.scalars(
            select(ModuleProgress).where(ModuleProgress.module_id.in_(module_ids), user_condition)
        ):
            rows.setdefault(row.user_id, {})[row.module_id] = row
    return rows


def eligibility_for_trainees(
    trainees: Sequence[User], course: Course, *, cohort_id: int | None = None
) -> list[tuple[User, Eligibility]]:
    """Eligibility of many trainees with a constant number of queries (two).

    With cohort_id, progress rows are selected through the cohort's membership rather than
    a list of ids, which keeps the statement small for a cohort of thousands.
    """
    modules = required_modules(course)
    if cohort_id is None:
        condition = ModuleProgress.user_id.in_([t.id for t in trainees])
    else:
        condition = ModuleProgress.user_id.in_(
            select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
        )
    rows = _progress_by_user([m.id for m in modules], condition) if trainees else {}
    return [(t, _judge(t, modules, rows.get(t.id, {}))) for t in trainees]


def cohort_eligibility(cohort_id: int, course: Course) -> list[tuple[User, Eligibility]]:
    """Each trainee of the cohort, by name, with their eligibility for the workshop."""
    return eligibility_for_trainees(cohort_trainees(cohort_id), course, cohort_id=cohort_id)
