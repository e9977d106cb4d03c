"""The media folder: random per-item folders, no way out of it, and the quota count."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.media import storage
from lms.media.models import MediaItem
from tests.factories import make_user


def test_each_item_gets_its_own_random_folder_inside_the_media_folder(app):
    first, second = storage.new_token(), storage.new_token()
    assert first != second
    root = storage.media_root()
    for token in (first, second):
        assert storage.source_path(token).is_relative_to(root)
        assert storage.source_path(token).parent.name == token


@pytest.mark.parametrize("token", ["../../etc", "", "ABCDEF", "0" * 31, "0" * 32 + "/.."])
def test_tokens_that_are_not_ours_are_refused(app, token):
    with pytest.raises(storage.UnsafeName):
        storage.item_dir(token)


@pytest.mark.parametrize("name", ["source", "../source", "360p.mp4/..", "poster.png", ".x.mp4"])
def test_only_renditions_and_the_poster_can_be_served(app, name):
    with pytest.raises(storage.UnsafeName):
        storage.served_file(storage.new_token(), name)


def test_the_quota_counts_kept_videos_but_not_refused_ones(app):
    user = make_user("trainee")
    for size, status in ((1000, "ready"), (500, "uploading"), (9000, "rejected")):
        db.session.add(
            MediaItem(token=storage.new_token(), owner_id=user.id, size_bytes=size, status=status)
        )
    db.session.commit()
    assert storage.used_bytes(user.id) == 1500
