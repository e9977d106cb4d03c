"""Two worker processes sharing the queue on Redis process every video once, between them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import RedisHuey
from sqlalchemy import select

from lms.extensions import db
from lms.media import storage
from lms.media.models import MediaItem
from lms.media.tasks import process_video
from tests.factories import make_user

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="LMS_TEST_REDIS_URL is not set"),
    pytest.mark.slow,
    pytest.mark.xdist_group("redis"),
]


def _start_worker(app, log: Path) -> subprocess.Popen:
    """A worker process whose log goes to a file (closed here; the child keeps its copy)."""
    env = {k: v for k, v in os.environ.items() if k != "LMS_HUEY_IMMEDIATE"}
    env.update(
        LMS_REDIS_URL=REDIS_URL,
        LMS_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        LMS_MEDIA_DIR=app.config["MEDIA_DIR"],
        LMS_SECRET_KEY="worker-test",
        PYTHONPATH=str(ROOT),
    )
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "lms.worker", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_workers_on_redis_share_the_videos(app, clip, tmp_path):
    queue = RedisHuey("atelier", url=REDIS_URL)
    queue.flush()
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [_start_worker(app, log) for log in logs]
    try:
        _wait_for(
            lambda: all(b"consumer started" in log.read_bytes() for log in logs),
            60,
            "both workers to start",
        )
        owner = make_user("trainee")
        sources = [clip("h264_aac"), clip("tiny"), clip("no_audio")] * 2
        ids = []
        for source in sources:
            # Queued as the web process leaves them; the test sends their jobs to Redis itself.
            item = MediaItem(token=storage.new_token(), owner_id=owner.id, status="queued")
            item.size_bytes, item.content_sha256 = storage.store_copy(source, item.token)
            db.session.add(item)
            db.session.flush()
            ids.append(item.id)
        db.session.commit()
        # The same task, as the web process would send it to Redis.
        send = queue.task()(process_video.func)
        for item_id in ids:
            send(item_id)

        def all_done() -> bool:
            db.session.expire_all()
            rows = db.session.scalars(select(MediaItem).where(MediaItem.id.in_(ids))).all()
            return all(r.is_finished for r in rows)

        _wait_for(all_done, 180, "the videos to be processed")
        rows = db.session.scalars(select(MediaItem).where(MediaItem.id.in_(ids))).all()
        assert [r.status for r in rows] == ["ready"] * len(ids)
        assert all(r.attempts == 1 for r in rows)  # each processed once
        pids = {str(w.pid) for w in workers}
        assert {r.worker.rpartition(":")[2] for r in rows} == pids  # both did work
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGINT)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        queue.flush()
