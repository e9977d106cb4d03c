"""Deliver outbox e-mails through SMTP (LMS_SMTP_URL), recording each error and retrying."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db
from lms.jobs import huey, task_context
from lms.notifications.models import OutboxEmail

MAX_ATTEMPTS = 5
NO_STARTTLS = (
    "the SMTP server does not offer STARTTLS: nothing was sent in clear text "
    "(LMS_SMTP_URL smtp://…?starttls=0 allows clear text, for a relay on this machine only)"
)

log = logging.getLogger(__name__)


class DeliveryFailed(RuntimeError):
    """SMTP refused or could not be reached; Huey retries the task."""


def smtp_send(url: str, sender: str, message: EmailMessage, timeout: float = 20) -> None:
    """Send one message through smtps:// (TLS from the start) or smtp:// (STARTTLS required,
    unless the URL ends with ?starttls=0: clear text, for a relay on this machine)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "smtp":
        starttls = _starttls_wanted(parts.query)
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    else:
        raise DeliveryFailed(f"unsupported SMTP URL scheme {parts.scheme!r}")
    with client:
        if parts.scheme == "smtp" and starttls:
            client.ehlo()
            # Without it the password and the message would cross the network readable, and a
            # man in the middle only has to strip STARTTLS from the server's answer.
            if not client.has_extn("starttls"):
                raise DeliveryFailed(NO_STARTTLS)
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message, from_addr=sender)


def _starttls_wanted(query: str) -> bool:
    """STARTTLS unless the URL turns it off explicitly (starttls=0); any other value is refused."""
    values = parse_qs(query).get("starttls", [])
    if not values:
        return True
    if values[-1] in ("0", "1"):
        return values[-1] == "1"
    raise DeliveryFailed(f"starttls={values[-1]!r} in LMS_SMTP_URL: write starttls=0 or 1")


def deliver_now(email_id: int) -> bool:
    """Try to send one outbox e-mail; True when sent (or already sent)."""
    row = db.session.get(OutboxEmail, email_id)
    if row is None:
        raise DeliveryFailed(f"outbox e-mail {email_id} not committed yet")
    if row.sent_at is not None:
        return True
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message.set_content(row.body)
    row.attempts += 1
    try:
        smtp_send(current_app.config["SMTP_URL"], current_app.config["MAIL_FROM"], message)
    except (OSError, smtplib.SMTPException, DeliveryFailed) as exc:
        row.error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("outbox e-mail %s not sent: %s", row.id, row.error)
        return False
    row.sent_at = utcnow()
    row.error = None
    return True


@huey.task(retries=MAX_ATTEMPTS - 1, retry_delay=30)
def deliver_email(email_id: int) -> None:
    """Huey task: send, commit the outcome, raise so that Huey retries a failure.

    It runs once the transaction that wrote the e-mail committed (lms.jobs.after_commit), inline
    too, so its own commit holds only the outcome."""
    with task_context():
        sent = deliver_now(email_id)
        db.session.commit()
        if not sent and not huey.immediate:
            raise DeliveryFailed(f"outbox e-mail {email_id} not sent")


def recover_interrupted_jobs() -> None:
    """At worker start, queue again the e-mails that were never sent and may still be."""
    if not current_app.config.get("SMTP_URL"):
        return
    ids = db.session.scalars(
        select(OutboxEmail.id).where(
            OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS
        )
    ).all()
    for email_id in ids:
        deliver_email(email_id)
