"""Certificate PDFs: made once from the snapshots, stored, served to their holder and as a ZIP."""

from __future__ import annotations

import io
import re
import zipfile

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.access import may_download_certificate, may_manage
from lms.accounts.models import Cohort, CohortMember, User
from lms.certificates.codes import format_code
from lms.certificates.credentials import verify_url
from lms.certificates.models import Certificate, CertificatePdf, CertificateStatus
from lms.certificates.pdf import CertificatePdfData, render_certificate_pdf
from lms.certificates.services import UNKNOWN_CODE, find_certificate
from lms.courses.models import Course
from lms.errors import NotFound
from lms.extensions import db

REVOKED_PDF = _l("This certificate was revoked; its PDF is no longer available.")


def pdf_data(certificate: Certificate) -> CertificatePdfData:
    """What the printed certificate shows, all taken from the issue-time snapshots."""
    return CertificatePdfData(
        recipient_name=certificate.recipient_name,
        course_title_fr=certificate.course_title_fr,
        course_title_ar=certificate.course_title_ar or "",
        hours=certificate.hours,
        issued_on=certificate.issued_at.date(),
        cohort_name=certificate.cohort_name or "",
        place=certificate.place or "",
        code=format_code(certificate.code),
        verify_url=verify_url(certificate.code),
        issuer_name=certificate.issuer_name,
        signatory_name=certificate.signatory_name,
        signatory_title=certificate.signatory_title,
    )


def _render_and_store(certificate: Certificate) -> bytes:
    content = render_certificate_pdf(pdf_data(certificate), certificate.credential_json.encode())
    try:
        with db.session.begin_nested():
            db.session.add(CertificatePdf(certificate_id=certificate.id, content=content))
    except IntegrityError:
        # Two first downloads at once: keep the one stored first, so every copy is identical.
        return db.session.scalar(
            select(CertificatePdf.content).where(CertificatePdf.certificate_id == certificate.id)
        )
    return content


def certificate_pdf(certificate: Certificate) -> bytes:
    """The stored PDF, rendered and stored on first request (the caller commits)."""
    content = db.session.scalar(
        select(CertificatePdf.content).where(CertificatePdf.certificate_id == certificate.id)
    )
    return content if content is not None else _render_and_store(certificate)


def access_certificate_pdf(user: User, code: str) -> tuple[Certificate, bytes]:
    """A signed-in person's copy: the holder's own (while valid) or any, for an administrator."""
    certificate = find_certificate(code)
    if not may_download_certificate(user, certificate.user_id):
        raise NotFound(UNKNOWN_CODE)
    if certificate.is_revoked and not may_manage(user):
        raise NotFound(REVOKED_PDF)
    return certificate, certificate_pdf(certificate)


def public_certificate_pdf(code: str) -> tuple[Certificate, bytes]:
    """The PDF behind a public verification link; only for a certificate that is still valid."""
    certificate = find_certificate(code)
    if certificate.is_revoked:
        raise NotFound(REVOKED_PDF)
    return certificate, certificate_pdf(certificate)


def pdf_filename(certificate: Certificate) -> str:
    """A download name that says what it is: workshop, holder and code."""
    name = re.sub(r"[^\w]+", "-", certificate.recipient_name).strip("-_") or "certificat"
    return f"certificat-{certificate.course_slug}-{name}-{format_code(certificate.code)}.pdf"


def cohort_certificates_zip(admin: User, cohort: Cohort, course: Course) -> bytes:
    """Every valid certificate of a cohort for a workshop, as one ZIP of PDFs."""
    if not may_manage(admin):
        raise NotFound(_l("This page does not exist or is not open to you."))
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.course_id == course.id,
                Certificate.status == CertificateStatus.ISSUED,
                Certificate.user_id.in_(
                    select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
                ),
            )
            .order_by(Certificate.recipient_name)
        )
    )
    stored = dict(
        db.session.execute(
            select(CertificatePdf.certificate_id, CertificatePdf.content).where(
                CertificatePdf.certificate_id.in_([c.id for c in certificates])
            )
        ).all()
    )
    buffer = io.BytesIO()
    # PDFs are already compressed; storing them spares CPU for nothing lost.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            content = stored.get(certificate.id) or _render_and_store(certificate)
            archive.writestr(pdf_filename(certificate), content)
    return buffer.getvalue()
