"""Certificates as issued (snapshots, signed credential, stored PDF), their audit log and keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Cohort, User
from lms.clock import utcnow
from lms.courses.models import Course
from lms.extensions import db


class CertificateStatus(StrEnum):
    """A certificate is valid until revoked; nothing is ever deleted."""

    ISSUED = "issued"
    REVOKED = "revoked"


class AuditAction(StrEnum):
    """What happened to a certificate."""

    ISSUED = "issued"
    ISSUED_OVERRIDE = "issued_override"
    REVOKED = "revoked"


# The partial unique index below is the guard against duplicates: two bulk issues running at
# the same time cannot both insert a valid certificate for the same trainee and workshop.
_ACTIVE = text("status = 'issued'")


class Certificate(db.Model):
    """A completion certificate with what it showed at issue time and its signed credential."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("status IN ('issued', 'revoked')", name="status"),
        Index(
            "uq_certificates_active_user_course",
            "user_id",
            "course_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    # Snapshots: the certificate keeps saying what it said, whatever is renamed later.
    recipient_name: Mapped[str] = mapped_column(String(200))
    course_slug: Mapped[str] = mapped_column(String(80))
    course_title_fr: Mapped[str] = mapped_column(String(200))
    course_title_ar: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[int] = mapped_column()
    cohort_name: Mapped[str | None] = mapped_column(String(160))
    place: Mapped[str | None] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issuer_name: Mapped[str] = mapped_column(String(200))
    signatory_name: Mapped[str] = mapped_column(String(200))
    signatory_title: Mapped[str] = mapped_column(String(200))
    override_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=CertificateStatus.ISSUED)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # The exact bytes that were signed and are served: re-serializing could reorder keys.
    credential_json: Mapped[str] = mapped_column(Text)
    verification_method: Mapped[str] = mapped_column(String(255))
    # This certificate's bit in the revocation status lists (lms/certificates/status.py); stable
    # for ever, since the signed credential names it.
    status_list_index: Mapped[int] = mapped_column(unique=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED


class CertificatePdf(db.Model):
    """The rendered PDF of a certificate, made once and then served.

    Kept in the database rather than the media folder: it is written in the same transaction
    as nothing else can be, is backed up with the record it proves, and a ZIP of a cohort is
    one query. A certificate PDF is ~60-100 KB, well within what PostgreSQL stores out of line.
    """

    __tablename__ = "certificate_pdfs"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CertificateAudit(db.Model):
    """Who issued or revoked which certificate, when and why."""

    __tablename__ = "certificate_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    # None when the command line acted; actor_label says who in words either way.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SigningKey(db.Model):
    """A public key that has signed certificates; stays published at /issuer after rotation."""

    __tablename__ = "certificate_signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_key_multibase: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A retired key still proves what it signed before this moment; a compromised one, nothing.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    compromised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StatusIndexCounter(db.Model):
    """One row: the next free status list index; incrementing it serializes concurrent issues."""

    __tablename__ = "certificate_status_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    next_index: Mapped[int] = mapped_column()
