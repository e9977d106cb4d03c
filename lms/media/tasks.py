"""Huey tasks of the video pipeline: probe gate, one-pass transcode, retries, recovery."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_, select, update

from lms.clock import utcnow
from lms.extensions import db
from lms.jobs import after_commit, huey, task_context
from lms.media import storage
from lms.media.models import MediaItem, MediaStatus
from lms.media.probe import MediaRejected, ProbeLimits, probe_video
from lms.media.states import change_status, claim_for_processing, reject_item
from lms.media.transcode import TranscodeError, TranscodeLimits, transcode_video

log = logging.getLogger(__name__)
S = MediaStatus
MAX_ATTEMPTS = 3
# A processing job whose worker has not written for this long is taken to be dead.
STALE_AFTER = timedelta(minutes=2)
PROGRESS_EVERY_SECONDS = 2.0


def retry_delay(attempt: int) -> int:
    """Seconds before trying again after the n-th transient failure: 15, 60, 240…"""
    return 15 * 4 ** (attempt - 1)


def worker_name() -> str:
    """host:pid of this process, recorded on the jobs it takes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def queue_item(item: MediaItem) -> None:
    """uploaded (or failed) -> queued; its job goes to the workers once the caller commits."""
    change_status(item, S.QUEUED)
    item.progress_percent = 0
    db.session.flush()
    after_commit(dispatch, item.id)


def dispatch(item_id: int, delay: int | None = None) -> None:
    """Send a committed, queued item to the workers (runs inline in immediate mode)."""
    if delay:
        process_video.schedule(args=(item_id,), delay=delay)
    else:
        process_video(item_id)


@huey.task()
def process_video(item_id: int) -> str | None:
    """The job of one video; safe to receive twice (only one worker can claim it)."""
    with task_context():
        return run_video_job(item_id)


def run_video_job(item_id: int, worker: str | None = None) -> str | None:
    """Claim a queued item, probe it, transcode it, record the outcome; returns the status."""
    if not claim_for_processing(item_id, worker or worker_name()):
        db.session.rollback()
        return None
    db.session.commit()
    item = db.session.get(MediaItem, item_id)
    db.session.refresh(item)
    source = storage.source_path(item.token)
    try:
        probe = probe_video(source, _probe_limits())
        item.probe = probe.to_dict()
        db.session.commit()
        result = transcode_video(
            source,
            storage.renditions_dir(item.token),
            probe,
            on_progress=_progress_writer(item.id),
            limits=_transcode_limits(),
        )
    except MediaRejected as exc:
        return _rejected(item, exc)
    except TranscodeError as exc:
        return _transcode_failed(item, exc)
    except Exception:
        # A bug, not the file: keep the original, say "failed", and let people retry later.
        log.exception("media %s: unexpected error", item_id)
        return _failed_unexpectedly(item_id)
    return _ready(item, result)


def _rejected(item: MediaItem, exc: MediaRejected) -> str:
    """The file is not a video we take: say why, and keep nothing of it."""
    reject_item(item, exc)
    item.progress_percent = 0
    storage.remove_source(item.token)
    db.session.commit()
    log.info("media %s rejected: %s", item.id, exc)
    return item.status


def _transcode_failed(item: MediaItem, exc: TranscodeError) -> str:
    """A transient failure goes back to the queue after a delay, until attempts run out."""
    db.session.refresh(item)
    item.error_message = f"{exc.code}: {exc.message}"
    if exc.transient and item.attempts < MAX_ATTEMPTS:
        change_status(item, S.QUEUED)
        delay = retry_delay(item.attempts)
        after_commit(dispatch, item.id, delay)
        db.session.commit()
        log.warning("media %s: %s; retry in %s s", item.id, exc.message, delay)
    else:
        change_status(item, S.FAILED)
        db.session.commit()
        log.error("media %s failed: %s", item.id, exc.message)
    return item.status


