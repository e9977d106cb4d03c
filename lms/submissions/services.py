"""The trainee's side of the lifecycle: drafts, hand-ins of text, files and videos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import Cohort, User
from lms.clock import utcnow
from lms.courses.models import Assignment, AssignmentKind, Course, Module
from lms.errors import Conflict, DomainError, Forbidden, NotFound
from lms.extensions import db
from lms.media.access import share_with_cohort
from lms.media.models import MediaItem, MediaStatus
from lms.submissions import files
from lms.submissions.access import due_date, trainee_cohort
from lms.submissions.models import (
    Review,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
)

MAX_TEXT_CHARS = 100_000
CHANGED_MEANWHILE = _l(
    "This work changed meanwhile (another tab or device). Reload the page and check it."
)
VIDEO_ACCEPTED = {
    MediaStatus.UPLOADED,
    MediaStatus.QUEUED,
    MediaStatus.PROCESSING,
    MediaStatus.READY,
}


# The trainee's latest videos that may be handed in are offered on a video assignment's page;
# older ones stay on their media pages.
VIDEOS_OFFERED = 20


def find_submission(user: User, assignment: Assignment) -> Submission | None:
    """The trainee's submission for this assignment, versions loaded, if any."""
    return db.session.scalar(
        select(Submission).where(
            Submission.user_id == user.id, Submission.assignment_id == assignment.id
        )
    )


def _start(user: User, course: Course, assignment: Assignment) -> Submission:
    """The trainee's submission, created on first save; only trainees of the workshop hand in."""
    submission = find_submission(user, assignment)
    if submission is not None:
        return submission
    cohort = trainee_cohort(user, course)
    if cohort is None:
        raise Forbidden(_l("Only trainees of this workshop hand in work."))
    submission = Submission(
        user_id=user.id,
        assignment_id=assignment.id,
        cohort_id=cohort.id,
        status=SubmissionStatus.DRAFT,
    )
    db.session.add(submission)
    flush_or_conflict()
    return submission


def check_can_work(submission: Submission | None, assignment: Assignment) -> None:
    """Refuse changes while the work waits for a trainer, once graded, or past the last attempt."""
    if submission is None:
        return
    if submission.status == SubmissionStatus.SUBMITTED:
        raise Conflict(
            _l(
                "Your work was handed in and waits for the trainer. "
                "You can revise it if it is returned."
            )
        )
    if submission.status == SubmissionStatus.GRADED:
        raise Conflict(_l("This work is graded; it can no longer change."))
    if submission.attempts_used >= assignment.max_attempts:
        raise Conflict(
            _l(
                "You have used all %(n)s attempts for this assignment.",
                n=assignment.max_attempts,
            )
        )


def _check_kind(assignment: Assignment, kind: str) -> None:
    if assignment.kind != kind:
        raise DomainError(_l("This assignment expects another kind of work."))


def _draft_version(submission: Submission) -> SubmissionVersion:
    """The version being prepared, created after the last handed-in one."""
    draft = submission.draft
    if draft is None:
        number = (submission.versions[-1].number if submission.versions else 0) + 1
        draft = SubmissionVersion(submission=submission, number=number)
        db.session.add(draft)
    return draft


