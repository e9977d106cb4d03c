"""Sessions and the sign-in throttle through gunicorn, as deployed behind one reverse proxy."""

from __future__ import annotations

import pytest

from tests.gunicorn import PASSWORD, gunicorn

pytestmark = pytest.mark.slow  # gunicorn in a subprocess


@pytest.fixture
def served(tmp_path):
    with gunicorn(
        tmp_path,
        workers=1,
        LMS_SECRET_KEY="served-secret",
        LMS_WTF_CSRF_ENABLED="false",
        LMS_TRUSTED_PROXIES="1",
    ) as server:
        yield server


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
