"""Resumable uploads (tus 1.0 core + creation + termination): bytes streamed to disk in blocks.

The state of an upload is its row and the length of its partial file, so an upload resumes
after a dropped connection or a server restart: the client asks the offset (HEAD) and sends
the rest (PATCH). Nothing is ever held in memory beyond one block.
"""

from __future__ import annotations

import base64
import binascii
import errno
import fcntl
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import select
from werkzeug.exceptions import ClientDisconnected

from lms.accounts.models import User
from lms.clock import utcnow
from lms.errors import Conflict, DomainError, NotFound
from lms.extensions import db
from lms.jobs import huey, task_context
from lms.media import storage
from lms.media.models import MediaItem, MediaPurpose, MediaStatus, MediaUpload
from lms.media.states import change_status
from lms.media.tasks import queue_item

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
BLOCK_BYTES = 256 * 1024
UPLOAD_NOT_FOUND = _l("This upload does not exist or has expired. Please start again.")


class UploadError(DomainError):
    """A tus request the server refuses; the status follows the protocol."""


@dataclass(frozen=True)
class ChunkResult:
    """Where an upload stands after a PATCH."""

    offset: int
    complete: bool
    disconnected: bool = False


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs; bad pairs are ignored."""
    values: dict[str, str] = {}
    for pair in (header or "").split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
    return values


def _display_name(name: str) -> str:
    # Kept only to show the trainee which file this was; never used to build a path.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "video"


def create_upload(
    user: User, length: int | None, metadata: str | None = None, purpose: str = "submission"
) -> MediaUpload:
    """Open an upload of `length` bytes for a person: checks size limit and quota."""
    if length is None or length <= 0:
        raise UploadError(_l("The size of the file is missing."), status=400)
    if purpose not in set(MediaPurpose) or purpose == MediaPurpose.LESSON:
        raise UploadError(_l("Unknown kind of upload."), status=400)
    limit = storage.max_upload_bytes()
    if length > limit:
        raise UploadError(
            _l(
                "This file is larger than %(mb)s MB. Please export a shorter or lighter video.",
                mb=limit // (1024 * 1024),
            ),
            status=413,
        )
    if user.is_trainee and not storage.fits_in_quota(user.id, length):
        raise UploadError(
            _l(
                "Your storage space (%(mb)s MB) is full. Ask your trainer to remove old videos.",
                mb=storage.quota_bytes() // (1024 * 1024),
            ),
            status=413,
        )
    name = _display_name(parse_metadata(metadata).get("filename", ""))
    item = MediaItem(
        token=storage.new_token(),
        owner_id=user.id,
        purpose=purpose,
        original_name=name,
        size_bytes=length,
        status=MediaStatus.UPLOADING,
    )
    upload = MediaUpload(
        token=storage.new_token(), media_item=item, owner_id=user.id, length=length
    )
    db.session.add_all([item, upload])
    db.session.flush()
    storage.prepare_item_dir(item.token)
    storage.partial_path(item.token).touch()
    return upload


def access_upload(user: User, token: str) -> MediaUpload:
    """The user's own upload by its address token, else NotFound."""
    upload = db.session.scalar(select(MediaUpload).where(MediaUpload.token == token))
    if upload is None or upload.owner_id != user.id:
        raise NotFound(UPLOAD_NOT_FOUND)
    return upload


def current_offset(upload: MediaUpload) -> int:
    """How many bytes the server holds: the partial file is the truth, not a counter."""
    if upload.completed_at is not None:
        return upload.length
    try:
        return min(storage.partial_path(upload.media_item.token).stat().st_size, upload.length)
    except FileNotFoundError:
        raise NotFound(UPLOAD_NOT_FOUND) from None


def append_chunk(
    upload: MediaUpload, offset: int | None, stream: BinaryIO, content_length: int | None
) -> ChunkResult:
    """Write the body of a PATCH at `offset`; keeps what arrived if the client disconnects."""
    if upload.completed_at is not None:
        raise Conflict(_l("This upload is already complete."))
    if offset is None or offset < 0:
        raise UploadError(_l("The upload offset is missing."), status=400)
    remaining = upload.length - offset
    if content_length is not None and content_length > remaining:
        raise UploadError(_l("More data was sent than the file's declared size."), status=413)
    path = storage.partial_path(upload.media_item.token)
    try:
        handle = path.open("r+b")
    except FileNotFoundError:
        raise NotFound(UPLOAD_NOT_FOUND) from None
    with handle:
        try:
            # One writer per upload: a retry may arrive while the dropped request still runs.
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(_l("This upload is receiving data already.")) from None
        size = os.fstat(handle.fileno()).st_size
        if size != offset:
            raise Conflict(_l("The upload offset does not match; ask the current offset again."))
        handle.seek(offset)
        written, disconnected = _copy_blocks(stream, handle, remaining, offset, path)
        handle.flush()
        os.fsync(handle.fileno())
    upload.offset = offset + written
    complete = upload.offset == upload.length
    if complete:
        _complete(upload)
    return ChunkResult(upload.offset, complete, disconnected)


def _copy_blocks(stream: BinaryIO, handle, remaining: int, start: int, path) -> tuple[int, bool]:
    written = 0
    while True:
        try:
            block = stream.read(BLOCK_BYTES)
        except (ClientDisconnected, ConnectionError, TimeoutError):
            # The phone lost its connection: what arrived stays, the client resumes from there.
            return written, True
        if not block:
            return written, False
        if written + len(block) > remaining:
            # A chunked body longer than the declared size: drop this request's bytes.
            handle.truncate(start)
            raise UploadError(_l("More data was sent than the file's declared size."), status=413)
        try:
            handle.write(block)
        except OSError as exc:
            handle.truncate(start + written)
            if exc.errno == errno.ENOSPC:
                raise UploadError(
                    _l("The server is out of space. Please try again later."), status=507
                ) from exc
            raise
        written += len(block)


def _complete(upload: MediaUpload) -> None:
    """The last byte arrived: the video is uploaded, and queued once the caller commits."""
    item = upload.media_item
    storage.partial_path(item.token).rename(storage.source_path(item.token))
    upload.completed_at = utcnow()
    change_status(item, MediaStatus.UPLOADED)
    queue_item(item)


def terminate_upload(upload: MediaUpload) -> None:
    """Abandon an unfinished upload: its bytes and its item go."""
    if upload.completed_at is not None:
        raise Conflict(_l("This upload is already complete."))
    item = upload.media_item
    storage.remove_item_files(item.token)
    db.session.delete(upload)
    db.session.delete(item)
    db.session.flush()


def prune_abandoned_uploads(older_than_days: int = 7) -> int:
    """Remove uploads left unfinished for days (their bytes count against the quota)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    stale = db.session.scalars(
        select(MediaUpload).where(
            MediaUpload.completed_at.is_(None), MediaUpload.created_at < cutoff
        )
    ).all()
    for upload in stale:
        terminate_upload(upload)
    return len(stale)


@huey.periodic_task(crontab(minute="17", hour="3"))
def prune_uploads() -> None:
    """Nightly: drop uploads abandoned for a week."""
    with task_context():
        prune_abandoned_uploads()
        db.session.commit()
