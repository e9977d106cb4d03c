"""The trainer's pages: grading queue, grading page, cohort grid, a trainee's page, due dates."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.errors import Conflict, DomainError, NotFound
from lms.extensions import db
from lms.grading import grid as grids
from lms.grading import services
from lms.grading.exports import grades_csv
from lms.grading.forms import parse_review
from lms.grading.grid_html import grid_rows_html
from lms.grading.reviews import ReviewInput, save_review
from lms.grading.trainee import cohort_due_dates, trainee_overview
from lms.http import query_id, query_page
from lms.markup import render_markdown
from lms.media.models import MediaItem
from lms.submissions import deadlines
from lms.submissions.access import access_submission, due_date
from lms.submissions.forms import parse_date, parse_id

bp = Blueprint("grading", __name__, url_prefix="/grading")


@bp.before_request
@login_required
def graders_only():
    """Every page here is for trainers and administrators."""
    services.require_grader(current_user)


@bp.get("/")
def queue():
    """The queue of the trainer's cohorts, oldest first, with filters and counts."""
    filters = services.QueueFilters(
        course=request.args.get("course") or None,
        module_id=request.args.get("module", type=query_id),
        status=request.args.get("status", "submitted"),
        page=request.args.get("page", 1, type=query_page),
    )
    result = services.grading_queue(current_user, filters)
    return render_template("grading/queue.html", queue=result)


def _grading_page(submission_id: int, posted: ReviewInput | None = None, error=None, status=200):
    submission = services.access_work_to_grade(current_user, submission_id)
    version = submission.latest_submitted
    if version is None:
        raise NotFound(_("Nothing was handed in yet."))
    review = version.review
    if posted is None:
        posted = ReviewInput(
            version_number=version.number,
            review_lock=review.lock_version if review else 0,
            levels={s.criterion_id: s.level_id for s in review.scores} if review else {},
            feedback=review.feedback_md if review else "",
            reason=(review.return_reason or "") if review else "",
        )
    media_ids = [v.media_item_id for v in submission.versions if v.media_item_id]
    media = (
        {m.id: m for m in db.session.scalars(select(MediaItem).where(MediaItem.id.in_(media_ids)))}
        if media_ids
        else {}
    )
    body = render_template(
        "grading/grade.html",
        submission=submission,
        assignment=submission.assignment,
        version=version,
        review=review,
        posted=posted,
        error=error,
        due=due_date(submission.assignment, submission.cohort, submission),
        media=media,
        render_markdown=render_markdown,
        previous=[v for v in reversed(submission.submitted_versions) if v.id != version.id],
    )
    return body, status


@bp.get("/submissions/<int:submission_id>")
def grade(submission_id: int):
    """The work, the rubric, the feedback box and the previous versions."""
    return _grading_page(submission_id)


@bp.post("/submissions/<int:submission_id>")
def save(submission_id: int):
    """Save a draft review, release the grade or return the work; a stale form gets 409."""
    # The service refuses what the user may not grade, their own work included.
    submission = access_submission(current_user, submission_id)
    posted = parse_review(request.form)
    action = request.form.get("action", "draft")
    try:
        save_review(current_user, submission, posted, action)
    except Conflict as conflict:
        db.session.rollback()
        return _grading_page(submission_id, posted, conflict.message, 409)
    db.session.commit()
    messages = {
        "release": _("Grade released; the trainee has been notified."),
        "return": _("Work returned for revision; the trainee has been notified."),
    }
    flash(
        messages.get(action, _("Review saved as a draft; the trainee does not see it.")), "success"
    )
    if action in messages:
        return redirect(url_for(".queue"))
    return redirect(url_for(".grade", submission_id=submission_id))


