"""Server-side sessions: renewed at sign-in, ended for every copy of the cookie at sign-out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.accounts.models import UserSession
from lms.clock import utcnow
from lms.extensions import db
from tests.factories import PASSWORD, login, make_user


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, value: str):
    """Another browser holding a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession))


def test_a_copied_cookie_stops_working_after_sign_out(client, app):
    login(client, make_user())
    copy = _session_cookie(client)
    assert _with_cookie(app, copy).get("/courses/").status_code == 200
    assert client.post("/logout").status_code == 302
    response = _with_cookie(app, copy).get("/courses/", follow_redirects=True)
    assert response.request.path == "/login"
    assert _sessions() == 0


def test_a_cookie_from_before_sign_in_does_not_carry_the_identity(client, app):
    """No session fixation: what a visitor's cookie held before sign-in is replaced."""
    user = make_user()
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        before["csrf_token"] = "a-secret-someone-else-knows"
    planted = _session_cookie(client)
    login(client, user)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != "a-secret-someone-else-knows"
        assert "_user_id" in after
    assert _session_cookie(client) != planted
    assert _with_cookie(app, planted).get("/courses/").status_code == 302


def test_each_sign_in_gets_its_own_server_side_session(client, app):
    user = make_user()
    other = app.test_client()
    login(client, user)
    login(other, user)
    ids = set(db.session.scalars(select(UserSession.id)))
    assert len(ids) == 2
    with client.session_transaction() as stored:
        assert stored["_user_id"] in ids
        assert str(user.id) != stored["_user_id"]


def test_the_language_chosen_before_sign_in_is_kept(client, app):
    client.post("/language", data={"language": "ar", "next": "/login"})
    login(client, make_user(locale=None))
    page = client.get("/courses/").get_data(as_text=True)
    assert 'lang="ar"' in page and 'dir="rtl"' in page


def test_changing_the_password_ends_the_other_sessions_only(client, app):
    user = make_user()
    phone = app.test_client()
    login(client, user)
    login(phone, user)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert response.status_code == 302
    assert client.get("/courses/").status_code == 200
    assert phone.get("/courses/").status_code == 302
    assert _sessions() == 1


def test_a_deactivated_account_is_signed_out_and_cannot_sign_in(client, app):
    user = make_user()
    login(client, user)
    user.is_active_account = False
    db.session.commit()
    assert client.get("/courses/").status_code == 302
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_a_session_idle_for_longer_than_the_lifetime_ends(client, app):
    login(client, make_user())
    for row in db.session.scalars(select(UserSession)):
        row.last_seen_at = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/courses/").status_code == 302


def test_last_seen_is_written_at_most_every_few_minutes(client, app):
    login(client, make_user())
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert client.get("/courses/").status_code == 200
    db.session.expire_all()
    touched = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - touched.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)


def test_no_remember_me_cookie_is_ever_set(client, app):
    response = login(client, make_user())
    assert "remember_token" not in str(response.headers.getlist("Set-Cookie"))


def test_sessions_idle_past_their_lifetime_are_pruned_at_sign_in(client, app):
    idle = make_user()
    login(app.test_client(), idle)
    for row in db.session.scalars(select(UserSession)):
        row.last_seen_at = utcnow() - app.permanent_session_lifetime - timedelta(days=1)
    db.session.commit()
    login(client, make_user())
    assert _sessions() == 1


def test_a_phone_that_changes_network_stays_signed_in(client, app):
    """Mobile data hands a phone a new address often: that alone must not sign her out."""
    login(client, make_user())
    client.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    client.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 12)"
    assert client.get("/courses/").status_code == 200
    client.environ_base["REMOTE_ADDR"] = "10.99.1.2"
    assert client.get("/courses/").status_code == 200
