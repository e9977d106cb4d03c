"""Due dates and extensions: a trainer moves an assignment's date for a whole cohort, or for one
trainee of a cohort they train."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.access import access_cohort, may_manage
from lms.accounts.models import CohortCourse, CohortMember, User
from lms.clock import utcnow
from lms.courses.models import Assignment, Module
from lms.errors import NotFound
from lms.extensions import db
from lms.submissions.models import CohortDueDate, Submission, SubmissionStatus
from lms.submissions.services import flush_or_conflict


def grant_extension(
    actor: User, cohort_id: int, trainee_id: int, assignment_id: int, until: date
) -> Submission:
    """A later due date for one trainee of a cohort the actor trains."""
    cohort = access_cohort(actor, cohort_id)
    member = db.session.get(CohortMember, (cohort.id, trainee_id))
    assignment = db.session.get(Assignment, assignment_id)
    if member is None or assignment is None or not _cohort_follows(cohort.id, assignment):
        raise NotFound(_l("This trainee or assignment is not part of the cohort."))
    submission = db.session.scalar(
        select(Submission).where(
            Submission.user_id == trainee_id, Submission.assignment_id == assignment_id
        )
    )
    if submission is None:
        now = utcnow()
        submission = Submission(
            user_id=trainee_id,
            assignment_id=assignment_id,
            cohort_id=cohort.id,
            status=SubmissionStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        db.session.add(submission)
    elif submission.cohort_id != cohort.id and not may_manage(actor):
        raise NotFound(_l("This trainee or assignment is not part of the cohort."))
    submission.extended_until = until
    flush_or_conflict()
    return submission


def set_due_date(actor: User, cohort_id: int, assignment_id: int, due_on: date) -> CohortDueDate:
    """A due date for one assignment in one cohort, replacing start date + offset."""
    cohort = access_cohort(actor, cohort_id)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not _cohort_follows(cohort.id, assignment):
        raise NotFound(_l("This assignment is not part of the cohort's workshops."))
    row = db.session.get(CohortDueDate, (cohort.id, assignment.id))
    if row is None:
        row = CohortDueDate(cohort_id=cohort.id, assignment_id=assignment.id, due_on=due_on)
        db.session.add(row)
    row.due_on = due_on
    flush_or_conflict()
    return row


def _cohort_follows(cohort_id: int, assignment: Assignment) -> bool:
    module = db.session.get(Module, assignment.module_id)
    return db.session.get(CohortCourse, (cohort_id, module.course_id)) is not None