def _clean_text(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise DomainError(
            _l("The text is longer than %(n)s characters. Please shorten it.", n=MAX_TEXT_CHARS)
        )
    return text


def save_draft(
    user: User, course: Course, assignment: Assignment, body: str | None
) -> SubmissionVersion:
    """Keep the text being written; it stays private and changeable until handed in."""
    _check_kind(assignment, AssignmentKind.TEXT)
    text = _clean_text(body)
    submission = _start(user, course, assignment)
    check_can_work(submission, assignment)
    draft = _draft_version(submission)
    draft.body_md = text
    draft.updated_at = submission.updated_at = utcnow()
    flush_or_conflict()
    return draft


def _hand_in(submission: Submission, version: SubmissionVersion) -> SubmissionVersion:
    """Freeze the version, mark it late if past the due date, and wait for a trainer."""
    now = utcnow()
    due = due_date(submission.assignment, submission.cohort, submission)
    version.submitted_at = now
    version.updated_at = now
    version.late = due is not None and now.date() > due
    submission.status = SubmissionStatus.SUBMITTED
    submission.attempts_used += 1
    submission.current_number = version.number
    submission.submitted_at = now
    submission.is_late = version.late
    submission.updated_at = now
    flush_or_conflict()
    return version


def submit_text(
    user: User, course: Course, assignment: Assignment, body: str | None
) -> SubmissionVersion:
    """Hand in written work; an empty text is refused."""
    if not (body or "").strip():
        raise DomainError(_l("Your text is empty. Write your work before handing it in."))
    version = save_draft(user, course, assignment, body)
    return _hand_in(version.submission, version)


def submit_file(
    user: User,
    course: Course,
    assignment: Assignment,
    stream: BinaryIO,
    filename: str,
    note: str | None = None,
) -> SubmissionVersion:
    """Hand in a file whose content is a PDF, an image or an office document."""
    _check_kind(assignment, AssignmentKind.FILE)
    text = _clean_text(note)
    submission = _start(user, course, assignment)
    check_can_work(submission, assignment)
    stored = files.store_upload(stream, filename)
    try:
        version = _draft_version(submission)
        version.body_md = text or None
        version.stored_name = stored.stored_name
        version.original_name = stored.original_name
        version.mime_type = stored.mime_type
        version.size_bytes = stored.size_bytes
        return _hand_in(submission, version)
    except BaseException:
        files.delete_stored(stored.stored_name)
        raise


def submit_video(
    user: User, course: Course, assignment: Assignment, media_item_id: int
) -> SubmissionVersion:
    """Hand in a video the trainee uploaded; it may still be processing."""
    _check_kind(assignment, AssignmentKind.VIDEO)
    item = db.session.get(MediaItem, media_item_id)
    if item is None or item.owner_id != user.id:
        raise NotFound(_l("This video does not exist or is not yours."))
    if item.status not in VIDEO_ACCEPTED:
        raise DomainError(
            _l("This video cannot be handed in: it was refused or its processing failed.")
        )
    submission = _start(user, course, assignment)
    check_can_work(submission, assignment)
    version = _draft_version(submission)
    version.media_item_id = item.id
    handed_in = _hand_in(submission, version)
    # The trainers of this submission's cohort, and no others, may now watch the video.
    share_with_cohort(item, submission.cohort_id)
    return handed_in


def flush_or_conflict() -> None:
    """Flush, turning a concurrent change into a clear 409."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise Conflict(CHANGED_MEANWHILE) from exc


@dataclass
class TraineeWork:
    """Everything the trainee's assignment page shows, loaded in a fixed number of queries."""

    submission: Submission | None
    cohort: Cohort | None
    due: date | None
    media: dict[int, MediaItem]

    @property
    def attempts_used(self) -> int:
        return self.submission.attempts_used if self.submission else 0

    @property
    def history(self) -> list[SubmissionVersion]:
        """Handed-in versions, newest first."""
        return list(reversed(self.submission.submitted_versions)) if self.submission else []

    @property
    def draft_text(self) -> str:
        draft = self.submission.draft if self.submission else None
        return (draft.body_md or "") if draft else ""

    @property
    def late_now(self) -> bool:
        return self.due is not None and utcnow().date() > self.due


def trainee_work(user: User, course: Course, assignment: Assignment) -> TraineeWork:
    """The trainee's submission, history with reviews, due date and linked videos."""
    submission = db.session.scalar(
        select(Submission)
        .where(Submission.user_id == user.id, Submission.assignment_id == assignment.id)
        .options(
            selectinload(Submission.versions)
            .selectinload(SubmissionVersion.review)
            .selectinload(Review.scores)
        )
    )
    cohort = db.session.get(Cohort, submission.cohort_id) if submission else None
    cohort = cohort or trainee_cohort(user, course)
    media_ids = [
        v.media_item_id for v in (submission.versions if submission else []) if v.media_item_id
    ]
    media = {}
    if media_ids:
        media = {
            m.id: m
            for m in db.session.scalars(select(MediaItem).where(MediaItem.id.in_(media_ids)))
        }
    return TraineeWork(submission, cohort, due_date(assignment, cohort, submission), media)


def can_work(work: TraineeWork, assignment: Assignment) -> bool:
    """Whether the page offers the editor (the services check again on save)."""
    if work.cohort is None:
        return False
    try:
        check_can_work(work.submission, assignment)
    except Conflict:
        return False
    return True


def submissions_by_assignment(user: User, module: Module) -> dict[int, Submission]:
    """The trainee's submissions for a module's assignments, by assignment id, in one query."""
    ids = [a.id for a in module.assignments]
    if not ids or not user.is_trainee:
        return {}
    rows = db.session.scalars(
        select(Submission).where(Submission.user_id == user.id, Submission.assignment_id.in_(ids))
    )
    return {row.assignment_id: row for row in rows}
