"""Cohorts and the workshops they follow: creating a cohort links it to its courses."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import Cohort, CohortCourse
from lms.accounts.services import assign_trainer, normalize_name
from lms.clock import utcnow
from lms.courses.models import Course
from lms.errors import DomainError, NotFound
from lms.extensions import db


def create_cohort(
    code: str,
    name: str,
    course_slugs: list[str],
    *,
    trainer_email: str | None = None,
    region: str | None = None,
    place: str | None = None,
    starts_on: date | None = None,
) -> Cohort:
    """A cohort following the given workshops, optionally with a trainer."""
    code = code.strip().upper()
    if not code or not code.replace("-", "").isalnum():
        raise DomainError(_l("A cohort code uses letters, digits and hyphens only."))
    if db.session.scalar(select(Cohort.id).where(Cohort.code == code)):
        raise DomainError(_l("A cohort already uses the code %(code)s.", code=code), status=409)
    courses = db.session.scalars(select(Course).where(Course.slug.in_(course_slugs))).all()
    missing = sorted(set(course_slugs) - {c.slug for c in courses})
    if missing:
        raise NotFound(_l("Unknown workshop: %(slugs)s.", slugs=", ".join(missing)))
    cohort = Cohort(
        code=code,
        name=normalize_name(name),
        region=region,
        place=place,
        starts_on=starts_on or utcnow().date(),
    )
    cohort.courses = [CohortCourse(course_id=c.id) for c in courses]
    db.session.add(cohort)
    db.session.flush()
    if trainer_email:
        assign_trainer(cohort, trainer_email)
    return cohort
