"""Sessions and the sign-in throttle through gunicorn, as deployed behind one reverse proxy."""

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

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # gunicorn in a subprocess
PASSWORD = "correct-horse-7"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Requests to the served application, each on a new connection, as a proxy would send."""

    def __init__(self, port: int):
        self.port = port

    def send(self, method: str, path: str, *, cookie="", client="", body=None):
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

    def sign_in(self, email: str, password: str, client: str):
        return self.send(
            "POST", "/login", client=client, body={"email": email, "password": password}
        )


@pytest.fixture
def served(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    setup = create_app({"DATABASE_URL": url, "SECRET_KEY": "setup-only"})
    with setup.app_context():
        db.create_all()
        create_user("amina@example.org", "Amina", PASSWORD)
        db.session.commit()
        db.engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=url,
        LMS_SECRET_KEY="served-secret",
        LMS_WTF_CSRF_ENABLED="false",
        LMS_HUEY_IMMEDIATE="1",
        LMS_TRUSTED_PROXIES="1",
    )
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
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


def test_through_gunicorn_a_copied_cookie_dies_at_sign_out_and_guessers_are_told_apart(served):
    signed_in = served.sign_in("amina@example.org", PASSWORD, "192.0.2.10")
    assert signed_in.status == 302
    cookie = signed_in.getheader("Set-Cookie").split(";", 1)[0]
    amina = "192.0.2.10"  # the proxy forwards her address with every request
    assert served.send("GET", "/courses/", cookie=cookie, client=amina).status == 200
    assert served.send("POST", "/logout", cookie=cookie, client=amina).status == 302
    copied = served.send("GET", "/courses/", cookie=cookie, client=amina)
    assert copied.status == 302 and "/login" in copied.getheader("Location")

    # One guesser behind the proxy: held back; Amina, behind the same proxy, is not.
    for _ in range(5):
        assert served.sign_in("amina@example.org", "guess-guess", "198.51.100.66").status == 401
    assert served.sign_in("amina@example.org", PASSWORD, "198.51.100.66").status == 429
    assert served.sign_in("amina@example.org", PASSWORD, "192.0.2.10").status == 302
