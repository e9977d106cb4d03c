"""Security headers and a throttle that slows down guessing (sign-in, public lookups)."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, Response, current_app, g, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.extensions import db
from lms.memo import remember

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


def utcnow() -> datetime:
    """Timezone-aware now, used as a callable column default."""
    return datetime.now(UTC)


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


def record_hit(scope: str, key: str) -> None:
    """Count one event, and drop a bounded batch of rows too old to matter; the caller commits."""
    prune_hits()
    db.session.add(ThrottleHit(scope=scope, key=key.lower()))


def recent_hits(scope: str, key: str, window: timedelta) -> int:
    """How many events were counted for this key within the window."""
    return hits_since(scope, key, window)[0]


def hits_since(scope: str, key: str, window: timedelta) -> tuple[int, datetime | None]:
    """How many events were counted for this key within the window, and when the last one was."""
    since = utcnow() - window
    count, last = db.session.execute(
        select(func.count(ThrottleHit.id), func.max(ThrottleHit.at)).where(
            ThrottleHit.scope == scope, ThrottleHit.key == key.lower(), ThrottleHit.at >= since
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
        delete(ThrottleHit).where(ThrottleHit.scope == scope, ThrottleHit.key == key.lower())
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


# session's CSRF secret -> (when its signed token was made, the token), for csrf_token().
_signed_tokens: dict[tuple[str, str], tuple[float, str]] = {}
TOKEN_REUSE_SECONDS = 60
_TOKENS_KEPT = 10_000


def csrf_token() -> str:
    """Flask-WTF's signed CSRF token for the session, as `generate_csrf` makes it, but signed
    once a minute rather than on every page: each page carries it (signing out, the language
    switch) and signing costs as much as the rest of the layout. The token is checked against
    the session's secret, and has no time limit of its own (WTF_CSRF_TIME_LIMIT is None: it
    lasts as the session does), so an older one is as good as a new one."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g:  # already made for this request (a form may have made it)
        return g.get(field)
    secret = session.get(field)
    if not isinstance(secret, str):
        return generate_csrf()
    key = (current_app.secret_key, secret)
    now = time.monotonic()
    kept = _signed_tokens.get(key)
    if kept is not None and now - kept[0] < TOKEN_REUSE_SECONDS:
        setattr(g, field, kept[1])
        return kept[1]
    token = generate_csrf()
    remember(_signed_tokens, key, (now, token), _TOKENS_KEPT)
    return token


_TEMPLATE_CSRF = {"csrf_token": csrf_token}


def trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the headers of the configured number of
    reverse proxies (LMS_TRUSTED_PROXIES), and from nobody else: with none configured, an
    X-Forwarded-For sent by a client changes nothing."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def init_app(app: Flask) -> None:
    """Register the header hook and the templates' CSRF token."""
    trust_proxies(app)
    app.after_request(set_security_headers)
    # Flask-WTF gives templates its own, both as a global and from a context processor: this
    # one, registered later, takes over from both.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: _TEMPLATE_CSRF)
