"""Media pages: resumable upload (tus), processing status, player, files with Range, comments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from lms.errors import NotFound
from lms.extensions import db, login_manager
from lms.media import access, services, storage, uploads
from lms.media import comments as video_comments
from lms.media.lessons import embed_lesson_videos
from lms.media.models import MediaPurpose

bp = Blueprint("media", __name__, url_prefix="/media")

DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024


@bp.url_value_preprocessor
def _allow_upload_bodies(endpoint: str | None, _values: dict | None) -> None:
    """Let a tus PATCH be larger than an ordinary form (MAX_CONTENT_LENGTH), once its sender
    is known; append_chunk then bounds it by the upload's own size."""
    if endpoint != "media.tus_upload" or request.method != "PATCH":
        return
    # This runs before CSRFProtect and login_required, from the headers alone: with the limit
    # raised, CSRFProtect would read a multipart body of any size looking for its token.
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    _check_csrf_header()
    if request.mimetype == uploads.OFFSET_CONTENT_TYPE:
        request.max_content_length = storage.max_upload_bytes()


def _check_csrf_header() -> None:
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    headers = current_app.config["WTF_CSRF_HEADERS"]
    token = next((request.headers[h] for h in headers if request.headers.get(h)), None)
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from None


def _tus(response, status: int = 204, **headers):
    response.status_code = status
    response.headers["Tus-Resumable"] = uploads.TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = str(value)
    return response


def _require_tus_version() -> None:
    if request.headers.get("Tus-Resumable") != uploads.TUS_VERSION:
        response = current_app.response_class(status=412)
        response.headers["Tus-Version"] = uploads.TUS_VERSION
        abort(response)


def _int_header(name: str) -> int | None:
    value = request.headers.get(name, "")
    return int(value) if value.isdigit() else None


@bp.app_template_filter("media_status_message")
def media_status_message(item) -> str:
    """The state of a video in words, for templates of any package."""
    return services.status_message(item)


# `{{ seconds|moment }}`: 1:05, or 1:02:03 past an hour, as comments' times are written.
bp.add_app_template_filter(video_comments.format_moment, "moment")


@bp.app_template_filter("lesson_videos")
def lesson_videos_filter(body_html: str, course):
    """`{{ module.body_html|lesson_videos(course) }}`: videos of the lesson as players."""
    return embed_lesson_videos(body_html, course)


# --- Upload ------------------------------------------------------------------------------


@bp.get("/upload")
@login_required
def upload_page():
    """The resumable uploader; `return_to` is where to go back with ?media_item=<id>."""
    return render_template(
        "media/upload.html",
        return_to=services.safe_return_path(request.args.get("return_to")),
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        max_minutes=current_app.config["MAX_VIDEO_MINUTES"],
        chunk_bytes=int(current_app.config.get("MEDIA_UPLOAD_CHUNK_BYTES", DEFAULT_CHUNK_BYTES)),
        recent=services.recent_uploads(current_user),
    )


@bp.route("/uploads", methods=["OPTIONS"])
def tus_options():
    """What the server supports (tus discovery)."""
    return _tus(
        current_app.response_class(),
        Tus_Version=uploads.TUS_VERSION,
        Tus_Extension=uploads.TUS_EXTENSIONS,
        Tus_Max_Size=storage.max_upload_bytes(),
    )


@bp.post("/uploads")
@login_required
def tus_create():
    """Open an upload of Upload-Length bytes; answers its address in Location."""
    _require_tus_version()
    upload = uploads.create_upload(
        current_user,
        _int_header("Upload-Length"),
        request.headers.get("Upload-Metadata"),
        purpose=MediaPurpose.SUBMISSION,
    )
    db.session.commit()
    location = url_for("media.tus_upload", token=upload.token)
    item = upload.media_item
    body = jsonify(
        upload_url=location,
        item_id=item.id,
        status_url=url_for("media.status", item_id=item.id),
        player_url=url_for("media.player", item_id=item.id),
    )
    return _tus(body, 201, Location=location, Upload_Offset=0)


