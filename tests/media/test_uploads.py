"""The tus upload protocol: create, resume after a cut, offsets, size limit, quota, CSRF."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from lms.extensions import db
from lms.media import storage
from lms.media.models import MediaItem, MediaUpload
from tests.factories import login, make_user
from tests.media.uploading import TUS, create, head_offset, patch


def _item_files(app) -> set:
    return {p for p in (storage.media_root() / "items").rglob("*") if p.is_file()}


def test_an_upload_sent_in_two_halves_resumes_from_the_offset_the_server_reports(app, client, clip):
    login(client, make_user("trainee"))
    data = clip("tiny").read_bytes()
    half = len(data) // 2
    created = create(client, len(data), "ma vidéo.mp4")
    assert created.status_code == 201
    assert created.headers["Tus-Resumable"] == "1.0.0"
    url = created.headers["Location"]
    assert patch(client, url, 0, data[:half]).headers["Upload-Offset"] == str(half)

    # The connection dropped: the client asks where to resume and sends the rest.
    offset = head_offset(client, url)
    assert offset == half
    done = patch(client, url, offset, data[offset:])
    assert done.status_code == 204
    assert int(done.headers["Upload-Offset"]) == len(data)

    item = db.session.get(MediaItem, created.json["item_id"])
    # Stored under a random name in its own folder, never under the name the user gave.
    source = storage.source_path(item.token)
    assert source.read_bytes() == data
    assert "vidéo" not in str(source) and re.fullmatch(r"[0-9a-f]{32}", item.token)
    assert item.original_name == "ma vidéo.mp4"
    assert item.status == "ready"


def test_a_body_cut_midway_keeps_the_bytes_that_arrived(app, client):
    login(client, make_user("trainee"))
    created = create(client, 300_000)
    url = created.headers["Location"]
    # The phone announces 300 kB but its connection dies after 120 kB.
    response = client.patch(
        url,
        input_stream=io.BytesIO(b"x" * 120_000),
        headers={
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": "300000",
        },
    )
    assert response.status_code in (204, 400)
    assert head_offset(client, url) == 120_000
    assert patch(client, url, 120_000, b"y" * 180_000).status_code == 204


def test_an_upload_resumes_in_a_new_session_because_its_state_is_on_disk(app):
    user = make_user("trainee")
    first = app.test_client()
    login(first, user)
    url = create(first, 1000).headers["Location"]
    patch(first, url, 0, b"a" * 400)
    user_id = user.id
    db.session.remove()  # nothing survives in memory between the two sessions
    user = db.session.get(type(user), user_id)

    second = app.test_client()
    login(second, user)
    assert head_offset(second, url) == 400
    assert patch(second, url, 400, b"b" * 600).status_code == 204


def test_a_wrong_offset_is_refused_with_409_and_nothing_is_written(app, client):
    login(client, make_user("trainee"))
    url = create(client, 1000).headers["Location"]
    patch(client, url, 0, b"a" * 100)
    response = patch(client, url, 50, b"b" * 100)
    assert response.status_code == 409
    assert head_offset(client, url) == 100


def test_a_file_over_the_size_limit_is_refused_with_413_and_leaves_nothing(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    login(client, make_user("trainee"))
    before = _item_files(app)
    response = create(client, 1024 * 1024 + 1)
    assert response.status_code == 413
    assert db.session.scalars(select(MediaItem)).all() == []
    assert _item_files(app) == before


def test_more_bytes_than_declared_are_refused_with_413(app, client):
    login(client, make_user("trainee"))
    url = create(client, 100).headers["Location"]
    assert patch(client, url, 0, b"z" * 150).status_code == 413
    assert head_offset(client, url) == 0


def test_the_quota_of_a_trainee_counts_earlier_uploads(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRAINEE_QUOTA_MB", 1)
    login(client, make_user("trainee"))
    assert create(client, 600_000).status_code == 201
    refused = create(client, 600_000)
    assert refused.status_code == 413
    assert create(client, 400_000).status_code == 201


def test_another_person_cannot_see_or_extend_an_upload(app, client):
    login(client, make_user("trainee"))
    url = create(client, 1000).headers["Location"]
    intruder = app.test_client()
    login(intruder, make_user("trainee"))
    assert intruder.head(url, headers=TUS).status_code == 404
    assert patch(intruder, url, 0, b"x" * 10).status_code == 404


def test_requests_without_the_tus_version_or_content_type_are_refused(app, client):
    login(client, make_user("trainee"))
    assert client.post("/media/uploads", headers={"Upload-Length": "10"}).status_code == 412
    url = create(client, 10).headers["Location"]
    wrong_type = client.patch(
        url, data=b"x", headers={**TUS, "Upload-Offset": "0", "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415


def test_options_announce_the_protocol(app, client):
    response = client.options("/media/uploads")
    assert response.headers["Tus-Version"] == "1.0.0"
    assert "creation" in response.headers["Tus-Extension"]
    assert int(response.headers["Tus-Max-Size"]) == app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def test_tus_requests_need_the_csrf_token_header(app, client, csrf_on):
    login_page = client.get("/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', login_page.data).group(1).decode()
    user = make_user("trainee")
    client.post(
        "/login", data={"email": user.email, "password": "correct-horse-7", "csrf_token": token}
    )
    assert create(client, 10).status_code == 400
    page = client.get("/media/upload")
    header_token = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    created = create(client, 10, **{"X-CSRFToken": header_token})
    assert created.status_code == 201
    url = created.headers["Location"]
    assert patch(client, url, 0, b"0123456789").status_code == 400
    assert patch(client, url, 0, b"0123456789", **{"X-CSRFToken": header_token}).status_code == 204


def test_abandoning_an_upload_removes_its_bytes(app, client):
    login(client, make_user("trainee"))
    before = _item_files(app)
    url = create(client, 1000).headers["Location"]
    patch(client, url, 0, b"a" * 10)
    assert _item_files(app) != before
    assert client.delete(url, headers=TUS).status_code == 204
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert _item_files(app) == before
