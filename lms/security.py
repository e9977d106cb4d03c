"""Security headers, private pages kept out of caches, trusted proxies, the guessing throttle."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from flask import Flask, Response, g, request, session
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.clock import utcnow
from lms.extensions import db

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ThrottleHit(db.Model):
    """One counted event (a failed sign-in, a lookup) for a scope and a key."""

    __tablename__ = "throttle_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255), index=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)


# Longest any throttle looks back; older rows are pruned as new ones are recorded.
KEEP_HITS = timedelta(days=1)
_PRUNED_PER_RECORD = 200


def stored_key(key: str) -> str:
    """The key as kept: case-insensitive, and a digest when too long for the column (an email
    typed into the sign-in form has no length limit)."""
    key = key.lower()
    if len(key) <= 255:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def record_hit(scope: str, key: str) -> None:
    """Count one event, and drop a bounded batch of rows too old to matter; the caller commits."""
    prune_hits()
    db.session.add(ThrottleHit(scope=scope, key=stored_key(key)))


def recent_hits(scope: str, key: str, window: timedelta) -> int:
    """How many events were counted for this key within the window."""
    return hits_since(scope, key, window)[0]


def hits_since(scope: str, key: str, window: timedelta) -> tuple[int, datetime | None]:
    """How many events were counted for this key within the window, and when the last one was."""
    since = utcnow() - window
    count, last = db.session.execute(
        select(func.count(ThrottleHit.id), func.max(ThrottleHit.at)).where(
            ThrottleHit.scope == scope, ThrottleHit.key == stored_key(key), ThrottleHit.at >= since
        )
    ).one()
    if last is not None and last.tzinfo is None:  # SQLite keeps no time zone
        last = last.replace(tzinfo=UTC)
    return count, last


def seconds_to_wait(scope: str, key: str, window: timedelta, free: int, cap: int) -> int:
    """How long this key must still wait: nothing for its first `free` events in the window,
    then 4, 8, 16… seconds after the last one, never more than `cap`. A growing delay slows a
    guesser as much as a wall would, but whoever it catches by mistake is back within minutes."""
    count, last = hits_since(scope, key, window)
    if count < free or last is None:
        return 0
    delay = min(cap, 2 ** min(count - free + 2, 32))
    left = (last + timedelta(seconds=delay) - utcnow()).total_seconds()
    return max(0, math.ceil(left))


def clear_hits(scope: str, key: str) -> None:
    """Forget the events of a key (after a successful sign-in)."""
    db.session.execute(
        delete(ThrottleHit).where(ThrottleHit.scope == scope, ThrottleHit.key == stored_key(key))
    )


def prune_hits(older_than: timedelta = KEEP_HITS, limit: int = _PRUNED_PER_RECORD) -> None:
    """Drop up to `limit` events too old to matter (bounded, so no request pays for a backlog)."""
    old = select(ThrottleHit.id).where(ThrottleHit.at < utcnow() - older_than).limit(limit)
    db.session.execute(
        delete(ThrottleHit)
        .where(ThrottleHit.id.in_(old))
        .execution_options(synchronize_session=False)
    )


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_SECURITY_HEADER_NAMES = frozenset(name.lower() for name, _value in SECURITY_HEADERS)


def set_security_headers(response: Response) -> Response:
    """Headers every page carries, unless the view set its own value."""
    headers = response.headers
    # One pass over the response's few headers: `setdefault` looks each name up by raising and
    # catching a KeyError when it is absent, the usual case.
    present = {name.lower() for name, _value in headers} & _SECURITY_HEADER_NAMES
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    return response


HSTS = "max-age=31536000; includeSubDomains"
_PASSWORD_FORMS = frozenset({"accounts.login", "accounts.join"})


def keep_out_of_caches(response: Response) -> Response:
    """What a signed-in person sees, and the sign-in form, is kept by no cache (a shared
    computer's back button, a proxy): `no-store`, unless the view chose its own caching (public
    verification pages, a video's segments). Public pages and static files keep theirs."""
    if "Cache-Control" in response.headers or request.endpoint == "static":
        return response
    if request.endpoint in _PASSWORD_FORMS or _signed_in():
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    # Flask-Login's user when this request loaded it, else whether the session names one: no
    # query just for a header.
    user = g.get("_login_user")
    if user is not None:
        return user.is_authenticated
    return "_user_id" in session


def set_hsts(response: Response) -> Response:
    """Browsers keep to HTTPS for a year once they have seen the site over TLS (production)."""
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the headers of the configured number of
    reverse proxies (LMS_TRUSTED_PROXIES), and from nobody else: with none configured, an
    X-Forwarded-For sent by a client changes nothing."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def init_app(app: Flask) -> None:
    """Trust the configured proxies; register the header hooks."""
    trust_proxies(app)
    app.after_request(set_security_headers)
    app.after_request(keep_out_of_caches)
    if app.config["ENV"] == "production":
        app.after_request(set_hsts)
