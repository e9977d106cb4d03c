"""A video's job goes to the workers once its transaction commits, never if it rolls back."""

from __future__ import annotations

import io

import pytest

from lms.extensions import db
from lms.jobs import huey
from lms.media import uploads
from lms.media.models import MediaItem, MediaUpload
from tests.factories import make_user
from tests.media.uploading import client_for, upload_file


@pytest.fixture
def queued(monkeypatch):
    """The job queue as in production: jobs wait in the queue until a worker takes them."""
    huey.flush()
    monkeypatch.setattr(huey, "immediate", False)
    yield huey
    huey.flush()


def test_an_upload_finished_over_tus_is_queued_once_committed(app, clip, queued):
    owner = client_for(app, make_user("trainee"))
    item_id = upload_file(owner, clip("tiny"))
    assert queued.pending_count() == 1
    assert db.session.get(MediaItem, item_id).status == "queued"


def _finish_an_upload(data: bytes) -> MediaUpload:
    upload = uploads.create_upload(make_user("trainee"), len(data))
    db.session.commit()
    assert uploads.append_chunk(upload, 0, io.BytesIO(data), len(data)).complete
    return upload


def test_a_finished_upload_is_queued_by_its_commit_and_not_by_a_rollback(app, clip, queued):
    data = clip("tiny").read_bytes()
    _finish_an_upload(data)
    db.session.rollback()
    db.session.commit()  # a later transaction does not send the dropped job either
    assert queued.pending_count() == 0

    upload = _finish_an_upload(data)
    assert queued.pending_count() == 0  # not before the rows are committed
    db.session.commit()
    assert queued.pending_count() == 1
    assert db.session.get(MediaItem, upload.media_item_id).status == "queued"
