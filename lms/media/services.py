"""Media services: the checked state machine, who may watch a video, and time-stamped comments."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.accounts.access import may_change_authored
from lms.accounts.models import User
from lms.clock import utcnow
from lms.errors import Conflict, DomainError, Forbidden, NotFound
from lms.extensions import db
from lms.media import storage
from lms.media.access import access_commentable, access_media, can_view
from lms.media.models import MediaItem, MediaStatus, VideoComment
from lms.media.probe import MediaRejected
from lms.media.reasons import describe_rejection

S = MediaStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.UPLOADING: frozenset({S.UPLOADED}),
    S.UPLOADED: frozenset({S.QUEUED}),
    S.QUEUED: frozenset({S.PROCESSING}),
    # Back to queued: a transient failure retried later, or a job whose worker died.
    S.PROCESSING: frozenset({S.READY, S.REJECTED, S.FAILED, S.QUEUED}),
    S.FAILED: frozenset({S.QUEUED}),
    S.READY: frozenset(),
    S.REJECTED: frozenset(),
}
log = logging.getLogger(__name__)
COMMENT_NOT_FOUND = _l("This comment does not exist.")
MAX_COMMENT_LENGTH = 2000


class InvalidTransition(Conflict):
    """A status change the state machine does not allow."""


def change_status(item: MediaItem, new: str) -> None:
    """Move an item to a new status, refusing any move the state machine does not list."""
    if new not in TRANSITIONS.get(item.status, frozenset()):
        # The internal status names stay in the log, not in the message shown to people.
        log.info("refused media transition %s -> %s for item %s", item.status, new, item.id)
        raise InvalidTransition(_l("This video cannot do that in its current state."))
    item.status = new


def claim_for_processing(item_id: int, worker: str) -> bool:
    """Atomically take a queued item (queued -> processing); False when another worker has it.

    A compare-and-set in SQL, so that two workers given the same job (a requeue after a
    restart, a duplicate message) never process one video twice at the same time.
    """
    done = db.session.execute(
        update(MediaItem)
        .where(MediaItem.id == item_id, MediaItem.status == S.QUEUED)
        .values(
            status=S.PROCESSING,
            progress_percent=0,
            worker=worker,
            heartbeat_at=utcnow(),
            attempts=MediaItem.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def reject_item(item: MediaItem, exc: MediaRejected) -> None:
    """Record why a file is refused; the message is chosen in the viewer's language later."""
    change_status(item, S.REJECTED)
    item.rejection_reason = exc.reason
    item.rejection_params = {k: _plain(v) for k, v in exc.params.items()}


def _plain(value):
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)


def retry_video(user: User, item_id: int) -> MediaItem:
    """The owner sends a failed video through the pipeline again (failed -> queued); the
    caller commits, then dispatches. Its original was kept when it failed."""
    item = access_media(user, item_id)
    if item.owner_id != user.id:
        raise Forbidden(_l("Only the person who uploaded this video can try again."))
    if item.status != S.FAILED:
        raise Conflict(_l("Only a video that could not be prepared can be tried again."))
    if not storage.source_path(item.token).is_file():
        raise Conflict(_l("The original file is no longer kept: please upload the video again."))
    change_status(item, S.QUEUED)
    item.progress_percent = 0
    # A fresh round of automatic retries: the last round was used up before it failed.
    item.attempts = 0
    db.session.flush()
    return item


def status_message(item: MediaItem) -> str:
    """What the owner reads about the item's state, in the current language."""
    if item.status == S.REJECTED:
        return describe_rejection(
            MediaRejected(item.rejection_reason or "unreadable", **(item.rejection_params or {}))
        )
    messages = {
        S.UPLOADING: _l("The upload is not finished yet."),
        S.UPLOADED: _l("Upload complete. The video will be prepared shortly."),
        S.QUEUED: _l("Waiting for its turn to be prepared."),
        S.PROCESSING: _l(
            "Preparing the video for viewing: %(percent)s%%.", percent=item.progress_percent
        ),
        S.READY: _l("The video is ready."),
        S.FAILED: _l("The video could not be prepared. The team has been told; your file is kept."),
    }
    return str(messages.get(item.status, ""))


def status_payload(item: MediaItem) -> dict:
    """The JSON the upload and player pages poll."""
    return {
        "id": item.id,
        "status": item.status,
        "progress": item.progress_percent,
        "finished": item.is_finished,
        "message": status_message(item),
        "player_url": url_for("media.player", item_id=item.id),
    }


# --- The upload page ---------------------------------------------------------------------


