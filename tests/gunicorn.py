"""The application served by gunicorn in a subprocess, on a new SQLite database with one trainee."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lms import create_app
from lms.accounts.services import create_user
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[1]
EMAIL = "amina@example.org"
PASSWORD = "correct-horse-7"


class Server:
    """Requests to the served application, each on a new connection."""

    def __init__(self, port: int):
        self.port = port

    def send(self, method: str, path: str, *, cookie="", client="", body=None):
        """One request; `client` is sent as X-Forwarded-For, as a proxy would."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie}
        if client:
            headers["X-Forwarded-For"] = client
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, data, headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def sign_in(self, email: str, password: str, client: str = ""):
        return self.send(
            "POST", "/login", client=client, body={"email": email, "password": password}
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(folder: Path, workers: int, **environment: str) -> Iterator[Server]:
    """Serve wsgi:app with `workers` processes and the given LMS_* variables (no others)."""
    url = f"sqlite:///{folder / 'served.sqlite3'}"
    setup = create_app({"DATABASE_URL": url, "SECRET_KEY": "setup-only"})
    with setup.app_context():
        db.create_all()
        create_user(EMAIL, "Amina", PASSWORD)
        db.session.commit()
        db.engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_DATABASE_URL=url, LMS_HUEY_IMMEDIATE="1", **environment)
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        for _ in range(150):
            try:
                if Server(port).send("GET", "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield Server(port)
    finally:
        server.terminate()
        server.wait(timeout=10)
