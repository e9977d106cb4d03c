"""A video owner's services: try a failed video again, read its status, find one's uploads,
and the way back from the upload page."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import User
from lms.errors import Conflict, Forbidden
from lms.extensions import db
from lms.media import storage
from lms.media.access import access_media
from lms.media.models import MediaItem, MediaStatus
from lms.media.probe import MediaRejected
from lms.media.reasons import describe_rejection
from lms.media.tasks import queue_item

S = MediaStatus


def retry_video(user: User, item_id: int) -> MediaItem:
    """The owner sends a failed video through the pipeline again (failed -> queued, its job
    sent once the caller commits). Its original was kept when it failed."""
    item = access_media(user, item_id)
    if item.owner_id != user.id:
        raise Forbidden(_l("Only the person who uploaded this video can try again."))
    if item.status != S.FAILED:
        raise Conflict(_l("Only a video that could not be prepared can be tried again."))
    if not storage.source_path(item.token).is_file():
        raise Conflict(_l("The original file is no longer kept: please upload the video again."))
    queue_item(item)
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
