"""Notify a user in the application and by e-mail; e-mails always land in the outbox first."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from lms.accounts.access import may_manage
from lms.accounts.models import User
from lms.clock import utcnow
from lms.errors import NotFound
from lms.extensions import db
from lms.jobs import after_commit
from lms.notifications.models import Notification, OutboxEmail
from lms.notifications.tasks import deliver_email

# kind -> (in-app message, e-mail subject); params fill the %(name)s placeholders.
KINDS: dict[str, tuple] = {
    "grade_released": (
        _l("Your work “%(assignment)s” was graded: %(total)s/%(max)s."),
        _l("Your grade for “%(assignment)s”"),
    ),
    "work_returned": (
        _l("Your work “%(assignment)s” was returned for revision."),
        _l("Please revise “%(assignment)s”"),
    ),
}


def register_kind(kind: str, message, subject=None) -> None:
    """Let another package (certificates, …) add its own kind of notification."""
    KINDS[kind] = (message, subject or message)


def notification_text(kind: str, params: Mapping) -> str:
    """The message of a notification in the current language."""
    message = KINDS.get(kind, (None,))[0]
    if message is None:
        return str(params.get("message", kind))
    return _fill(message, params)


def _fill(template, params: Mapping) -> str:
    """A translated template with its placeholders filled; a missing one leaves it bare."""
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(
    user: User, kind: str, link: str | None = None, email: bool = True, **params
) -> Notification:
    """An in-app notification and, unless told otherwise, an e-mail in the user's language."""
    row = Notification(user_id=user.id, kind=kind, params=dict(params), link=link)
    db.session.add(row)
    if email:
        with force_locale(user.locale or "fr"):
            template = KINDS.get(kind, (None, None))[1]
            subject = _fill(template, params) if template is not None else kind
            body = notification_text(kind, params)
            if link:
                base = current_app.config.get("BASE_URL", "").rstrip("/")
                body += "\n\n" + base + link
        send_email(user.email, subject, body)
    db.session.flush()
    return row


def send_email(to: str, subject: str, body: str) -> OutboxEmail:
    """Write the e-mail to the outbox; with LMS_SMTP_URL set, a task delivers it once the
    caller's transaction commits (never if it rolls back)."""
    row = OutboxEmail(to_address=to, subject=subject[:255], body=body)
    db.session.add(row)
    db.session.flush()
    if current_app.config.get("SMTP_URL"):
        after_commit(deliver_email, row.id)
    return row


def list_notifications(user: User, limit: int = 50) -> list[Notification]:
    """The user's latest notifications, newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    """How many notifications the user has not opened."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def mark_all_read(user: User) -> None:
    """The user has seen their notifications."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def access_notification(user: User, notification_id: int) -> Notification:
    """One of the user's own notifications, else NotFound."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_l("This notification does not exist."))
    return row


def list_outbox(user: User, limit: int = 200) -> list[OutboxEmail]:
    """The latest e-mails, for administrators only."""
    if not may_manage(user):
        raise NotFound(_l("Page not found"))
    return list(
        db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit))
    )