@bp.route("/uploads/<token>", methods=["HEAD", "PATCH", "DELETE"])
@login_required
def tus_upload(token: str):
    """HEAD: the offset to resume from; PATCH: bytes at that offset; DELETE: abandon."""
    upload = uploads.access_upload(current_user, token)
    empty = current_app.response_class()
    if request.method == "HEAD":
        return _tus(
            empty,
            200,
            Upload_Offset=uploads.current_offset(upload),
            Upload_Length=upload.length,
        )
    _require_tus_version()
    if request.method == "DELETE":
        uploads.terminate_upload(upload)
        db.session.commit()
        return _tus(empty)
    if request.mimetype != uploads.OFFSET_CONTENT_TYPE:
        return _tus(empty, 415)
    result = uploads.append_chunk(
        upload, _int_header("Upload-Offset"), request.stream, request.content_length
    )
    db.session.commit()
    return _tus(empty, Upload_Offset=result.offset)


# --- Status and playback -----------------------------------------------------------------


@bp.get("/<int:item_id>/status")
@login_required
def status(item_id: int):
    """Where the video's processing stands, polled by the upload and player pages."""
    item = access.access_media(current_user, item_id)
    return jsonify(services.status_payload(item))


@bp.get("/<int:item_id>/")
@login_required
def player(item_id: int):
    """The player page (or the processing status while the video is not ready)."""
    item = access.access_media(current_user, item_id)
    return render_template(
        "media/player.html",
        media_item=item,
        can_comment=access.can_comment(current_user, item),
        status=services.status_payload(item),
    )


@bp.post("/<int:item_id>/retry")
@login_required
def retry(item_id: int):
    """The owner asks for a failed video to be prepared again."""
    item = services.retry_video(current_user, item_id)
    db.session.commit()
    return redirect(url_for("media.player", item_id=item.id))


@bp.get("/<int:item_id>/files/<name>")
@login_required
def media_file(item_id: int, name: str):
    """A rendition or the poster, with Range requests, after the access check."""
    item = access.access_media(current_user, item_id)
    if not item.is_ready:
        raise NotFound(access.MEDIA_NOT_FOUND)
    try:
        path = storage.served_file(item.token, name)
    except storage.UnsafeName:
        raise NotFound(access.MEDIA_NOT_FOUND) from None
    if not path.is_file():
        raise NotFound(access.MEDIA_NOT_FOUND)
    response = send_file(
        path,
        mimetype="image/jpeg" if name.endswith(".jpg") else "video/mp4",
        conditional=True,
        etag=True,
        max_age=3600,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# --- Comments ----------------------------------------------------------------------------


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


# One view per method: a view serving GET also answers HEAD, which CSRFProtect does not check,
# so no view that reads may share its body with one that writes.
@bp.get("/<int:item_id>/comments")
@login_required
def comments(item_id: int):
    """The comments as JSON."""
    item = access.access_media(current_user, item_id)
    return jsonify(comments=video_comments.list_comments(current_user, item))


@bp.post("/<int:item_id>/comments")
@login_required
def add_comment(item_id: int):
    """A trainer adds a comment (JSON from the player's script, or a plain form)."""
    # Who may comment is settled before the body is read: a stranger learns nothing from it.
    access.access_commentable(current_user, item_id)
    if request.is_json:
        at, body = video_comments.comment_fields(request.get_json(silent=True))
    else:
        at, body = video_comments.parse_moment(request.form.get("at", "")), request.form.get("body")
    comment = video_comments.add_comment(current_user, item_id, at, body)
    db.session.commit()
    if _wants_json():
        return jsonify(video_comments.comment_payload(current_user, comment)), 201
    return redirect(url_for("media.player", item_id=item_id) + "#comments")


@bp.route("/comments/<int:comment_id>", methods=["PATCH", "DELETE"])
@login_required
def comment(comment_id: int):
    """Edit or delete one's comment (from the player's script)."""
    video_comments.access_own_comment(current_user, comment_id)
    if request.method == "DELETE":
        video_comments.delete_comment(current_user, comment_id)
        db.session.commit()
        return "", 204
    at, body = video_comments.comment_fields(request.get_json(silent=True))
    updated = video_comments.edit_comment(current_user, comment_id, body, at)
    db.session.commit()
    return jsonify(video_comments.comment_payload(current_user, updated))


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment_form(comment_id: int):
    """Delete a comment from a plain form (pages without JavaScript)."""
    comment = video_comments.access_own_comment(current_user, comment_id)
    item_id = comment.media_item_id
    video_comments.delete_comment(current_user, comment_id)
    db.session.commit()
    return redirect(url_for("media.player", item_id=item_id) + "#comments")
