"""A trainee whose video could not be prepared tries again from the player page."""

from __future__ import annotations

import re

from lms.extensions import db
from lms.media import storage, tasks
from lms.media.models import MediaItem
from tests.media.uploading import client_for, people_fixture, upload_file

__all__ = ["people_fixture"]  # a fixture used by name

RETRY_FORM = re.compile(
    r'<form method="post" action="(/media/\d+/retry)"[^>]*>\s*'
    r'<input type="hidden" name="csrf_token" value="([^"]+)">'
)


def _item(item_id: int) -> MediaItem:
    db.session.expire_all()
    return db.session.get(MediaItem, item_id)


def _failed_upload(app, owner_client, clip, monkeypatch) -> int:
    # An address space ffmpeg cannot start in, and no automatic retry left: it ends failed.
    monkeypatch.setitem(app.config, "MEDIA_TRANSCODE_MEMORY_MB", 24)
    attempts = tasks.MAX_ATTEMPTS
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 1)
    item_id = upload_file(owner_client, clip("tiny"))
    monkeypatch.delitem(app.config, "MEDIA_TRANSCODE_MEMORY_MB")
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", attempts)
    assert _item(item_id).status == "failed"
    return item_id


def test_the_owner_retries_a_failed_video_which_then_becomes_ready(app, people, clip, monkeypatch):
    owner = client_for(app, people.owner)
    item_id = _failed_upload(app, owner, clip, monkeypatch)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    page = owner.get(f"/media/{item_id}/").get_data(as_text=True)
    action, token = RETRY_FORM.search(page).groups()
    assert owner.post(action).status_code == 400  # no CSRF token: refused
    assert _item(item_id).status == "failed"

    response = owner.post(action, data={"csrf_token": token})

    assert response.status_code == 302 and response.headers["Location"] == f"/media/{item_id}/"
    item = _item(item_id)
    assert item.status == "ready" and item.renditions and item.attempts == 1
    assert "/retry" not in owner.get(f"/media/{item_id}/").get_data(as_text=True)


def test_only_the_owner_retries_and_only_a_failed_video(app, people, clip, monkeypatch):
    owner = client_for(app, people.owner)
    item_id = _failed_upload(app, owner, clip, monkeypatch)

    admin = client_for(app, people.admin)
    assert "/retry" not in admin.get(f"/media/{item_id}/").get_data(as_text=True)
    assert admin.post(f"/media/{item_id}/retry").status_code == 403
    # Never handed in: the owner's trainer does not even know it exists.
    assert client_for(app, people.trainer).post(f"/media/{item_id}/retry").status_code == 404
    assert client_for(app, people.classmate).post(f"/media/{item_id}/retry").status_code == 404
    assert _item(item_id).status == "failed"

    ready_id = upload_file(owner, clip("tiny"))
    assert owner.post(f"/media/{ready_id}/retry").status_code == 409
    assert _item(ready_id).status == "ready"


def test_a_failed_video_whose_original_is_gone_asks_for_a_new_upload(
    app, people, clip, monkeypatch
):
    owner = client_for(app, people.owner)
    item_id = _failed_upload(app, owner, clip, monkeypatch)
    storage.source_path(_item(item_id).token).unlink()

    response = owner.post(f"/media/{item_id}/retry", headers={"Accept-Language": "en"})

    assert response.status_code == 409
    assert b"upload the video again" in response.data
    assert _item(item_id).status == "failed"