@bp.post("/submissions/<int:submission_id>/extension")
def extend(submission_id: int):
    """A later due date for the trainee of this submission."""
    submission = access_submission(current_user, submission_id)
    until = parse_date(request.form.get("until"))
    deadlines.grant_extension(
        current_user, submission.cohort_id, submission.user_id, submission.assignment_id, until
    )
    db.session.commit()
    flash(_("Extension granted until %(date)s.", date=until.isoformat()), "success")
    return redirect(url_for(".grade", submission_id=submission_id))


@bp.get("/cohorts/")
def cohorts():
    """The trainer's cohorts, each with its grid and its grades export."""
    return render_template("grading/cohorts.html", cohorts=services.grader_cohorts(current_user))


@bp.get("/cohorts/<int:cohort_id>/")
def grid(cohort_id: int):
    """Trainees × modules with status, and who has been inactive for 7 days."""
    result = grids.cohort_grid(current_user, cohort_id, request.args.get("course"))
    return render_template("grading/grid.html", grid=result, grid_rows_html=grid_rows_html)


@bp.get("/cohorts/<int:cohort_id>/grades.csv")
def export(cohort_id: int):
    """The cohort's grades as CSV (UTF-8 with BOM)."""
    text, result = grades_csv(current_user, cohort_id, request.args.get("course"))
    filename = f"grades-{result.cohort.code}-{result.course.slug}.csv"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def _trainee_page(
    cohort_id: int, trainee_id: int, course: str | None, error=None, chosen=None, status=200
):
    overview = trainee_overview(current_user, cohort_id, trainee_id, course)
    body = render_template("grading/trainee.html", page=overview, error=error, chosen=chosen)
    return body, status


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:trainee_id>/")
def trainee(cohort_id: int, trainee_id: int):
    """One trainee's modules, work, grades and due dates, and the form for an extension."""
    return _trainee_page(cohort_id, trainee_id, request.args.get("course"))


@bp.post("/cohorts/<int:cohort_id>/extension")
def cohort_extension(cohort_id: int):
    """An extension for one trainee of the cohort, from the trainee's page (which it goes back to).

    A mistyped date shows the page again with the message, and changes nothing.
    """
    trainee_id = parse_id(request.form.get("trainee_id"))
    assignment_id = parse_id(request.form.get("assignment_id"))
    course = request.form.get("course") or None
    try:
        until = parse_date(request.form.get("until"))
    except DomainError as error:
        return _trainee_page(cohort_id, trainee_id, course, error.message, assignment_id, 400)
    deadlines.grant_extension(current_user, cohort_id, trainee_id, assignment_id, until)
    db.session.commit()
    flash(_("Extension granted until %(date)s.", date=until.isoformat()), "success")
    return redirect(url_for(".trainee", cohort_id=cohort_id, trainee_id=trainee_id, course=course))


def _due_dates_page(cohort_id: int, course: str | None, error=None, chosen=None, status=200):
    result = cohort_due_dates(current_user, cohort_id, course)
    body = render_template("grading/due_dates.html", page=result, error=error, chosen=chosen)
    return body, status


@bp.get("/cohorts/<int:cohort_id>/due-dates/")
def due_dates(cohort_id: int):
    """The cohort's due date for each assignment of a workshop, and the form to set one."""
    return _due_dates_page(cohort_id, request.args.get("course"))


@bp.post("/cohorts/<int:cohort_id>/due-date")
def cohort_due_date(cohort_id: int):
    """A due date for one assignment in the whole cohort, from the due dates page."""
    assignment_id = parse_id(request.form.get("assignment_id"))
    course = request.form.get("course") or None
    try:
        due_on = parse_date(request.form.get("due_on"))
    except DomainError as error:
        return _due_dates_page(cohort_id, course, error.message, assignment_id, 400)
    deadlines.set_due_date(current_user, cohort_id, assignment_id, due_on)
    db.session.commit()
    flash(_("Due date set to %(date)s.", date=due_on.isoformat()), "success")
    return redirect(url_for(".due_dates", cohort_id=cohort_id, course=course))
