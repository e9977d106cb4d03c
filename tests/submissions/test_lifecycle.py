"""The submission state machine through its services: drafts, hand-ins, returns, grades."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from lms.errors import Conflict, DomainError, Forbidden
from lms.extensions import db
from lms.grading.reviews import ReviewInput, save_review
from lms.notifications.models import Notification, OutboxEmail
from lms.progress.models import ModuleProgress
from lms.progress.services import (
    course_complete,
    mark_module_read,
    module_completion_reasons,
)
from lms.submissions import deadlines, services
from lms.submissions.models import Submission
from tests.submissions.conftest import best_levels, worst_levels


def _hand_in(klass, assignment, text="Mon persona : Aicha, 28 ans, Safi."):
    course = assignment.module.course
    version = services.submit_text(klass.trainee, course, assignment, text)
    db.session.commit()
    return version.submission


def _review(trainer, submission, levels, action, **extra):
    version = submission.latest_submitted
    lock = version.review.lock_version if version.review else 0
    data = ReviewInput(
        version.number, lock, levels, extra.get("feedback", ""), extra.get("reason", "")
    )
    review = save_review(trainer, submission, data, action)
    db.session.commit()
    return review


def test_draft_is_kept_then_frozen_when_handed_in(klass, text_assignment):
    course = text_assignment.module.course
    services.save_draft(klass.trainee, course, text_assignment, "premier jet")
    db.session.commit()
    draft = services.save_draft(klass.trainee, course, text_assignment, "second jet")
    db.session.commit()
    assert draft.number == 1 and draft.body_md == "second jet" and draft.submitted_at is None
    version = services.submit_text(klass.trainee, course, text_assignment, "version finale")
    db.session.commit()
    submission = version.submission
    assert (submission.status, submission.attempts_used, version.number) == ("submitted", 1, 1)
    assert version.submitted_at is not None and not version.late
    with pytest.raises(Conflict):
        services.save_draft(klass.trainee, course, text_assignment, "changer après coup")
    db.session.refresh(version)
    assert version.body_md == "version finale"


def test_empty_text_is_refused_and_nothing_created(klass, text_assignment):
    with pytest.raises(DomainError):
        services.submit_text(klass.trainee, text_assignment.module.course, text_assignment, "  \n ")
    db.session.rollback()
    assert db.session.query(Submission).count() == 0


def test_trainer_cannot_hand_in(klass, text_assignment):
    with pytest.raises(Forbidden):
        services.save_draft(klass.trainer, text_assignment.module.course, text_assignment, "x")


def test_late_work_is_marked_not_refused_and_extension_lifts_it(klass, text_assignment):
    klass.cohort.starts_on = date.today() - timedelta(days=60)
    db.session.commit()
    late = _hand_in(klass, text_assignment)
    assert late.is_late and late.latest_submitted.late
    deadlines.grant_extension(
        klass.trainer,
        klass.cohort.id,
        klass.classmate.id,
        text_assignment.id,
        date.today() + timedelta(days=3),
    )
    db.session.commit()
    version = services.submit_text(
        klass.classmate, text_assignment.module.course, text_assignment, "à temps"
    )
    assert not version.late


def test_trainer_of_another_cohort_cannot_extend(klass, text_assignment):
    from lms.errors import NotFound

    with pytest.raises(NotFound):
        deadlines.grant_extension(
            klass.other_trainer, klass.cohort.id, klass.trainee.id, text_assignment.id, date.today()
        )


def test_return_resubmit_release_completes_the_module(klass, text_assignment):
    module = text_assignment.module
    course = module.course
    mark_module_read(klass.trainee, module)
    submission = _hand_in(klass, text_assignment)
    with force_locale("en"):
        reasons = module_completion_reasons(klass.trainee, module)
    assert any("waiting" in r for r in reasons), reasons
    _review(klass.trainer, submission, worst_levels(text_assignment), "return", reason="Trop vague")
    assert submission.status == "returned"
    assert db.session.query(Notification).filter_by(kind="work_returned").count() == 1
    version = services.submit_text(klass.trainee, course, text_assignment, "Version revue")
    db.session.commit()
    assert (version.number, submission.attempts_used, submission.status) == (2, 2, "submitted")
    review = _review(
        klass.trainer, submission, best_levels(text_assignment), "release", feedback="Bravo"
    )
    assert review.total_points == review.max_points == text_assignment.max_points
    assert submission.status == "graded"
    others = [a for a in module.assignments if a.required and a.id != text_assignment.id]
    progress = db.session.get(ModuleProgress, (klass.trainee.id, module.id))
    assert (progress.completed_at is not None) == (not others)
    assert db.session.query(OutboxEmail).filter_by(to_address=klass.trainee.email).count() == 2
    done, reasons = course_complete(klass.trainee, course)
    assert not done and reasons


def test_low_grade_does_not_complete_and_says_why(klass, text_assignment):
    module = text_assignment.module
    mark_module_read(klass.trainee, module)
    submission = _hand_in(klass, text_assignment)
    _review(klass.trainer, submission, worst_levels(text_assignment), "release")
    with force_locale("en"):
        reasons = module_completion_reasons(klass.trainee, module)
    assert any("needed to pass" in r for r in reasons), reasons
    row = db.session.get(ModuleProgress, (klass.trainee.id, module.id))
    assert row.completed_at is None


def test_release_needs_every_criterion_and_levels_from_the_rubric(klass, text_assignment):
    submission = _hand_in(klass, text_assignment)
    levels = best_levels(text_assignment)
    first = next(iter(levels))
    partial = {first: levels[first]}
    with pytest.raises(DomainError):
        _review(klass.trainer, submission, partial, "release")
    db.session.rollback()
    criteria = list(levels)
    foreign = dict(levels)
    foreign[criteria[0]] = levels[criteria[1]]  # a level of another criterion
    with pytest.raises(DomainError):
        _review(klass.trainer, submission, foreign, "draft")
    db.session.rollback()
    with pytest.raises(DomainError):
        _review(klass.trainer, submission, {999999: 1}, "draft")
    db.session.rollback()
    draft = _review(klass.trainer, submission, partial, "draft")
    assert draft.status == "draft" and submission.status == "submitted"


def test_return_needs_a_reason(klass, text_assignment):
    submission = _hand_in(klass, text_assignment)
    with pytest.raises(DomainError):
        _review(klass.trainer, submission, {}, "return", reason="  ")


def test_stale_review_is_a_conflict(klass, text_assignment):
    submission = _hand_in(klass, text_assignment)
    _review(klass.trainer, submission, {}, "draft", feedback="first")
    stale = ReviewInput(1, 0, {}, "second trainer's feedback")
    with pytest.raises(Conflict):
        save_review(klass.admin, submission, stale, "draft")
    db.session.rollback()
    assert submission.latest_submitted.review.feedback_md == "first"


def test_attempts_run_out(klass, text_assignment):
    text_assignment.max_attempts = 2
    db.session.commit()
    course = text_assignment.module.course
    submission = _hand_in(klass, text_assignment)
    _review(klass.trainer, submission, {}, "return", reason="encore")
    services.submit_text(klass.trainee, course, text_assignment, "v2")
    db.session.commit()
    with pytest.raises(DomainError):
        _review(klass.trainer, submission, {}, "return", reason="encore une fois")
    db.session.rollback()
    with pytest.raises(Conflict):
        services.submit_text(klass.trainee, course, text_assignment, "v3")


def test_video_must_be_the_trainees_own_and_not_refused(klass):
    from lms.errors import NotFound
    from lms.media.models import MediaItem
    from tests.submissions.conftest import assignment_of

    assignment = assignment_of("video")
    course = assignment.module.course
    mine = MediaItem(token="a" * 32, owner_id=klass.trainee.id, status="processing")
    theirs = MediaItem(token="b" * 32, owner_id=klass.classmate.id, status="ready")
    refused = MediaItem(token="c" * 32, owner_id=klass.trainee.id, status="rejected")
    db.session.add_all([mine, theirs, refused])
    db.session.commit()
    with pytest.raises(NotFound):
        services.submit_video(klass.trainee, course, assignment, theirs.id)
    db.session.rollback()
    with pytest.raises(DomainError):
        services.submit_video(klass.trainee, course, assignment, refused.id)
    db.session.rollback()
    version = services.submit_video(klass.trainee, course, assignment, mine.id)
    assert version.media_item_id == mine.id and version.submission.status == "submitted"