def upload_page_url(return_to: str | None = None) -> str:
    """Where to send someone to upload a video; on completion the page goes back to
    `return_to` with `?media_item=<id>` added."""
    if return_to and safe_return_path(return_to):
        return url_for("media.upload_page") + "?" + urlencode({"return_to": return_to})
    return url_for("media.upload_page")


def safe_return_path(value: str | None) -> str | None:
    """A local path to go back to, or None: never another site (open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def recent_uploads(user: User, limit: int = 10, statuses=None) -> list[MediaItem]:
    """A person's latest videos, newest first: those in `statuses`, else all fully received."""
    status = MediaItem.status.in_(statuses) if statuses else MediaItem.status != S.UPLOADING
    return list(
        db.session.scalars(
            select(MediaItem)
            .where(MediaItem.owner_id == user.id, status)
            .order_by(MediaItem.id.desc())
            .limit(limit)
        )
    )


# --- Time-stamped comments ---------------------------------------------------------------


def comment_fields(payload) -> tuple:
    """The moment and the text of a comment sent as JSON, which must be an object."""
    if not isinstance(payload, dict):
        raise DomainError(_l("Send the comment as a JSON object with its moment and its text."))
    return payload.get("at"), payload.get("body")


def _clean_comment(item: MediaItem, at_seconds, body) -> tuple[float, str]:
    try:
        # JSON's true would pass float() as 1 second.
        if isinstance(at_seconds, bool):
            raise TypeError(at_seconds)
        at = round(float(at_seconds), 2)
    except (TypeError, ValueError):
        raise DomainError(_l("Please give the moment of the comment.")) from None
    duration = item.duration_seconds or 0
    if not (0 <= at <= duration + 0.5):
        raise DomainError(_l("The moment must fall within the video."))
    body = body.strip() if isinstance(body, str) else ""
    if not body:
        raise DomainError(_l("Please write a comment."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise DomainError(_l("A comment holds at most %(n)s characters.", n=MAX_COMMENT_LENGTH))
    return at, body


def add_comment(user: User, item_id: int, at_seconds, body: str) -> VideoComment:
    """A trainer's comment at a moment of a ready video."""
    item = access_commentable(user, item_id)
    if not item.is_ready:
        raise Conflict(_l("The video is not ready yet."))
    at, body = _clean_comment(item, at_seconds, body)
    comment = VideoComment(media_item=item, author_id=user.id, at_seconds=at, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def access_own_comment(user: User, comment_id: int) -> VideoComment:
    """A comment the user wrote (administrators may moderate any), on a video they may see."""
    comment = db.session.get(VideoComment, comment_id)
    if comment is None or not can_view(user, comment.media_item):
        raise NotFound(COMMENT_NOT_FOUND)
    if not may_change_authored(user, comment.author_id):
        raise Forbidden(_l("Only the author changes a comment."))
    return comment


def edit_comment(user: User, comment_id: int, body: str, at_seconds=None) -> VideoComment:
    """Change the text (and optionally the moment) of one's comment."""
    comment = access_own_comment(user, comment_id)
    at, body = _clean_comment(
        comment.media_item, comment.at_seconds if at_seconds is None else at_seconds, body
    )
    comment.at_seconds, comment.body = at, body
    db.session.flush()
    return comment


def delete_comment(user: User, comment_id: int) -> None:
    """Remove one's comment."""
    comment = access_own_comment(user, comment_id)
    db.session.delete(comment)
    db.session.flush()


def comment_payload(user: User, comment: VideoComment) -> dict:
    """One comment as the player shows it."""
    return {
        "id": comment.id,
        "at": comment.at_seconds,
        "label": format_moment(comment.at_seconds),
        "body": comment.body,
        "author": comment.author.name,
        "can_edit": may_change_authored(user, comment.author_id),
    }


def list_comments(user: User, item: MediaItem) -> list[dict]:
    """The comments of a video, in time order (authors loaded in one query)."""
    return [comment_payload(user, c) for c in item.comments]


def format_moment(seconds: float) -> str:
    """1:05 for 65 seconds; 1:02:03 past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_moment(text: str) -> float:
    """Seconds from "65", "1:05" or "1:02:03" (the form fallback without JavaScript)."""
    try:
        parts = [float(p) for p in str(text).strip().split(":")]
    except ValueError:
        raise DomainError(_l("Write the moment as minutes:seconds, e.g. 1:05.")) from None
    if not parts or len(parts) > 3 or any(p < 0 for p in parts):
        raise DomainError(_l("Write the moment as minutes:seconds, e.g. 1:05."))
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds
