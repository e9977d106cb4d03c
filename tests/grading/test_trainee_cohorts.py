"""A trainee in two cohorts of the same workshop: each trainer sees only the work of their own."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import CohortTrainer
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

    # An administrator sees each cohort's work on that cohort's page, as in its grid.
    page = as_user(klass.admin).get(trainee_url(klass.cohort, trainee)).text
    assert f"/grading/submissions/{in_a}" in page and f"/grading/submissions/{in_b}" not in page
    page = as_user(klass.admin).get(trainee_url(klass.other_cohort, trainee)).text
    assert f"/grading/submissions/{in_b}" in page and f"/grading/submissions/{in_a}" not in page


def _grid_row(page: str, name: str) -> str:
    match = re.search(
        rf"<tr[^>]*>\s*<th[^>]*><a [^>]*>{re.escape(name)}</a></th>(.*?)</tr>", page, re.S
    )
    assert match, f"no grid row for {name}"
    return match.group(1)


@pytest.mark.parametrize("who", ["admin", "both_cohorts_trainer"])
def test_grid_page_and_export_of_a_cohort_count_only_the_work_handed_in_to_it(klass, as_user, who):
    """Someone who may open both cohorts sees her work waiting in B's grid, page and export,
    and nowhere in A's, where she has handed in nothing yet."""
    first, _second = _text_assignments()
    trainee = klass.outsider
    if who == "admin":
        viewer = klass.admin
    else:
        viewer = klass.trainer
        db.session.add(CohortTrainer(cohort_id=klass.other_cohort.id, user_id=viewer.id))
    version = work_services.submit_text(trainee, _course(), first, "Mon travail")
    accounts.join_cohort(trainee, klass.cohort.code)
    db.session.commit()
    handed_in = f"/grading/submissions/{version.submission.id}"
    client = as_user(viewer)
    title = f"{first.title} (/{first.max_points})"

    for cohort, seen in ((klass.other_cohort, True), (klass.cohort, False)):
        grid = client.get(f"/grading/cohorts/{cohort.id}/?course={COURSE}").text
        assert ('class="cell-waiting"' in _grid_row(grid, trainee.name)) is seen, cohort.code
        page = client.get(trainee_url(cohort, trainee)).text
        assert (handed_in in page) is seen, cohort.code
        assert ('class="cell-waiting"' in page) is seen, cohort.code
        export = client.get(f"/grading/cohorts/{cohort.id}/grades.csv?course={COURSE}").text
        rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
        (hers,) = [row for row in rows if row[1] == trainee.email]
        assert (hers[rows[0].index(title)] != "") is seen, cohort.code
