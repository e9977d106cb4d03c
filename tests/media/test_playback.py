"""Playback: Range requests, who may watch, the player page and its rendition choice."""

from __future__ import annotations

import pytest

from tests.media.uploading import client_for, hand_in, people_fixture, upload_file

__all__ = ["people_fixture"]  # a fixture used by name


def fetch(client, url, **kwargs):
    """GET and close: a file response keeps its file open until closed."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def ready_item(app, people, clip):
    """A video the owner handed in to her cohort: its trainer may watch it."""
    owner = client_for(app, people.owner)
    item_id = upload_file(owner, clip("h264_aac"))
    hand_in(owner, item_id)
    return item_id


def test_renditions_are_served_in_ranges(app, people, ready_item):
    client = client_for(app, people.owner)
    whole = fetch(client, f"/media/{ready_item}/files/360p.mp4")
    assert whole.status_code == 200 and whole.mimetype == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.data)
    part = fetch(client, f"/media/{ready_item}/files/360p.mp4", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-1099/{size}"
    assert part.data == whole.data[100:1100]
    tail = fetch(client, f"/media/{ready_item}/files/240p.mp4", headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and len(tail.data) == 500
    poster = fetch(client, f"/media/{ready_item}/files/poster.jpg")
    assert poster.mimetype == "image/jpeg" and poster.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("trainer", 200), ("admin", 200), ("classmate", 404), ("other_trainer", 404)],
)
def test_only_the_owner_the_cohort_trainers_and_admins_watch(app, people, ready_item, who, status):
    client = client_for(app, getattr(people, who))
    for url in (
        f"/media/{ready_item}/",
        f"/media/{ready_item}/status",
        f"/media/{ready_item}/files/360p.mp4",
        f"/media/{ready_item}/comments",
    ):
        assert fetch(client, url).status_code == status, url


def test_files_outside_the_renditions_are_never_served(app, people, ready_item):
    client = client_for(app, people.owner)
    for name in ("source", "..%2Fsource", "720p.mp4", "poster.png"):
        assert fetch(client, f"/media/{ready_item}/files/{name}").status_code == 404, name


def test_a_visitor_is_sent_to_sign_in(app, ready_item):
    response = fetch(app.test_client(), f"/media/{ready_item}/files/360p.mp4")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_player_page_offers_each_rendition_with_360p_by_default(app, people, ready_item):
    page = client_for(app, people.trainer).get(f"/media/{ready_item}/").get_data(as_text=True)
    assert f'src="/media/{ready_item}/files/360p.mp4"' in page
    assert f'poster="/media/{ready_item}/files/poster.jpg"' in page
    assert "240p" in page and "player.js" in page
    assert 'class="comment-form"' in page  # the trainer may comment
    owner_page = client_for(app, people.owner).get(f"/media/{ready_item}/").get_data(as_text=True)
    assert 'class="comment-form"' not in owner_page
    assert len(page.encode()) < 60_000


def test_a_video_still_processing_shows_its_state_not_a_player(app, people):
    from lms.extensions import db
    from lms.media import storage
    from lms.media.models import MediaItem

    item = MediaItem(
        token=storage.new_token(),
        owner_id=people.owner.id,
        status="processing",
        progress_percent=42,
    )
    db.session.add(item)
    db.session.commit()
    client = client_for(app, people.owner)
    page = client.get(f"/media/{item.id}/", headers={"Accept-Language": "en"})
    assert b"42%" in page.data and b"<video" not in page.data
    assert client.get(f"/media/{item.id}/files/360p.mp4").status_code == 404
