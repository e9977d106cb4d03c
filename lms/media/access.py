"""Who may watch a video and comment on it: the owner, administrators, and the trainers of a
cohort it was handed in to; a lesson video follows its workshop."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.access import may_grade_work, may_manage, may_see_work
from lms.accounts.models import User
from lms.courses.models import Course
from lms.courses.services import access_course
from lms.errors import Forbidden, NotFound
from lms.extensions import db
from lms.media.models import MediaItem, MediaPurpose, VideoHandIn

MEDIA_NOT_FOUND = _l("This video does not exist or is not shared with you.")


def share_with_cohort(item: MediaItem, cohort_id: int) -> None:
    """Record that the owner handed the video in to a cohort (called by the hand-in itself).

    Access follows the hand-in, not the owner's memberships: a trainee may belong to several
    cohorts, and the trainers of the others must not see this work, nor what she never handed in.
    """
    if db.session.get(VideoHandIn, (item.id, cohort_id)) is None:
        db.session.add(VideoHandIn(media_item_id=item.id, cohort_id=cohort_id))
        db.session.flush()


def _handed_in_to(item: MediaItem):
    """The cohorts the video was handed in to, as a subquery for the access rules."""
    return select(VideoHandIn.cohort_id).where(VideoHandIn.media_item_id == item.id)


def _sees_workshop(user: User, item: MediaItem) -> bool:
    course = db.session.get(Course, item.course_id)
    try:
        access_course(user, course.slug)
    except NotFound:
        return False
    return True


def can_view(user: User, item: MediaItem) -> bool:
    """A trainee's video as any work (accounts.access.may_see_work); a lesson video follows
    its workshop."""
    if item.purpose == MediaPurpose.LESSON and item.course_id is not None:
        return may_manage(user) or item.owner_id == user.id or _sees_workshop(user, item)
    return may_see_work(user, item.owner_id, _handed_in_to(item))


def access_media(user: User, item_id: int) -> MediaItem:
    """The item if the user may watch it; NotFound otherwise (never reveal that it exists)."""
    item = db.session.get(MediaItem, item_id)
    if item is None or not can_view(user, item):
        raise NotFound(MEDIA_NOT_FOUND)
    return item


def access_own_media(user: User, item_id: int) -> MediaItem:
    """An item the user uploaded themself, else NotFound."""
    item = db.session.get(MediaItem, item_id)
    if item is None or item.owner_id != user.id:
        raise NotFound(MEDIA_NOT_FOUND)
    return item


def can_comment(user: User, item: MediaItem) -> bool:
    """A handed-in video is commented on by those who may grade it (never its owner)."""
    return item.purpose == MediaPurpose.SUBMISSION and may_grade_work(
        user, item.owner_id, _handed_in_to(item)
    )


def access_commentable(user: User, item_id: int) -> MediaItem:
    """The item if the user may comment on it: NotFound when they may not even watch it."""
    item = access_media(user, item_id)
    if not can_comment(user, item):
        raise Forbidden(_l("Only the trainers of this trainee comment on the video."))
    return item
