"""The access rules of lms/accounts/access.py: each stated once, each asked through the app."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts import access
from lms.accounts.models import CohortTrainer, Role
from lms.courses.models import Course
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.grading.reviews import ReviewInput, save_review
from lms.submissions.access import access_submission
from lms.submissions.models import Review
from lms.submissions.services import submit_text
from tests.submissions.conftest import *  # noqa: F403 (the class, as_user, text_assignment)
from tests.submissions.conftest import best_levels, review_form

OWN_WORK_FR = "Personne ne note son propre travail"


def _hand_in(trainee, assignment) -> int:
    course = db.session.get(Course, assignment.module.course_id)
    version = submit_text(trainee, course, assignment, "Mon texte")
    db.session.commit()
    return version.submission_id


def _promote(user, role: str, cohort) -> None:
    """A trainee of the cohort who becomes one who grades it (trainer or administrator)."""
    user.role = role
    db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=user.id))
    db.session.commit()


def _reviews() -> int:
    return db.session.scalar(select(func.count()).select_from(Review))


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ADMIN])
def test_nobody_grades_their_own_work_the_service_refuses_through_the_grading_route(
    klass, text_assignment, as_user, role
):
    # She handed the work in as a trainee of the cohort, then came to grade that cohort.
    submission_id = _hand_in(klass.trainee, text_assignment)
    _promote(klass.trainee, role, klass.cohort)
    client = as_user(klass.trainee)
    form = review_form(
        text_assignment, best_levels(text_assignment), version=1, review_lock=0, action="release"
    )

    response = client.post(f"/grading/submissions/{submission_id}", data=form)

    assert response.status_code == 403
    assert OWN_WORK_FR in response.text
    assert _reviews() == 0
    assert client.get(f"/grading/submissions/{submission_id}").status_code == 404


def test_save_review_refuses_the_author_whoever_calls_it(klass, text_assignment):
    submission_id = _hand_in(klass.trainee, text_assignment)
    _promote(klass.trainee, Role.TRAINER, klass.cohort)
    submission = access_submission(klass.trainee, submission_id)
    posted = ReviewInput(version_number=1, review_lock=0)
    with pytest.raises(Forbidden):
        save_review(klass.trainee, submission, posted, "draft")
    # Another cohort's trainer may not grade it either, even called without the view.
    with pytest.raises(Forbidden):
        save_review(klass.other_trainer, submission, posted, "draft")
    save_review(klass.trainer, submission, posted, "draft")


def test_the_cohorts_trainer_grades_it_the_other_trainer_cannot_reach_it(
    klass, text_assignment, as_user
):
    submission_id = _hand_in(klass.trainee, text_assignment)
    url = f"/grading/submissions/{submission_id}"
    form = review_form(
        text_assignment, best_levels(text_assignment), version=1, review_lock=0, action="draft"
    )
    assert as_user(klass.other_trainer).post(url, data=form).status_code == 404
    assert as_user(klass.trainer).post(url, data=form).status_code == 302
    assert as_user(klass.admin).get(url).status_code == 200


def test_train_rule_answers_for_one_cohort_a_list_or_a_subquery_in_one_query(klass, count_queries):
    a, b = klass.cohort.id, klass.other_cohort.id
    handed_in = select(CohortTrainer.cohort_id).where(CohortTrainer.cohort_id == b)
    assert klass.trainer.is_trainer and klass.admin.is_admin and klass.trainee.is_trainee
    with count_queries() as statements:
        assert access.may_train(klass.trainer, a)
    assert len(statements) == 1
    assert not access.may_train(klass.trainer, b)
    assert access.may_train(klass.trainer, [b, a])
    assert not access.may_train(klass.trainer, [])
    assert not access.may_train(klass.trainer, handed_in)
    assert access.may_train(klass.other_trainer, handed_in)
    with count_queries() as statements:
        assert access.may_train(klass.admin, [b])
        assert not access.may_train(klass.trainee, a)
    assert statements == []  # roles answer without asking the database


def test_work_is_seen_by_owner_cohort_trainers_and_admins_graded_never_by_its_owner(klass):
    a = klass.cohort.id
    owner = klass.trainee.id
    for user, sees, grades in (
        (klass.trainee, True, False),
        (klass.classmate, False, False),
        (klass.trainer, True, True),
        (klass.other_trainer, False, False),
        (klass.admin, True, True),
    ):
        assert access.may_see_work(user, owner, a) is sees, user.name
        assert access.may_grade_work(user, owner, a) is grades, user.name
    assert not access.may_grade_work(klass.admin, klass.admin.id, a)
    assert not access.may_see_work(klass.classmate, None, a)


def test_one_access_cohort_for_trainers_and_administrators(klass):
    assert access.may_grade(klass.trainer) and access.may_grade(klass.admin)
    assert not access.may_grade(klass.trainee)
    assert access.access_cohort(klass.trainer, klass.cohort.id) == klass.cohort
    assert access.access_cohort(klass.admin, klass.other_cohort.id) == klass.other_cohort
    for user, cohort_id in (
        (klass.trainer, klass.other_cohort.id),
        (klass.trainee, klass.cohort.id),
        (klass.admin, 10**9),
    ):
        with pytest.raises(NotFound):
            access.access_cohort(user, cohort_id)


def test_comments_change_by_author_or_administrator_certificates_go_to_holder_or_admin(klass):
    trainer, admin, other = klass.trainer, klass.admin, klass.other_trainer
    assert access.may_change_authored(trainer, trainer.id)
    assert access.may_change_authored(admin, trainer.id)
    assert not access.may_change_authored(other, trainer.id)
    holder = klass.trainee
    assert access.may_download_certificate(holder, holder.id)
    assert access.may_download_certificate(admin, holder.id)
    assert not access.may_download_certificate(trainer, holder.id)


def test_no_package_writes_its_own_cohort_rule():
    """The trainer-of-cohort table is read by the access module alone (and by the services
    that change it or list it for administrators)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "lms"
    allowed = {"accounts/access.py", "accounts/models.py", "accounts/services.py"}
    allowed |= {"admin/cohorts.py"}  # lists and removes trainers: administration, no rule
    readers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "CohortTrainer" in path.read_text()
    }
    assert readers - allowed == set()