def _failed_unexpectedly(item_id: int) -> str:
    db.session.rollback()
    item = db.session.get(MediaItem, item_id)
    item.error_message = "unexpected error (see the worker log)"
    change_status(item, S.FAILED)
    db.session.commit()
    return item.status


def _ready(item: MediaItem, result) -> str:
    """Record the renditions the player offers."""
    db.session.refresh(item)
    item.renditions = [
        {
            "name": r.path.name,
            "label": f"{min(r.width, r.height)}p",
            "short_side": min(r.width, r.height),
            "width": r.width,
            "height": r.height,
            "size_bytes": r.size_bytes,
        }
        for r in result.renditions
    ]
    item.duration_seconds = result.duration
    item.progress_percent = 100
    item.error_message = None
    change_status(item, S.READY)
    db.session.commit()
    return item.status


def _probe_limits() -> ProbeLimits:
    return ProbeLimits(max_minutes=float(current_app.config["MAX_VIDEO_MINUTES"]))


def _transcode_limits() -> TranscodeLimits:
    # MEDIA_TRANSCODE_MEMORY_MB bounds ffmpeg's address space (tests shrink it to cause a
    # transient out-of-memory failure).
    memory_mb = current_app.config.get("MEDIA_TRANSCODE_MEMORY_MB")
    kwargs = {"probe": _probe_limits()}
    if memory_mb:
        kwargs["memory_bytes"] = int(memory_mb) * 1024 * 1024
    return TranscodeLimits(**kwargs)


def _progress_writer(item_id: int):
    """A callback for ffmpeg's progress thread: throttled writes through the engine directly,
    since the thread has no application context or session of its own."""
    engine = db.engine
    lock = threading.Lock()
    last = {"at": 0.0, "percent": -1}

    def write(percent: float) -> None:
        now = time.monotonic()
        value = int(percent)
        with lock:
            if value == last["percent"] or now - last["at"] < PROGRESS_EVERY_SECONDS:
                return
            last["at"], last["percent"] = now, value
        with engine.begin() as connection:
            connection.execute(
                update(MediaItem.__table__)
                .where(MediaItem.id == item_id, MediaItem.status == S.PROCESSING)
                .values(progress_percent=value, heartbeat_at=utcnow())
            )

    return write


def _worker_is_dead(worker: str | None) -> bool:
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_interrupted_jobs(stale_after: timedelta = STALE_AFTER) -> list[int]:
    """Requeue what a dead worker left: processing jobs whose worker on this host is gone or
    that stopped beating, and queued or uploaded jobs whose message may have been lost."""
    now = utcnow()
    candidates = db.session.scalars(
        select(MediaItem).where(MediaItem.status.in_([S.PROCESSING, S.QUEUED, S.UPLOADED]))
    ).all()
    requeued = []
    for item in candidates:
        if item.status == S.PROCESSING:
            beat = item.heartbeat_at or item.updated_at
            if beat is not None and beat.tzinfo is None:
                beat = beat.replace(tzinfo=now.tzinfo)  # SQLite returns naive datetimes
            if not (_worker_is_dead(item.worker) or beat is None or now - beat > stale_after):
                continue
            change_status(item, S.QUEUED)
            after_commit(dispatch, item.id)
        elif item.status == S.UPLOADED:
            queue_item(item)
        else:
            after_commit(dispatch, item.id)
        requeued.append(item.id)
    db.session.commit()
    if requeued:
        log.info("requeued media jobs %s", requeued)
    return requeued


@huey.periodic_task(crontab(minute="*/2"))
def sweep_stale_jobs() -> None:
    """Every two minutes: a job whose worker died while another worker runs is picked up."""
    with task_context():
        stuck = db.session.scalar(
            select(MediaItem.id).where(
                or_(MediaItem.status == S.PROCESSING, MediaItem.status == S.UPLOADED),
                MediaItem.updated_at < utcnow() - STALE_AFTER,
            )
        )
        if stuck is not None:
            recover_interrupted_jobs()
