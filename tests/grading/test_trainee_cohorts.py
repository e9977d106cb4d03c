"""A trainee in two cohorts of the same workshop: each trainer sees only the work of their own."""

from __future__ import annotations

import html

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.courses.models import Assignment, Course, Module
from lms.extensions import db
from lms.submissions import services as work_services
from tests.grading.test_trainee_page import COURSE, _course, _row, trainee_url
from tests.submissions.conftest import best_levels, review_form, worst_levels


def _text_assignments() -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Module)
            .join(Course)
            .where(Course.slug == COURSE, Assignment.kind == "text")
            .where(Assignment.archived_at.is_(None))
            .order_by(Module.position, Assignment.position)
            .limit(2)
        )
    )


def _graded(as_user, trainer, trainee, assignment, levels) -> int:
    version = work_services.submit_text(trainee, _course(), assignment, "Mon travail")
    db.session.commit()
    submission = version.submission
    form = review_form(assignment, levels(assignment), version=1, review_lock=0, action="release")
    response = as_user(trainer).post(f"/grading/submissions/{submission.id}", data=form)
    assert response.status_code == 302
    return submission.id


def test_a_trainer_sees_only_grades_handed_in_to_cohorts_they_train(klass, as_user):
    first, second = _text_assignments()
    trainee = klass.outsider  # in the other cohort (its trainer: other_trainer)
    in_b = _graded(as_user, klass.other_trainer, trainee, first, worst_levels)
    accounts.join_cohort(trainee, klass.cohort.code)  # now follows the workshop in cohort A
    db.session.commit()
    in_a = _graded(as_user, klass.trainer, trainee, second, best_levels)
    top, low = (
        second.max_points,
        sum(min(level.points for level in c.levels) for c in first.criteria),
    )

    page = as_user(klass.trainer).get(trainee_url(klass.cohort, trainee)).text
    mine, theirs = html.unescape(_row(page, second.title)), html.unescape(_row(page, first.title))
    assert f"<td>{top}/{top}</td>" in mine and f"/grading/submissions/{in_a}" in mine
    assert f"/grading/submissions/{in_b}" not in page and f"{low}/" not in theirs
    assert "<td>—</td>" in theirs

    page = as_user(klass.other_trainer).get(trainee_url(klass.other_cohort, trainee)).text
    assert f"/grading/submissions/{in_b}" in page and f"/grading/submissions/{in_a}" not in page

    page = as_user(klass.admin).get(trainee_url(klass.cohort, trainee)).text
    assert f"/grading/submissions/{in_a}" in page and f"/grading/submissions/{in_b}" in page
