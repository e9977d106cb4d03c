"""The cohort page data: eligibility and certificates of each trainee, in a few queries."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.access import COHORT_NOT_FOUND, access_cohort, may_manage
from lms.accounts.models import Cohort, CohortCourse, CohortMember, User
from lms.certificates.eligibility import Eligibility, cohort_eligibility
from lms.certificates.models import Certificate, CertificateStatus
from lms.courses.models import Course
from lms.errors import NotFound
from lms.extensions import db


@dataclass
class RosterLine:
    """A trainee, whether they may receive the certificate, and what they hold."""

    trainee: User
    eligibility: Eligibility
    certificate: Certificate | None
    revoked: list[Certificate]


@dataclass
class CohortCertificates:
    """A cohort's certificates for one of its workshops; can_manage is false for trainers."""

    cohort: Cohort
    courses: list[Course]
    course: Course | None
    lines: list[RosterLine]
    can_manage: bool

    @property
    def eligible_without_certificate(self) -> int:
        return sum(1 for line in self.lines if line.eligibility.eligible and not line.certificate)

    @property
    def issued(self) -> int:
        return sum(1 for line in self.lines if line.certificate)


def cohort_courses(cohort: Cohort) -> list[Course]:
    """The workshops the cohort follows, in catalogue order."""
    return list(
        db.session.scalars(
            select(Course)
            .join(CohortCourse, CohortCourse.course_id == Course.id)
            .where(CohortCourse.cohort_id == cohort.id)
            .order_by(Course.position, Course.slug)
        )
    )


def access_cohort_certificates(
    user: User, cohort_id: int, course_slug: str | None = None
) -> CohortCertificates:
    """Everything the cohort certificates page shows, for an admin or the cohort's trainer."""
    cohort, can_manage = access_cohort(user, cohort_id), may_manage(user)
    courses = cohort_courses(cohort)
    course = next((c for c in courses if c.slug == course_slug), courses[0] if courses else None)
    if course_slug and course is not None and course.slug != course_slug:
        raise NotFound(_l("The cohort does not follow this workshop."))
    if course is None:
        return CohortCertificates(cohort, courses, None, [], can_manage)
    verdicts = cohort_eligibility(cohort.id, course)
    active: dict[int, Certificate] = {}
    revoked: dict[int, list[Certificate]] = {}
    for certificate in db.session.scalars(
        select(Certificate)
        .where(
            Certificate.course_id == course.id,
            Certificate.user_id.in_(
                select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
            ),
        )
        .order_by(Certificate.issued_at)
    ):
        if certificate.status == CertificateStatus.ISSUED:
            active[certificate.user_id] = certificate
        else:
            revoked.setdefault(certificate.user_id, []).append(certificate)
    lines = [
        RosterLine(trainee, verdict, active.get(trainee.id), revoked.get(trainee.id, []))
        for trainee, verdict in verdicts
    ]
    return CohortCertificates(cohort, courses, course, lines, can_manage)


def access_managed_certificates(
    user: User, cohort_id: int, course_slug: str | None
) -> CohortCertificates:
    """The cohort's certificates page for one who acts on them (administrators); its trainer
    and everyone else get NotFound, as does a workshop the cohort does not follow."""
    view = access_cohort_certificates(user, cohort_id, course_slug)
    if not view.can_manage:
        raise NotFound(COHORT_NOT_FOUND)
    if view.course is None:
        raise NotFound(_l("The cohort does not follow this workshop."))
    return view
