"""Signing in and out, the throttle, CSRF, expired sessions and password changes."""

from __future__ import annotations

import re

from sqlalchemy import delete

from lms.accounts.models import User, UserSession
from lms.extensions import db
from lms.security import ThrottleHit
from tests.factories import PASSWORD, login, make_user


def test_a_trainee_signs_in_and_lands_on_the_workshops(client, app):
    user = make_user()
    response = login(client, user)
    assert response.location.endswith("/courses/")
    assert client.get("/courses/").status_code == 200


def test_email_is_matched_case_insensitively(client, app):
    user = make_user(email="Salma@Example.test")
    response = client.post("/login", data={"email": " SALMA@example.TEST ", "password": PASSWORD})
    assert response.status_code == 302
    assert user.email == "salma@example.test"


def test_wrong_password_and_unknown_email_give_the_same_french_message(client, app):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope"})
    unknown = client.post("/login", data={"email": "ghost@example.test", "password": "x" * 9})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/courses/").status_code == 302  # still signed out


def test_empty_form_says_which_fields_are_missing(client, app):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Ce champ est obligatoire" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_for_a_while(client, app):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": user.email, "password": "wrong-pass"})
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert client.get("/courses/").status_code == 302


def test_success_clears_earlier_failures(client, app):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "wrong-pass"})
    login(client, user)
    assert db.session.query(ThrottleHit).filter_by(scope="login").count() == 0


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(client, app, csrf_on):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/courses/").status_code == 302


def test_the_login_form_carries_a_working_csrf_token(client, app, csrf_on):
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_sign_out_ends_the_session(client, app):
    login(client, make_user())
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/courses/").status_code == 302


def test_an_expired_session_asks_to_sign_in_again(client, app):
    user = make_user()
    login(client, user)
    db.session.execute(delete(UserSession))  # what a password change elsewhere does
    db.session.commit()
    response = client.get("/courses/", follow_redirects=True)
    assert "Connectez-vous pour continuer" in response.get_data(as_text=True)
    assert response.request.path == "/login"


def test_password_change_needs_the_current_password(client, app):
    user = make_user()
    login(client, user)
    response = client.post(
        "/account/password",
        data={"current": "not-it-at-all", "new": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert response.status_code == 400
    assert "Le mot de passe actuel est incorrect" in response.get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert response.status_code == 302
    client.post("/logout")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    )
    login(client, db.session.get(User, user.id), password="brand-new-pass")


def test_login_cookie_is_httponly_and_samesite(client, app):
    response = login(client, make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_form_fields_carry_no_attribute_written_as_none(client, app):
    """An attribute left unset is left out, not written dir="None" or autocomplete="None"."""
    for path in ("/login", "/join"):
        html = client.get(path).get_data(as_text=True)
        assert "<input" in html and '="None"' not in html, path


def test_the_layouts_csrf_token_is_the_sessions_own(client, app, csrf_on):
    """Every page's layout carries a token (sign-out, language switch): an earlier page's still
    works, a forged one or another session's does not."""

    def layout_token(some_client) -> str:
        page = some_client.get("/courses/").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(some_client):
        page = some_client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"email": make_user().email, "password": PASSWORD, "csrf_token": token}
        assert some_client.post("/login", data=form).status_code == 302

    sign_in(client)
    first = layout_token(client)
    layout_token(client)
    other = app.test_client()
    sign_in(other)
    assert other.post("/logout", data={"csrf_token": first}).status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/courses/").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": first}).status_code == 302
    assert client.get("/courses/").status_code == 302
