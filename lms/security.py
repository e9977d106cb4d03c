"""Security headers and a throttle that slows down guessing (sign-in, public lookups)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from flask import Flask, Response, current_app, g, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

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


def record_hit(scope: str, key: str) -> None:
    """Count one event; the caller commits."""
    db.session.add(ThrottleHit(scope=scope, key=key.lower()))


def recent_hits(scope: str, key: str, window: timedelta) -> int:
    """How many events were counted for this key within the window."""
    since = utcnow() - window
    return db.session.scalar(
        select(func.count(ThrottleHit.id)).where(
            ThrottleHit.scope == scope, ThrottleHit.key == key.lower(), ThrottleHit.at >= since
        )
    )


def clear_hits(scope: str, key: str) -> None:
    """Forget the events of a key (after a successful sign-in)."""
    db.session.execute(
        delete(ThrottleHit).where(ThrottleHit.scope == scope, ThrottleHit.key == key.lower())
    )


def prune_hits(older_than: timedelta = timedelta(days=1)) -> None:
    """Drop events too old to matter."""
    db.session.execute(delete(ThrottleHit).where(ThrottleHit.at < utcnow() - older_than))


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


def init_app(app: Flask) -> None:
    """Register the header hook and the templates' CSRF token."""
    app.after_request(set_security_headers)
    # Flask-WTF gives templates its own, both as a global and from a context processor: this
    # one, registered later, takes over from both.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: _TEMPLATE_CSRF)
