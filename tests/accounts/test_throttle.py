"""The sign-in throttle: guessers slowed down, people who know their password let in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.clock import utcnow
from lms.extensions import db
from lms.security import ThrottleHit
from tests.factories import PASSWORD, make_user

WRONG = "not-my-password"


def _sign_in(client, email: str, password: str, address: str = "203.0.113.7", **headers):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def _age_hits(seconds: int) -> None:
    """What waiting does to the counted failures."""
    for hit in db.session.scalars(select(ThrottleHit)):
        hit.at -= timedelta(seconds=seconds)
    db.session.commit()


@pytest.fixture
def proxied_app(app_session):
    """The same database served behind one trusted reverse proxy (LMS_TRUSTED_PROXIES=1)."""
    proxied = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": app_session.config["DATABASE_URL"],
            "MEDIA_DIR": app_session.config["MEDIA_DIR"],
            "SIGNING_KEY_FILE": app_session.config["SIGNING_KEY_FILE"],
            "WTF_CSRF_ENABLED": False,
            "TRUSTED_PROXIES": 1,
            "VERIFY_MAX_PER_10_MIN": 3,
        }
    )
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_failures_for_other_emails_never_lock_out_a_right_password(client, app):
    """The reported attack: 38 bad sign-ins from one address used to give everyone a 429."""
    trainee = make_user()
    for n in range(42):
        assert _sign_in(client, f"someone{n}@example.test", WRONG).status_code == 401
    response = _sign_in(client, trainee.email, PASSWORD)
    assert response.status_code == 302


def test_knowing_an_email_is_not_enough_to_lock_its_owner_out(client, app):
    trainee = make_user()
    for n in range(40):  # from many addresses, so the account's own counter grows
        _sign_in(client, trainee.email, WRONG, address=f"198.51.100.{n}")
    assert _sign_in(client, trainee.email, PASSWORD, address="192.0.2.55").status_code == 302


def test_after_repeated_failures_the_next_attempt_waits_and_the_wait_grows(client, app):
    trainee = make_user(locale=None)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _sign_in(client, trainee.email, WRONG).status_code == 401
    refused = _sign_in(client, trainee.email, PASSWORD)
    assert refused.status_code == 429
    assert "Trop de tentatives échouées" in refused.get_data(as_text=True)
    first_wait = int(refused.headers["Retry-After"])
    assert 0 < first_wait <= 4
    hits = db.session.scalar(select(func.count(ThrottleHit.id)))
    _sign_in(client, trainee.email, WRONG)  # refused too: not counted, no password checked
    assert db.session.scalar(select(func.count(ThrottleHit.id))) == hits

    _age_hits(first_wait)
    assert _sign_in(client, trainee.email, WRONG).status_code == 401  # one more failure
    second_wait = int(_sign_in(client, trainee.email, PASSWORD).headers["Retry-After"])
    assert second_wait > first_wait

    _age_hits(second_wait)
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 302


def test_the_wait_is_bounded(client, app):
    trainee = make_user()
    hits = [
        ThrottleHit(scope="login-pair", key=f"203.0.113.7 {trainee.email}", at=utcnow())
        for _ in range(60)
    ]
    db.session.add_all(hits)
    db.session.commit()
    refused = _sign_in(client, trainee.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= 300
    assert "5 minutes" in refused.get_data(as_text=True)


def test_a_forwarded_address_is_ignored_without_a_trusted_proxy(client, app):
    """A client cannot pick a fresh address for each guess by writing X-Forwarded-For."""
    trainee = make_user()
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        _sign_in(client, trainee.email, WRONG, **{"X-Forwarded-For": f"192.0.2.{n}"})
    response = _sign_in(client, trainee.email, WRONG, **{"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_apart(app, proxied_app):
    trainee = make_user()
    client = proxied_app.test_client()
    proxy = "10.0.0.2"
    for _ in range(12):
        _sign_in(client, trainee.email, WRONG, proxy, **{"X-Forwarded-For": "198.51.100.9"})
    attacker = _sign_in(
        client, trainee.email, PASSWORD, proxy, **{"X-Forwarded-For": "198.51.100.9"}
    )
    assert attacker.status_code == 429
    owner = _sign_in(client, trainee.email, PASSWORD, proxy, **{"X-Forwarded-For": "192.0.2.1"})
    assert owner.status_code == 302
    keys = set(db.session.scalars(select(ThrottleHit.key)))
    assert "198.51.100.9" in keys and proxy not in keys


def test_certificate_lookups_are_counted_per_client_behind_a_trusted_proxy(app, proxied_app):
    client = proxied_app.test_client()

    def look_up(address: str):
        return client.get(
            "/verify/7K3M9QX2HB4T",
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": address},
        )

    for _ in range(3):
        assert look_up("198.51.100.9").status_code == 404
    assert look_up("198.51.100.9").status_code == 429
    assert look_up("192.0.2.1").status_code == 404


def test_old_throttle_rows_are_pruned_as_new_ones_are_counted(client, app):
    old = utcnow() - timedelta(days=2)
    db.session.add_all(
        [ThrottleHit(scope="login", key=f"old{n}@example.test", at=old) for n in range(30)]
    )
    db.session.add(ThrottleHit(scope="login", key="recent@example.test", at=utcnow()))
    db.session.commit()
    _sign_in(client, "ghost@example.test", WRONG)
    keys = set(db.session.scalars(select(ThrottleHit.key)))
    assert not any(key.startswith("old") for key in keys)
    assert "recent@example.test" in keys and "ghost@example.test" in keys


def test_a_huge_volume_from_one_address_slows_that_address_down(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_IP_MAX_FAILURES", 3)
    trainee = make_user()
    for n in range(3):
        _sign_in(client, f"sprayed{n}@example.test", WRONG)
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 429
    assert _sign_in(client, trainee.email, PASSWORD, address="192.0.2.1").status_code == 302
    monkeypatch.setitem(app.config, "LOGIN_IP_MAX_FAILURES", 0)  # 0: no ceiling at all
    client.post("/logout")
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 302


def test_an_endless_email_is_refused_like_any_wrong_one(client, app):
    """Its throttle keys must fit their column (PostgreSQL refuses longer values)."""
    response = _sign_in(client, "a" * 600 + "@example.test", WRONG)
    assert response.status_code == 401
    assert all(len(key) <= 255 for key in db.session.scalars(select(ThrottleHit.key)))
