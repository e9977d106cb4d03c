"""The trainer's side: save a review with rubric scores, release the grade, or return the work."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.access import may_grade_work
from lms.accounts.models import User
from lms.clock import utcnow
from lms.errors import Conflict, DomainError, Forbidden
from lms.extensions import db
from lms.notifications.services import notify
from lms.progress.services import recompute_module_completion
from lms.submissions.models import (
    CriterionScore,
    Review,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)

MAX_FEEDBACK_CHARS = 20_000
NOT_GRADER = _l("Only the trainers of this cohort grade its work.")
REVIEW_CHANGED = _l(
    "Someone else saved a review of this work while you were grading it. "
    "Your input is kept below: compare with the latest version, then save again."
)
OWN_WORK = _l("Nobody grades their own work: another trainer of the cohort will.")
WORK_CHANGED = _l(
    "This work changed since you opened it (a new version was handed in, or it was graded "
    "or returned). Your input is kept below; reload the page to see the latest version."
)


class ReviewAction(StrEnum):
    """What the trainer does with a review."""

    DRAFT = "draft"
    RELEASE = "release"
    RETURN = "return"


@dataclass
class ReviewInput:
    """What a trainer posted: chosen level per criterion, feedback, and what the form last saw."""

    version_number: int
    review_lock: int
    levels: dict[int, int] = field(default_factory=dict)
    feedback: str = ""
    reason: str = ""


def _check_fresh(submission: Submission, data: ReviewInput) -> None:
    version = submission.latest_submitted
    if (
        version is None
        or version.number != data.version_number
        or submission.status != SubmissionStatus.SUBMITTED
    ):
        raise Conflict(WORK_CHANGED)
    current = version.review.lock_version if version.review is not None else 0
    if current != data.review_lock:
        raise Conflict(REVIEW_CHANGED)


def _scores(submission: Submission, data: ReviewInput, complete: bool) -> list[CriterionScore]:
    """Snapshot scores from the rubric; a level outside a criterion's levels is refused."""
    criteria = {c.id: c for c in submission.assignment.criteria}
    unknown = set(data.levels) - set(criteria)
    if unknown:
        raise DomainError(_l("A score does not belong to this assignment's rubric."))
    scores = []
    for position, criterion in enumerate(submission.assignment.criteria):
        levels = {lvl.id: lvl for lvl in criterion.levels}
        top = max((lvl.points for lvl in criterion.levels), default=0)
        chosen = data.levels.get(criterion.id)
        if chosen is None:
            if complete:
                raise DomainError(
                    _l(
                        "Choose a level for “%(criterion)s” before going on.",
                        criterion=criterion.title,
                    )
                )
            continue
        level = levels.get(chosen)
        if level is None:
            raise DomainError(
                _l(
                    "The level chosen for “%(criterion)s” is not in the rubric.",
                    criterion=criterion.title,
                )
            )
        scores.append(
            CriterionScore(
                criterion_id=criterion.id,
                level_id=level.id,
                position=position,
                criterion_title=criterion.title,
                level_label=level.label,
                points=level.points,
                max_points=top,
            )
        )
    return scores


def save_review(trainer: User, submission: Submission, data: ReviewInput, action: str) -> Review:
    """Save the review; release makes the grade visible and may complete the module."""
    if not may_grade_work(trainer, submission.user_id, submission.cohort_id):
        raise Forbidden(OWN_WORK if submission.user_id == trainer.id else NOT_GRADER)
    try:
        action = ReviewAction(action)
    except ValueError as exc:
        raise DomainError(_l("Unknown action.")) from exc
    _check_fresh(submission, data)
    feedback, reason = _clean_texts(data)
    scores = _scores(submission, data, complete=action == ReviewAction.RELEASE)
    if action == ReviewAction.RETURN:
        _check_return(submission, reason)
    review = _review_of(submission, trainer)
    now = utcnow()
    review.trainer_id = trainer.id
    review.feedback_md = feedback
    review.scores = scores
    review.total_points = sum(s.points for s in scores)
    review.max_points = submission.assignment.max_points
    review.updated_at = now
    _set_outcome(submission, review, action, reason, now)
    _flush()
    _tell_trainee(submission, review, action)
    return review


def _clean_texts(data: ReviewInput) -> tuple[str, str]:
    feedback = (data.feedback or "").replace("\r\n", "\n")
    reason = (data.reason or "").replace("\r\n", "\n").strip()
    if len(feedback) > MAX_FEEDBACK_CHARS or len(reason) > MAX_FEEDBACK_CHARS:
        raise DomainError(_l("The feedback is longer than %(n)s characters.", n=MAX_FEEDBACK_CHARS))
    return feedback, reason


def _check_return(submission: Submission, reason: str) -> None:
    """Work goes back with a reason, and only while the trainee has attempts left."""
    if not reason:
        raise DomainError(_l("Say why the work is returned, so the trainee knows what to do."))
    if submission.attempts_used >= submission.assignment.max_attempts:
        raise DomainError(
            _l(
                "The trainee has used all %(n)s attempts: release the grade instead.",
                n=submission.assignment.max_attempts,
            )
        )


def _review_of(submission: Submission, trainer: User) -> Review:
    """The review of the latest version handed in, started if there is none yet."""
    version = submission.latest_submitted
    review = version.review
    if review is None:
        review = Review(version=version, trainer_id=trainer.id)
        db.session.add(review)
    return review


def _set_outcome(
    submission: Submission, review: Review, action: ReviewAction, reason: str, now
) -> None:
    if action == ReviewAction.RELEASE:
        review.status = ReviewStatus.RELEASED
        review.released_at = now
        review.return_reason = None
        submission.status = SubmissionStatus.GRADED
    elif action == ReviewAction.RETURN:
        review.status = ReviewStatus.RETURNED
        review.return_reason = reason
        submission.status = SubmissionStatus.RETURNED
    else:
        review.status = ReviewStatus.DRAFT
    submission.updated_at = now


def _tell_trainee(submission: Submission, review: Review, action: ReviewAction) -> None:
    """A released grade may complete the module; released or returned, the trainee is told."""
    assignment, trainee = submission.assignment, submission.user
    link = assignment_link(assignment)
    if action == ReviewAction.RELEASE:
        recompute_module_completion(trainee, assignment.module)
        notify(
            trainee,
            "grade_released",
            link=link,
            assignment=assignment.title,
            total=review.total_points,
            max=review.max_points,
        )
    elif action == ReviewAction.RETURN:
        notify(trainee, "work_returned", link=link, assignment=assignment.title)


def assignment_link(assignment) -> str:
    """The trainee's page of an assignment, built without a request (tasks, CLI, tests)."""
    return current_app.url_map.bind("").build(
        "submissions.assignment",
        {
            "course_slug": assignment.module.course.slug,
            "module_slug": assignment.module.slug,
            "assignment_slug": assignment.slug,
        },
    )


def _flush() -> None:
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise Conflict(REVIEW_CHANGED) from exc
