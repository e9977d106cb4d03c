"""Headers and cookies a deployment behind TLS expects, and forms whose token expired."""

from __future__ import annotations

import re
import time

import pytest

from lms import create_app
from lms.extensions import db
from tests.factories import PASSWORD, login, make_user


@pytest.fixture
def production_app(app_session):
    """The same database, as LMS_ENV=production serves it."""
    served = create_app(
        {
            "ENV": "production",
            "TESTING": True,
            "SECRET_KEY": "a-production-secret",
            "DATABASE_URL": app_session.config["DATABASE_URL"],
            "MEDIA_DIR": app_session.config["MEDIA_DIR"],
            "SIGNING_KEY_FILE": app_session.config["SIGNING_KEY_FILE"],
            "BASE_URL": "https://atelier.example.org",
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts_and_secure_cookies(app, production_app):
    user = make_user()
    client = production_app.test_client()
    response = client.get("/login", base_url="https://atelier.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    signed_in = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        base_url="https://atelier.example.org",
    )
    cookie = signed_in.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_sends_no_hsts(client, app):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_signed_in_pages_and_the_sign_in_form_are_not_stored(client, app, courses):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/join").headers["Cache-Control"] == "no-store"
    login(client, make_user(locale="en"))
    for path in ("/courses/", "/account", "/certificates/", "/no-such-page"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def _static_caching(client) -> str:
    response = client.get("/static/app.css")
    response.close()
    return response.headers.get("Cache-Control", "")


def test_public_pages_and_static_files_keep_their_caching(client, app):
    assert client.get("/verify/7K3M9QX2HB4T").headers["Cache-Control"] == "no-cache"
    assert "no-store" not in _static_caching(client)
    login(client, make_user())
    assert "no-store" not in _static_caching(client)
    assert client.get("/verify/7K3M9QX2HB4T").headers["Cache-Control"] == "no-cache"


def test_an_expired_form_says_so_in_the_users_language_and_offers_it_again(
    client, app, csrf_on, monkeypatch
):
    """Tokens now expire (a day in production; a second here): the page explains and links
    back to the form, and nothing was done."""
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 1)
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    time.sleep(2.1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Le formulaire a expiré" in html
    assert 'href="/login"' in html and "Rouvrir le formulaire" in html
    assert client.get("/courses/").status_code == 302


def test_a_form_without_a_token_links_back_to_the_page_it_came_from(client, app, csrf_on):
    response = client.post(
        "/language",
        data={"language": "ar", "next": "/login"},
        headers={"Referer": "http://localhost/verify?code=x"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="/verify?code=x"' in html
    assert 'lang="fr"' in html  # nothing changed: still French


def test_the_csrf_time_limit_is_a_day():
    assert create_app({"SECRET_KEY": "x", "TESTING": True}).config["WTF_CSRF_TIME_LIMIT"] == 86400
