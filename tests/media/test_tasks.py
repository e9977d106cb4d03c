"""The processing job: ready with renditions, refusals with reasons, retries, recovery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.clock import utcnow
from lms.errors import Conflict
from lms.extensions import db
from lms.jobs import huey
from lms.media import storage, tasks
from lms.media.models import MediaItem
from lms.media.states import change_status
from tests.factories import login, make_user
from tests.media.uploading import upload_file


@pytest.fixture
def clean_schedule():
    huey.flush()
    yield huey
    huey.flush()


def _item(item_id: int) -> MediaItem:
    db.session.expire_all()
    return db.session.get(MediaItem, item_id)


def test_an_uploaded_video_becomes_ready_with_renditions_and_a_poster(app, client, clip):
    login(client, make_user("trainee"))
    item = _item(upload_file(client, clip("h264_aac")))
    assert item.status == "ready"
    assert item.progress_percent == 100
    assert item.probe["width"] == 640 and item.probe["video_codec"] == "h264"
    assert 1.5 < item.duration_seconds < 2.5
    labels = [r["label"] for r in item.renditions]
    assert labels == ["240p", "360p"]  # never upscaled past the 360p source
    folder = storage.renditions_dir(item.token)
    assert all((folder / r["name"]).stat().st_size > 1000 for r in item.renditions)
    assert (folder / "poster.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    status = client.get(f"/media/{item.id}/status").json
    assert status["status"] == "ready" and status["finished"] is True


def test_a_text_file_named_mp4_is_rejected_with_a_reason_and_not_kept(app, client, tmp_path):
    login(client, make_user("trainee"))
    fake = tmp_path / "film.mp4"
    fake.write_text("Ceci n'est pas une vidéo.\n" * 50)
    item = _item(upload_file(client, fake))
    assert item.status == "rejected"
    assert item.rejection_reason == "unreadable"
    assert item.attempts == 1  # an input error is not retried
    assert not storage.source_path(item.token).exists()
    status = client.get(f"/media/{item.id}/status", headers={"Accept-Language": "en"}).json
    assert status["message"] == "This file is not a video Atelier can read."
    page = client.get(f"/media/{item.id}/")
    assert b"This file is not a video Atelier can read." in page.data or page.status_code == 200


def test_a_video_too_long_is_rejected_with_the_limit_in_the_message(app, client, clip, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_VIDEO_MINUTES", 0.05)  # three seconds
    login(client, make_user("trainee"))
    item = _item(upload_file(client, clip("five_seconds")))
    assert item.status == "rejected" and item.rejection_reason == "too_long"
    assert "0.05" in client.get(f"/media/{item.id}/status").json["message"]


def test_a_transient_failure_is_retried_later_and_then_succeeds(
    app, client, clip, monkeypatch, clean_schedule
):
    # An address-space ceiling ffmpeg cannot even start under: the "out of memory" of a
    # crowded machine, which may pass on a later attempt.
    monkeypatch.setitem(app.config, "MEDIA_TRANSCODE_MEMORY_MB", 24)
    login(client, make_user("trainee"))
    item = _item(upload_file(client, clip("tiny")))
    assert item.status == "queued"
    assert item.attempts == 1
    assert item.error_message.startswith("memory")
    scheduled = clean_schedule.scheduled()
    assert [t.args for t in scheduled] == [(item.id,)]
    assert scheduled[0].eta > utcnow().replace(tzinfo=None) + timedelta(seconds=10)

    monkeypatch.delitem(app.config, "MEDIA_TRANSCODE_MEMORY_MB")
    clean_schedule.execute(scheduled[0], timestamp=scheduled[0].eta)
    item = _item(item.id)
    assert item.status == "ready" and item.attempts == 2


def test_a_job_failing_every_time_ends_failed_after_the_last_attempt(
    app, client, clip, monkeypatch, clean_schedule
):
    monkeypatch.setitem(app.config, "MEDIA_TRANSCODE_MEMORY_MB", 24)
    login(client, make_user("trainee"))
    item_id = upload_file(client, clip("tiny"))
    for _ in range(tasks.MAX_ATTEMPTS - 1):
        (task,) = clean_schedule.scheduled()
        clean_schedule.flush()
        clean_schedule.execute(task, timestamp=task.eta)
    item = _item(item_id)
    assert item.status == "failed" and item.attempts == tasks.MAX_ATTEMPTS
    assert clean_schedule.scheduled() == []
    assert storage.source_path(item.token).exists()  # the original is kept for a later retry


def test_a_job_left_processing_by_a_dead_worker_is_picked_up_again(app, client, clip):
    login(client, make_user("trainee"))
    item = _item(upload_file(client, clip("tiny")))
    # Make it look as if a worker died during the transcode a while ago.
    item.status, item.progress_percent, item.renditions = "processing", 40, None
    item.worker, item.heartbeat_at = "elsewhere:1", utcnow() - timedelta(minutes=10)
    storage.renditions_dir(item.token).rename(storage.item_dir(item.token) / "lost")
    fresh = make_user("trainee")
    busy = MediaItem(
        token=storage.new_token(),
        owner_id=fresh.id,
        status="processing",
        worker="elsewhere:2",
        heartbeat_at=utcnow(),
    )
    db.session.add(busy)
    db.session.commit()

    requeued = tasks.recover_interrupted_jobs()
    assert requeued == [item.id]  # the job still beating is left to its worker
    item = _item(item.id)
    assert item.status == "ready" and item.renditions
    assert _item(busy.id).status == "processing"


def test_a_job_whose_local_worker_process_is_gone_is_recovered_at_once(app, client, clip):
    import socket

    login(client, make_user("trainee"))
    item = _item(upload_file(client, clip("tiny")))
    item.status, item.heartbeat_at = "processing", utcnow()
    item.worker = f"{socket.gethostname()}:{2**22 + 12345}"  # no such process
    db.session.commit()
    assert tasks.recover_interrupted_jobs() == [item.id]
    assert _item(item.id).status == "ready"


def test_the_state_machine_refuses_skipping_steps(app):
    item = MediaItem(token=storage.new_token(), status="uploaded")
    with pytest.raises(Conflict):
        change_status(item, "ready")
    change_status(item, "queued")
    with pytest.raises(Conflict):
        change_status(item, "uploading")


def test_a_second_delivery_of_the_same_job_does_nothing(app, client, clip):
    login(client, make_user("trainee"))
    item = _item(upload_file(client, clip("tiny")))
    assert tasks.run_video_job(item.id) is None
    assert _item(item.id).attempts == 1
