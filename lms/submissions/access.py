"""Permission-checked fetches of assignments, submissions and their files; due dates."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from lms.accounts.access import may_see_work
from lms.accounts.models import Cohort, CohortCourse, CohortMember, User
from lms.courses.models import Assignment, Course, Module, RubricCriterion
from lms.courses.services import access_module
from lms.errors import NotFound
from lms.extensions import db
from lms.submissions.models import CohortDueDate, Review, Submission, SubmissionVersion

ASSIGNMENT_NOT_FOUND = _l("This assignment does not exist in this module.")
SUBMISSION_NOT_FOUND = _l("This work does not exist or is not yours to see.")


def access_assignment(
    user: User, course_slug: str, module_slug: str, assignment_slug: str
) -> tuple[Course, Module, Assignment]:
    """An active assignment of a module the user may see, rubric loaded, else NotFound."""
    course, module = access_module(user, course_slug, module_slug)
    assignment = db.session.scalar(
        select(Assignment)
        .where(
            Assignment.module_id == module.id,
            Assignment.slug == assignment_slug,
            Assignment.archived_at.is_(None),
        )
        .options(selectinload(Assignment.criteria).selectinload(RubricCriterion.levels))
    )
    if assignment is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND)
    return course, module, assignment


def _submission_query(submission_id: int):
    return (
        select(Submission)
        .where(Submission.id == submission_id)
        .options(
            selectinload(Submission.versions)
            .selectinload(SubmissionVersion.review)
            .selectinload(Review.scores),
            selectinload(Submission.user),
            selectinload(Submission.cohort),
            selectinload(Submission.assignment)
            .selectinload(Assignment.criteria)
            .selectinload(RubricCriterion.levels),
            selectinload(Submission.assignment)
            .selectinload(Assignment.module)
            .selectinload(Module.course),
        )
    )


def access_submission(user: User, submission_id: int) -> Submission:
    """The trainee's own work, or work of a cohort the trainer follows; else NotFound (404)."""
    submission = db.session.scalar(_submission_query(submission_id))
    if submission is None:
        raise NotFound(SUBMISSION_NOT_FOUND)
    if may_see_work(user, submission.user_id, submission.cohort_id):
        return submission
    raise NotFound(SUBMISSION_NOT_FOUND)


def access_version_file(user: User, version_id: int) -> SubmissionVersion:
    """A version whose file the user may download, else NotFound."""
    version = db.session.get(SubmissionVersion, version_id)
    if version is None or version.stored_name is None:
        raise NotFound(SUBMISSION_NOT_FOUND)
    submission = db.session.get(Submission, version.submission_id)
    if may_see_work(user, submission.user_id, submission.cohort_id):
        return version
    raise NotFound(SUBMISSION_NOT_FOUND)


def trainee_cohort(user: User, course: Course) -> Cohort | None:
    """The cohort in which the trainee follows this workshop (the latest joined)."""
    if not user.is_trainee:
        return None
    return db.session.scalar(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(
            CohortMember.user_id == user.id,
            exists().where(
                CohortCourse.cohort_id == Cohort.id, CohortCourse.course_id == course.id
            ),
        )
        .order_by(CohortMember.joined_at.desc(), Cohort.id.desc())
        .limit(1)
    )


def due_date(
    assignment: Assignment, cohort: Cohort | None, submission: Submission | None = None
) -> date | None:
    """The trainee's extension, else the cohort's date set by a trainer, else start + offset."""
    if submission is not None and submission.extended_until is not None:
        return submission.extended_until
    if cohort is None:
        return None
    override = db.session.get(CohortDueDate, (cohort.id, assignment.id))
    if override is not None:
        return override.due_on
    if assignment.due_offset_days is None:
        return None
    return cohort.starts_on + timedelta(days=assignment.due_offset_days)
