"""Cohort administration: the overview, the list of cohorts, one cohort's people, its trainers."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.accounts.access import may_manage
from lms.accounts.models import Cohort, CohortMember, CohortTrainer, Role, User
from lms.courses.models import Course
from lms.errors import DomainError, Forbidden
from lms.extensions import db


def require_admin(user: User) -> None:
    """Only administrators manage cohorts and read the impact figures."""
    if not (user.is_authenticated and may_manage(user)):
        raise Forbidden(_l("Only administrators may open this page."))


@dataclass
class CohortRow:
    """A cohort as the list shows it: its trainee count, trainers and workshops."""

    cohort: Cohort
    trainees: int
    trainers: list[User] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)


def overview_counts() -> dict[str, int]:
    """Accounts by role and the number of cohorts, in two queries."""
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    counts = {role.value: by_role.get(role.value, 0) for role in Role}
    counts["cohorts"] = db.session.scalar(select(func.count()).select_from(Cohort)) or 0
    return counts


def _courses_by_id() -> dict[int, Course]:
    # Workshops are a handful of rows: one query for all beats a join per cohort.
    return {c.id: c for c in db.session.scalars(select(Course).order_by(Course.position))}


def list_cohorts() -> list[CohortRow]:
    """Every cohort, newest start first, in a constant number of queries."""
    trainee_counts = (
        select(CohortMember.cohort_id, func.count().label("n"))
        .join(User, User.id == CohortMember.user_id)
        .where(User.role == Role.TRAINEE)
        .group_by(CohortMember.cohort_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Cohort, func.coalesce(trainee_counts.c.n, 0))
        .outerjoin(trainee_counts, trainee_counts.c.cohort_id == Cohort.id)
        .options(
            selectinload(Cohort.trainers).joinedload(CohortTrainer.user),
            selectinload(Cohort.courses),
        )
        .order_by(Cohort.starts_on.desc(), Cohort.code)
    ).all()
    courses = _courses_by_id()
    return [
        CohortRow(
            cohort=cohort,
            trainees=count,
            trainers=sorted((t.user for t in cohort.trainers), key=lambda u: u.name),
            courses=[courses[cc.course_id] for cc in cohort.courses if cc.course_id in courses],
        )
        for cohort, count in rows
    ]


@dataclass
class Roster:
    """The people and workshops of one cohort."""

    trainees: list[CohortMember]
    trainers: list[User]
    courses: list[Course]


def cohort_roster(cohort: Cohort) -> Roster:
    """Trainees (alphabetical, with when they joined), trainers and workshops of a cohort."""
    members = db.session.scalars(
        select(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id, User.role == Role.TRAINEE)
        .options(selectinload(CohortMember.user))
        .order_by(User.name)
    ).all()
    trainers = db.session.scalars(
        select(User)
        .join(CohortTrainer, CohortTrainer.user_id == User.id)
        .where(CohortTrainer.cohort_id == cohort.id)
        .order_by(User.name)
    ).all()
    courses = _courses_by_id()
    return Roster(
        trainees=list(members),
        trainers=list(trainers),
        courses=[courses[cc.course_id] for cc in cohort.courses if cc.course_id in courses],
    )


def list_trainers() -> list[User]:
    """Active trainer accounts, for choosing who follows a cohort."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.TRAINER, User.is_active_account.is_(True))
            .order_by(User.name)
        )
    )


def list_workshops() -> list[Course]:
    """Workshops that a new cohort may follow."""
    return list(
        db.session.scalars(
            select(Course).where(Course.archived_at.is_(None)).order_by(Course.position)
        )
    )


def remove_trainer(cohort: Cohort, trainer_id: int) -> User:
    """Stop a trainer from following a cohort; their past reviews stay."""
    link = db.session.get(CohortTrainer, (cohort.id, trainer_id))
    if link is None:
        raise DomainError(_l("This trainer does not follow this cohort."), status=404)
    trainer = link.user
    db.session.delete(link)
    db.session.flush()
    return trainer
