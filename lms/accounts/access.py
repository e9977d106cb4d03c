"""Who may see or change what: every access rule of Atelier, stated once, on plain facts."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, exists, select

from lms.accounts.models import Cohort, CohortMember, CohortTrainer, User
from lms.errors import NotFound
from lms.extensions import db

COHORT_NOT_FOUND = _l("This cohort does not exist or is not open to you.")

# The cohorts a piece of work or a video was handed in to: one id, several, or a subquery of
# ids (so that a package above passes its own table without this module knowing it).
CohortIds = int | Iterable[int] | Select


def trained_cohort_ids(user_id) -> Select:
    """The cohorts a trainer trains, as a subquery for listings (administrators' listings take
    no such filter); `user_id` may be a bound parameter of a statement built once."""
    return select(CohortTrainer.cohort_id).where(CohortTrainer.user_id == user_id)


def member_cohort_ids(user_id) -> Select:
    """The cohorts a trainee belongs to, as a subquery; `user_id` may be a bound parameter."""
    return select(CohortMember.cohort_id).where(CohortMember.user_id == user_id)


def may_grade(user: User) -> bool:
    """Trainers and administrators grade; the grading pages are theirs (which work, which
    cohort: may_grade_work, access_cohort)."""
    return user.is_admin or user.is_trainer


def may_train(user: User, cohort_ids: CohortIds) -> bool:
    """Administrators, and trainers of (one of) these cohorts; one query at most."""
    if user.is_admin:
        return True
    if not user.is_trainer:
        return False
    if isinstance(cohort_ids, int):
        given = CohortTrainer.cohort_id == cohort_ids
    else:
        given = CohortTrainer.cohort_id.in_(
            cohort_ids if isinstance(cohort_ids, Select) else list(cohort_ids)
        )
    return bool(db.session.scalar(select(exists().where(CohortTrainer.user_id == user.id, given))))


# Built once, with bound parameters: SQLAlchemy's statement cache then knows them, where a
# statement assembled per call had its cache key computed per call (most of the call's time).
_ANY_COHORT = select(Cohort).where(Cohort.id == bindparam("cohort_id"))
_TRAINED_COHORT = _ANY_COHORT.where(Cohort.id.in_(trained_cohort_ids(bindparam("user_id"))))


def access_cohort(user: User, cohort_id: int) -> Cohort:
    """A cohort the user trains (any, for an administrator), else NotFound."""
    if not may_grade(user):
        raise NotFound(COHORT_NOT_FOUND)
    statement = _ANY_COHORT if user.is_admin else _TRAINED_COHORT
    cohort = db.session.scalar(statement, {"cohort_id": cohort_id, "user_id": user.id})
    if cohort is None:
        raise NotFound(COHORT_NOT_FOUND)
    return cohort


def may_manage(user: User) -> bool:
    """Administrators run the lab: cohorts, imports, certificates, the outbox, any comment."""
    return user.is_admin


def may_see_work(user: User, owner_id: int | None, cohort_ids: CohortIds) -> bool:
    """A piece of work or a video: its owner, the trainers of a cohort it was handed in to,
    and administrators. Nobody else learns that it exists."""
    return (owner_id is not None and owner_id == user.id) or may_train(user, cohort_ids)


def may_grade_work(user: User, owner_id: int | None, cohort_ids: CohortIds) -> bool:
    """Grade or comment on work: the trainers of a cohort it was handed in to, and
    administrators, never its author (a trainer who was a trainee, an administrator who tried
    the workshop: nobody grades their own work)."""
    if owner_id is not None and owner_id == user.id:
        return False
    return may_train(user, cohort_ids)


def may_change_authored(user: User, author_id: int | None) -> bool:
    """Edit or delete what someone wrote (a comment): its author; administrators moderate."""
    return (author_id is not None and author_id == user.id) or user.is_admin


def may_download_certificate(user: User, holder_id: int) -> bool:
    """A certificate's PDF from the signed-in pages: its holder, and administrators. The
    cohort's trainers read its certificates on the cohort's page (may_train); anyone opens a
    valid one from its public link."""
    return holder_id == user.id or user.is_admin
