"""A video's checked state machine: uploading -> uploaded -> queued -> processing -> ready |
rejected | failed, each move checked, and the worker's atomic claim."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from lms.clock import utcnow
from lms.errors import Conflict
from lms.extensions import db
from lms.media.models import MediaItem, MediaStatus
from lms.media.probe import MediaRejected

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
