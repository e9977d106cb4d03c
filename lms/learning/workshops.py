"""The trainee's side of workshops: catalogue, workshop page, module page, mark as read."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.courses import services
from lms.extensions import db
from lms.progress import services as progress
from lms.submissions import services as submissions

# Named "courses" as before the move here, so URLs and endpoints (courses.module, …) stay stable.
bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.get("/")
@login_required
def catalogue():
    """The workshops of the signed-in person, with a progress bar each."""
    courses = services.list_courses(current_user)
    progress_by_course = (
        progress.catalogue_progress(current_user, courses) if current_user.is_trainee else {}
    )
    return render_template("courses/catalogue.html", courses=courses, progress=progress_by_course)


@bp.get("/<slug>/")
@login_required
def course(slug: str):
    """A workshop: its modules in order, with the trainee's status for each."""
    course = services.access_course(current_user, slug)
    modules = services.module_lines(course)
    state = progress.course_progress(current_user, course, modules)
    return render_template(
        "courses/course.html",
        course=course,
        state=state,
        tracks_progress=current_user.is_trainee,
    )


@bp.get("/<slug>/<module_slug>/")
@login_required
def module(slug: str, module_slug: str):
    """A module: its text, its assignments, and the button to mark it read."""
    course, module = services.access_module(current_user, slug, module_slug)
    modules = services.active_modules(course)
    position = next(i for i, m in enumerate(modules) if m.id == module.id)
    rows = progress.progress_rows(current_user.id, [module.id])
    state = progress.module_state(module, rows.get(module.id))
    trainee = current_user.is_trainee
    work = submissions.submissions_by_assignment(current_user, module) if trainee else {}
    reasons = (
        progress.module_completion_reasons(current_user, module)
        if trainee and state.status != progress.ModuleStatus.COMPLETE
        else []
    )
    return render_template(
        "courses/module.html",
        course=course,
        module=module,
        state=state,
        previous=modules[position - 1] if position > 0 else None,
        next_module=modules[position + 1] if position + 1 < len(modules) else None,
        tracks_progress=trainee,
        work_by_assignment=work,
        reasons=reasons,
    )


@bp.post("/<slug>/<module_slug>/read")
@login_required
def mark_read(slug: str, module_slug: str):
    """Record that the trainee read the module (CSRF is checked for every POST)."""
    course, module = services.access_module(current_user, slug, module_slug)
    if not services.is_trainee_of(current_user, course):
        flash(_("Only trainees of this workshop record their reading."), "info")
        return redirect(url_for("courses.module", slug=slug, module_slug=module_slug))
    progress.mark_module_read(current_user, module)
    db.session.commit()
    flash(_("Module marked as read."), "success")
    return redirect(url_for("courses.course", slug=course.slug))
