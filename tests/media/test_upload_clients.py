"""Uploads over real HTTP (the app served from a thread, CSRF on): a real tus client (tuspy)
cut off and resumed by another, parallel creations against the quota, and oversized PATCH
bodies refused before they are read."""

from __future__ import annotations

import hashlib
import http.client
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests
from sqlalchemy import func, select
from tusclient.client import TusClient

from lms.extensions import db
from lms.media import storage
from lms.media.models import MediaItem, MediaUpload
from tests.browser.conftest import live_server
from tests.factories import PASSWORD, make_user

__all__ = ["live_server"]  # a fixture used by name

MiB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
USER_AGENT = "Mozilla/5.0 (Linux; Android 12) tus-test"


def _sign_in(base_url: str, email: str) -> dict[str, str]:
    """Sign in through the pages; the headers a script sends: session cookie and CSRF token."""
    browser = requests.Session()
    # One phone's browser and its tus client: every request names the same User-Agent.
    browser.headers["User-Agent"] = USER_AGENT
    page = browser.get(f"{base_url}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = browser.post(
        f"{base_url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302
    upload_page = browser.get(f"{base_url}/media/upload", timeout=30).text
    csrf = re.search(r'data-csrf="([^"]+)"', upload_page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    return {"Cookie": cookie, "X-CSRFToken": csrf, "User-Agent": USER_AGENT}


def _connect(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


# --- A real tus client ---------------------------------------------------------------------


def _cut_patch(base_url: str, url: str, offset: int, sent: bytes, declared: int, headers):
    """A PATCH whose connection dies after `sent`, of `declared` bytes: the phone went away."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with _connect(base_url) as sock:
        sock.sendall(
            f"PATCH {urlsplit(url).path} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {declared}\r\n{head}\r\n".encode()
            + sent
        )
        sock.shutdown(socket.SHUT_WR)  # no more bytes will come; the answer still may
        answer = sock.recv(4096)
    return _status(answer)


def test_a_tus_client_cut_off_midway_is_resumed_by_another_and_the_video_prepared(
    app, live_server, clip
):
    trainee = make_user("trainee")
    headers = _sign_in(live_server, trainee.email)
    path = clip("h264_aac")
    data = path.read_bytes()
    chunk = 64 * 1024
    assert len(data) > 5 * chunk

    first = TusClient(f"{live_server}/media/uploads", headers=headers)
    with path.open("rb") as stream:
        uploader = first.uploader(
            file_stream=stream, chunk_size=chunk, metadata={"filename": "essai.mp4"}
        )
        uploader.upload(stop_at=3 * chunk)  # three chunks, each its own PATCH
    url = uploader.url
    assert uploader.offset == 3 * chunk
    # The fourth PATCH loses its connection after 10,000 of its bytes.
    cut = _cut_patch(live_server, url, 3 * chunk, data[3 * chunk :][:10_000], chunk, headers)
    assert cut == 204

    # Another client (the app restarted on the phone) knows only the upload's address.
    second = TusClient(f"{live_server}/media/uploads", headers=headers)
    with path.open("rb") as stream:
        resumed = second.uploader(file_stream=stream, chunk_size=chunk, url=url)
        assert resumed.offset == 3 * chunk + 10_000
        resumed.upload()

    db.session.expire_all()
    token = urlsplit(url).path.rsplit("/", 1)[-1]
    upload = db.session.scalar(select(MediaUpload).where(MediaUpload.token == token))
    item = upload.media_item
    assert upload.completed_at is not None and item.owner_id == trainee.id
    assert item.original_name == "essai.mp4" and item.size_bytes == len(data)
    source = storage.source_path(item.token)
    assert storage.file_sha256(source) == hashlib.sha256(data).hexdigest()
    assert item.status == "ready" and item.renditions  # transcoded (tasks run inline)
    poster = requests.get(
        f"{live_server}/media/{item.id}/files/poster.jpg", headers=headers, timeout=30
    )
    assert poster.status_code == 200 and poster.content[:3] == b"\xff\xd8\xff"


# --- The quota, under parallel creations ---------------------------------------------------


def test_parallel_creations_never_pass_the_quota_together(app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "TRAINEE_QUOTA_MB", 100)
    trainee = make_user("trainee")
    headers = {**TUS, **_sign_in(live_server, trainee.email), "Upload-Length": str(50 * MiB)}
    parts = urlsplit(live_server)
    attempts = 8
    start = threading.Barrier(attempts)

    def create(_: int) -> int:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.connect()
        start.wait()  # every request leaves at the same moment
        connection.request("POST", "/media/uploads", headers=headers)
        status = connection.getresponse().status
        connection.close()
        return status

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = sorted(pool.map(create, range(attempts)))

    assert statuses == [201, 201] + [413] * (attempts - 2)
    db.session.expire_all()
    stored = db.session.scalar(
        select(func.sum(MediaItem.size_bytes)).where(MediaItem.owner_id == trainee.id)
    )
    assert stored == 100 * MiB


# --- A PATCH's body is read only for its owner, with the CSRF token ------------------------


def _oversized_patch(base_url: str, path: str, headers: dict[str, str]) -> tuple[int, float]:
    """A multipart PATCH announcing 1 GiB, of which 1 kB is sent; its status and how long the
    server took to answer (a server reading the body would wait for the rest)."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    part = b'--B\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\n\r\n'
    with _connect(base_url) as sock:
        sock.settimeout(5)
        sock.sendall(
            f"PATCH {path} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
            "Content-Type: multipart/form-data; boundary=B\r\n"
            f"Content-Length: {1 << 30}\r\n{head}\r\n".encode()
            + part
            + b"x" * 1000
        )
        sent_at = time.monotonic()
        try:
            answer = sock.recv(4096)
        except TimeoutError:
            return 0, time.monotonic() - sent_at
    return _status(answer), time.monotonic() - sent_at


def test_an_oversized_patch_is_refused_before_its_body_is_read(app, live_server):
    trainee = make_user("trainee")
    signed_in = _sign_in(live_server, trainee.email)
    created = requests.post(
        f"{live_server}/media/uploads",
        headers={**TUS, **signed_in, "Upload-Length": "1000"},
        timeout=30,
    )
    assert created.status_code == 201
    path = created.headers["Location"]

    without_csrf = {"Cookie": signed_in["Cookie"], "User-Agent": USER_AGENT}
    cases = {
        "visitor": ({"User-Agent": USER_AGENT}, 401),
        "visitor with a CSRF token": (
            {"X-CSRFToken": signed_in["X-CSRFToken"], "User-Agent": USER_AGENT},
            401,
        ),
        "owner without the CSRF token": (without_csrf, 400),
        # The token is right but this is no tus body: the ordinary form limit applies.
        "owner sending a form": (signed_in, 413),
    }
    for name, (headers, expected) in cases.items():
        status, seconds = _oversized_patch(live_server, path, headers)
        assert (status, seconds < 3) == (expected, True), name
    offset = requests.head(f"{live_server}{path}", headers={**TUS, **signed_in}, timeout=30)
    assert offset.headers["Upload-Offset"] == "0"
