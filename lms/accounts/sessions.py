"""Server-side records of signed-in browsers: started at sign-in, checked by every request."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, select, update

from lms.accounts.models import User, UserSession
from lms.clock import utcnow
from lms.extensions import db

# last_seen_at is written at most this often: a page view must not always cost a write.
TOUCH_EVERY = timedelta(minutes=5)

# Built once: every signed-in page starts by loading its user.
_USER_BY_SESSION = (
    select(User, UserSession.last_seen_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.id == bindparam("session_id"))
)


# Sessions idle past their lifetime, of anyone, deleted at each sign-in (bounded).
_PRUNED_PER_SIGN_IN = 200


def start_session(user: User) -> str:
    """Record a new signed-in browser for the user (a fresh random id); the caller commits."""
    idle = current_app.permanent_session_lifetime
    stale = (
        select(UserSession.id)
        .where(UserSession.last_seen_at < utcnow() - idle)
        .limit(_PRUNED_PER_SIGN_IN)
    )
    db.session.execute(
        delete(UserSession)
        .where(UserSession.id.in_(stale))
        .execution_options(synchronize_session=False)
    )
    user.session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=user.session_id, user_id=user.id))
    db.session.flush()
    return user.session_id


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user of a live session of an active account, else nobody."""
    row = db.session.execute(_USER_BY_SESSION, {"session_id": session_id}).first()
    if row is None:
        return None
    user, last_seen = row
    if last_seen.tzinfo is None:  # SQLite keeps no time zone
        last_seen = last_seen.replace(tzinfo=utcnow().tzinfo)
    now = utcnow()
    if not user.is_active_account or now - last_seen > current_app.permanent_session_lifetime:
        return None
    if now - last_seen > TOUCH_EVERY:
        _touch(session_id, now)
    user.session_id = session_id
    return user


def _touch(session_id: str, now) -> None:
    # In a transaction of its own: the request's may never commit (a page view) or roll back.
    with db.engine.begin() as connection:
        connection.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
        )


def end_session(session_id: str | None) -> None:
    """Forget one signed-in browser (sign-out); the caller commits."""
    if session_id:
        db.session.execute(delete(UserSession).where(UserSession.id == session_id))


def end_other_sessions(user: User) -> None:
    """Sign the user's other browsers out (after a password change); the caller commits."""
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.id != (user.session_id or "")
        )
    )
