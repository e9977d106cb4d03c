"""Time-stamped comments on a handed-in video: written by those who may grade it, changed by
their author (administrators moderate), and the moments as people write them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.access import may_change_authored
from lms.accounts.models import User
from lms.errors import Conflict, DomainError, Forbidden, NotFound
from lms.extensions import db
from lms.media.access import access_commentable, can_view
from lms.media.models import MediaItem, VideoComment

COMMENT_NOT_FOUND = _l("This comment does not exist.")
MAX_COMMENT_LENGTH = 2000


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
