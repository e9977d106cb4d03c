"""Certificate rows: who may write them, the valid one of a trainee, inserts that lose a race
to another issue gracefully, and the audit log."""

from __future__ import annotations

import getpass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.accounts.access import may_manage
from lms.accounts.models import User
from lms.certificates.models import Certificate, CertificateAudit, CertificateStatus
from lms.errors import Conflict, Forbidden
from lms.extensions import db


def check_issuer(actor: User | None) -> None:
    """Administrators issue and revoke certificates, and the command line."""
    # None is the command line: whoever runs it already holds the server and its key.
    if actor is not None and not may_manage(actor):
        raise Forbidden(_l("Only administrators issue and revoke certificates."))


def actor_label(actor: User | None) -> str:
    """Who acted, as the audit log keeps it even if the account goes."""
    if actor is not None:
        return f"{actor.name} <{actor.email}>"
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def active_certificate(user_id: int, course_id: int) -> Certificate | None:
    """The trainee's valid certificate for the workshop, if any."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.course_id == course_id,
            Certificate.status == CertificateStatus.ISSUED,
        )
    )


def latest_revoked(user_ids: list[int], course_id: int) -> dict[int, int]:
    """The last revoked certificate of each trainee, which a new one replaces."""
    rows = db.session.execute(
        select(Certificate.user_id, Certificate.id)
        .where(
            Certificate.user_id.in_(user_ids),
            Certificate.course_id == course_id,
            Certificate.status == CertificateStatus.REVOKED,
        )
        .order_by(Certificate.id)
    )
    return {user_id: cert_id for user_id, cert_id in rows}


def insert_one(fields: dict) -> Certificate | None:
    """Insert a certificate; None when another issue got there first (the unique index)."""
    certificate = Certificate(**fields)
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return None
    except OperationalError as error:  # SQLite: another writer holds the database
        raise Conflict(_l("Another issue is running for this cohort. Please try again.")) from error
    return certificate


def insert_many(batch: list[dict]) -> list[Certificate | None]:
    """Insert in one flush; on a race with another issue, fall back to one by one."""
    certificates = [Certificate(**fields) for fields in batch]
    try:
        with db.session.begin_nested():
            db.session.add_all(certificates)
        return certificates
    except IntegrityError:
        return [insert_one(fields) for fields in batch]
    except OperationalError as error:
        raise Conflict(_l("Another issue is running for this cohort. Please try again.")) from error


def record_action(
    certificate: Certificate, action: str, actor: User | None, reason: str | None
) -> None:
    """One line of the audit log."""
    db.session.add(
        CertificateAudit(
            certificate_id=certificate.id,
            action=action,
            actor_id=actor.id if actor else None,
            actor_label=actor_label(actor),
            reason=reason,
        )
    )
