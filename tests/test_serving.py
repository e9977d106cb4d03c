"""The application as `make run` serves it: gunicorn with several worker processes."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from lms import create_app
from lms.accounts.services import create_user
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # gunicorn in a subprocess
PASSWORD = "correct-horse-7"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, cookie: str = "", body: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, data, headers)
    response = connection.getresponse()
    response.read()
    return response


def test_a_signed_in_visitor_stays_signed_in_whichever_worker_answers(tmp_path):
    """Without LMS_SECRET_KEY (development), both gunicorn workers must accept the session."""
    url = f"sqlite:///{tmp_path / 'serving.sqlite3'}"
    setup = create_app({"DATABASE_URL": url, "SECRET_KEY": "setup-only"})
    with setup.app_context():
        db.create_all()
        create_user("amina@example.org", "Amina", PASSWORD)
        db.session.commit()
        db.engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_DATABASE_URL=url, LMS_WTF_CSRF_ENABLED="false", LMS_HUEY_IMMEDIATE="1")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                if _request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        signed_in = _request(
            port, "POST", "/login", body={"email": "amina@example.org", "password": PASSWORD}
        )
        assert signed_in.status == 302
        cookie = signed_in.getheader("Set-Cookie").split(";", 1)[0]
        # A new connection per request: the two workers take turns accepting them.
        answers = [_request(port, "GET", "/account", cookie).status for _ in range(30)]
        assert answers == [200] * 30
    finally:
        server.terminate()
        server.wait(timeout=10)
