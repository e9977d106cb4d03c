"""Certificate services: issue (one or a cohort, idempotently), revoke, find, check credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.accounts.models import Cohort, CohortCourse, CohortMember, User
from lms.certificates import records
from lms.certificates.codes import format_code, normalize_code
from lms.certificates.credentials import Signer, certificate_fields
from lms.certificates.eligibility import Eligibility, cohort_eligibility, eligibility
from lms.certificates.models import (
    AuditAction,
    Certificate,
    CertificateStatus,
)
from lms.certificates.status import allocate_status_indexes
from lms.clock import utcnow
from lms.courses.models import Course
from lms.errors import Conflict, DomainError, NotFound
from lms.extensions import db
from lms.notifications import services as notifications

# Messages that carry names or typed text are translated at once (gettext, a plain str) so that
# templates escape them: Flask-Babel's lazy strings declare themselves safe HTML.
UNKNOWN_CODE = _l("No certificate has this code. Check the code printed on the certificate.")


class Outcome:
    """What a bulk issue did for one trainee."""

    ISSUED = "issued"
    ALREADY = "already_issued"
    NOT_ELIGIBLE = "not_eligible"


@dataclass
class IssueOutcome:
    """One trainee's line in an issue report."""

    trainee: User
    outcome: str
    reasons: list[str] = field(default_factory=list)
    certificate: Certificate | None = None

    def as_dict(self) -> dict:
        return {
            "email": self.trainee.email,
            "name": self.trainee.name,
            "outcome": self.outcome,
            "code": format_code(self.certificate.code) if self.certificate else None,
            "reasons": [str(reason) for reason in self.reasons],
        }


@dataclass
class IssueReport:
    """What a bulk issue did, trainee by trainee."""

    outcomes: list[IssueOutcome]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.outcomes if line.outcome == outcome)


def _check_cohort_course(cohort: Cohort, course: Course) -> None:
    if db.session.get(CohortCourse, (cohort.id, course.id)) is None:
        raise NotFound(
            _(
                "The cohort %(cohort)s does not follow the workshop %(course)s.",
                cohort=cohort.code,
                course=course.slug,
            )
        )


def issue_certificate(
    admin: User | None,
    trainee: User,
    course: Course,
    cohort: Cohort,
    override_reason: str | None = None,
) -> Certificate:
    """Issue one certificate; a trainee who is not eligible needs a written override reason."""
    records.check_issuer(admin)
    _check_cohort_course(cohort, course)
    if db.session.get(CohortMember, (cohort.id, trainee.id)) is None:
        raise NotFound(_l("This trainee is not in the cohort."))
    existing = records.active_certificate(trainee.id, course.id)
    if existing is not None:
        raise Conflict(_already(trainee, existing))
    verdict = eligibility(trainee, course)
    reason = " ".join((override_reason or "").split()) or None
    if not verdict.eligible and reason is None:
        raise DomainError(
            _(
                "%(name)s is not eligible: %(reasons)s To issue anyway, write the reason.",
                name=trainee.name,
                reasons=" ".join(verdict.reasons),
            )
        )
    signer = Signer.now(admin)
    fields = certificate_fields(
        signer,
        trainee,
        course,
        cohort,
        None if verdict.eligible else reason,
        records.latest_revoked([trainee.id], course.id).get(trainee.id),
        allocate_status_indexes(1)[0],
    )
    certificate = records.insert_one(fields)
    if certificate is None:
        raise Conflict(_already(trainee, records.active_certificate(trainee.id, course.id)))
    action = AuditAction.ISSUED if verdict.eligible else AuditAction.ISSUED_OVERRIDE
    records.record_action(certificate, action, admin, certificate.override_reason)
    _tell_trainee(trainee, certificate, "certificate_issued")
    db.session.flush()
    return certificate


def _already(trainee: User, certificate: Certificate | None) -> str:
    code = format_code(certificate.code) if certificate else "?"
    return _(
        "%(name)s already holds certificate %(code)s for this workshop.",
        name=trainee.name,
        code=code,
    )


