"""The trainee's assignment page: instructions, rubric, editor or upload, history and feedback."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.courses.models import AssignmentKind
from lms.errors import DomainError
from lms.extensions import db
from lms.http import query_id
from lms.markup import render_markdown, word_count
from lms.media.services import recent_uploads
from lms.progress.services import module_completion_reasons
from lms.submissions import files, services
from lms.submissions.access import access_assignment, access_version_file
from lms.submissions.forms import parse_id

# Named "submissions" as before the move here, so URLs and endpoints stay stable.
bp = Blueprint("submissions", __name__, url_prefix="/submissions")
ASSIGNMENT_URL = "/<course_slug>/<module_slug>/<assignment_slug>/"


@bp.get(ASSIGNMENT_URL)
@login_required
def assignment(course_slug: str, module_slug: str, assignment_slug: str):
    """The assignment page; trainees get the editor and their history."""
    course, module, assignment = access_assignment(
        current_user, course_slug, module_slug, assignment_slug
    )
    work = services.trainee_work(current_user, course, assignment)
    can_work = services.can_work(work, assignment)
    videos = (
        recent_uploads(current_user, services.VIDEOS_OFFERED, statuses=services.VIDEO_ACCEPTED)
        if can_work and assignment.kind == AssignmentKind.VIDEO
        else []
    )
    return render_template(
        "submissions/assignment.html",
        course=course,
        module=module,
        assignment=assignment,
        work=work,
        can_work=can_work,
        videos=videos,
        chosen_video=request.args.get("media_item", type=query_id),
        reasons=module_completion_reasons(current_user, module) if work.cohort else [],
        render_markdown=render_markdown,
        word_count=word_count,
    )


@bp.post(ASSIGNMENT_URL)
@login_required
def hand_in(course_slug: str, module_slug: str, assignment_slug: str):
    """Save a draft or hand in; only the text, the file or the video id are read from the form."""
    course, _module, assignment = access_assignment(
        current_user, course_slug, module_slug, assignment_slug
    )
    action = request.form.get("action", "submit")
    page = url_for(
        ".assignment",
        course_slug=course_slug,
        module_slug=module_slug,
        assignment_slug=assignment_slug,
    )
    if assignment.kind == "text":
        body = request.form.get("body", "")
        if action == "draft":
            services.save_draft(current_user, course, assignment, body)
            db.session.commit()
            flash(_("Draft saved. Only you can see it."), "success")
            return redirect(page)
        services.submit_text(current_user, course, assignment, body)
    elif assignment.kind == "file":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise DomainError(_("Choose a file to hand in."))
        try:
            services.submit_file(
                current_user,
                course,
                assignment,
                upload.stream,
                upload.filename,
                request.form.get("note", ""),
            )
        finally:
            # Large uploads are spooled to a temporary file: release it even on refusal.
            upload.close()
    else:
        services.submit_video(
            current_user, course, assignment, parse_id(request.form.get("media_item_id"))
        )
    db.session.commit()
    flash(_("Your work was handed in. Your trainer will review it."), "success")
    return redirect(page)


@bp.post(ASSIGNMENT_URL + "autosave")
@login_required
def autosave(course_slug: str, module_slug: str, assignment_slug: str):
    """The editor's periodic draft save (JavaScript); answers JSON."""
    course, _module, assignment = access_assignment(
        current_user, course_slug, module_slug, assignment_slug
    )
    version = services.save_draft(current_user, course, assignment, request.form.get("body", ""))
    db.session.commit()
    return jsonify(saved_at=version.updated_at.isoformat(), words=word_count(version.body_md))


@bp.post("/preview")
@login_required
def preview():
    """The editor's preview: the same sanitised rendering the trainer will see."""
    text = request.form.get("body", "")[: services.MAX_TEXT_CHARS]
    return jsonify(html=str(render_markdown(text)), words=word_count(text))


@bp.get("/files/<int:version_id>")
@login_required
def download(version_id: int):
    """A handed-in file, for its author and the cohort's trainers only; always a download."""
    version = access_version_file(current_user, version_id)
    path = files.stored_path(version.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=version.mime_type or "application/octet-stream",
        as_attachment=True,
        download_name=version.original_name or "document",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
