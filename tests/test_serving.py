"""The application as `make run` serves it: gunicorn with several worker processes."""

from __future__ import annotations

import pytest

from tests.gunicorn import EMAIL, PASSWORD, gunicorn

pytestmark = pytest.mark.slow  # gunicorn in a subprocess


def test_a_signed_in_visitor_stays_signed_in_whichever_worker_answers(tmp_path):
    """Without LMS_SECRET_KEY (development), both gunicorn workers must accept the session."""
    with gunicorn(tmp_path, workers=2, LMS_WTF_CSRF_ENABLED="false") as server:
        signed_in = server.sign_in(EMAIL, PASSWORD)
        assert signed_in.status == 302
        cookie = signed_in.getheader("Set-Cookie").split(";", 1)[0]
        # A new connection per request: the two workers take turns accepting them.
        answers = [server.send("GET", "/account", cookie=cookie).status for _ in range(30)]
        assert answers == [200] * 30