def issue_for_cohort(admin: User | None, cohort: Cohort, course: Course) -> IssueReport:
    """Issue to every eligible trainee of the cohort who has none; running it again is harmless."""
    records.check_issuer(admin)
    _check_cohort_course(cohort, course)
    verdicts: list[tuple[User, Eligibility]] = cohort_eligibility(cohort.id, course)
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    held = {
        c.user_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.course_id == course.id,
                Certificate.status == CertificateStatus.ISSUED,
                Certificate.user_id.in_(members),
            )
        )
    }
    lines: list[IssueOutcome] = []
    to_issue = [t for t, verdict in verdicts if verdict.eligible and t.id not in held]
    replaced = records.latest_revoked([t.id for t in to_issue], course.id) if to_issue else {}
    signer = Signer.now(admin) if to_issue else None
    indexes = allocate_status_indexes(len(to_issue))
    batch = [
        certificate_fields(signer, t, course, cohort, None, replaced.get(t.id), index)
        for t, index in zip(to_issue, indexes, strict=True)
    ]
    inserted = dict(zip([t.id for t in to_issue], records.insert_many(batch), strict=True))
    for trainee, verdict in verdicts:
        if trainee.id in held:
            lines.append(IssueOutcome(trainee, Outcome.ALREADY, [], held[trainee.id]))
        elif not verdict.eligible:
            lines.append(IssueOutcome(trainee, Outcome.NOT_ELIGIBLE, verdict.reasons))
        elif inserted[trainee.id] is None:  # a concurrent issue won this one
            lines.append(
                IssueOutcome(
                    trainee, Outcome.ALREADY, [], records.active_certificate(trainee.id, course.id)
                )
            )
        else:
            certificate = inserted[trainee.id]
            lines.append(IssueOutcome(trainee, Outcome.ISSUED, [], certificate))
            records.record_action(certificate, AuditAction.ISSUED, admin, None)
            _tell_trainee(trainee, certificate, "certificate_issued")
    db.session.flush()
    return IssueReport(lines)


def find_certificate(code: str) -> Certificate:
    """The certificate with this code, typed in any case and with or without hyphens."""
    normalized = normalize_code(code or "")
    if normalized is None:
        raise NotFound(
            _(
                "“%(code)s” is not a certificate code. A code has 12 letters and digits, "
                "like 7K3M-9QX2-HB4T.",
                code=(code or "")[:40],
            )
        )
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == normalized))
    if certificate is None:
        raise NotFound(UNKNOWN_CODE)
    return certificate


def revoke_certificate(
    admin: User | None,
    code: str,
    reason: str,
    *,
    cohort: Cohort | None = None,
    course: Course | None = None,
) -> Certificate:
    """Revoke a valid certificate with a written reason; the record stays, marked revoked.

    From a cohort's page, cohort and course say which certificates it may revoke: another's
    is unknown there. Its bit in the status list turns on with the same commit.
    """
    records.check_issuer(admin)
    certificate = find_certificate(code)
    if (cohort is not None and certificate.cohort_id != cohort.id) or (
        course is not None and certificate.course_id != course.id
    ):
        raise NotFound(UNKNOWN_CODE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Please write why the certificate is revoked."))
    # A conditional update, so two revocations at once cannot both succeed.
    result = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status == CertificateStatus.ISSUED)
        .values(
            status=CertificateStatus.REVOKED,
            revoked_at=utcnow(),
            revoked_by_id=admin.id if admin else None,
            revocation_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(certificate)
        raise Conflict(
            _(
                "This certificate was already revoked on %(date)s.",
                date=certificate.revoked_at.date().isoformat() if certificate.revoked_at else "?",
            )
        )
    db.session.refresh(certificate)
    records.record_action(certificate, AuditAction.REVOKED, admin, reason)
    _tell_trainee(certificate.user, certificate, "certificate_revoked", reason=reason)
    db.session.flush()
    return certificate


def my_certificates(user: User) -> list[Certificate]:
    """The certificates of a trainee, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def _tell_trainee(trainee: User, certificate: Certificate, kind: str, **params) -> None:
    """The single place certificates notify the trainee (in the app and by email)."""
    notifications.notify(
        trainee,
        kind,
        link="/certificates/",
        course=certificate.course_title_fr,
        code=format_code(certificate.code),
        **params,
    )


def register_notification_kinds() -> None:
    """Teach the notifications package the messages of certificates."""
    notifications.register_kind(
        "certificate_issued",
        _l("Your certificate for “%(course)s” is ready (code %(code)s)."),
        _l("Your certificate for “%(course)s”"),
    )
    notifications.register_kind(
        "certificate_revoked",
        _l("Your certificate %(code)s for “%(course)s” was revoked: %(reason)s"),
        _l("Your certificate for “%(course)s” was revoked"),
    )


register_notification_kinds()
