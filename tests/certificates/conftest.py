"""Certificate test fixtures: an administrator, trainees who completed (part of) a workshop."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.certificates.badges import build_open_badge_credential
from lms.certificates.eligibility import required_modules
from lms.clock import utcnow
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.models import ModuleProgress
from tests.factories import make_cohort, make_user

ARABIC_NAME = "فاطمة الزهراء بنعلي"
FRENCH_NAME = "Aïcha Ouédraogo"


def course_by_slug(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def complete_modules(user, course: Course, count: int | None = None) -> None:
    """Mark the first `count` required modules complete, as released grades would."""
    modules = required_modules(course)
    for module in modules[: len(modules) if count is None else count]:
        row = db.session.get(ModuleProgress, (user.id, module.id))
        if row is None:
            row = ModuleProgress(user_id=user.id, module_id=module.id)
            db.session.add(row)
        row.read_at = row.read_at or utcnow()
        row.completed_at = utcnow()
    db.session.commit()


@pytest.fixture
def admin(app):
    return make_user("admin", name="Salma Bennani")


@pytest.fixture
def montage(courses):
    return course_by_slug("montage-video")


@pytest.fixture
def class_of_three(app, courses, montage):
    """A cohort where an Arabic-named and a French-named trainee finished, and one did not."""
    done_ar = make_user(name=ARABIC_NAME)
    done_fr = make_user(name=FRENCH_NAME)
    halfway = make_user(name="Karim Tazi")
    cohort = make_cohort(["montage-video"], trainees=[done_ar, done_fr, halfway])
    cohort.place = "Khouribga"
    complete_modules(done_ar, montage)
    complete_modules(done_fr, montage)
    complete_modules(halfway, montage, count=2)
    return cohort, done_ar, done_fr, halfway


SAMPLE_BASE = "https://atelier.example.org"


def sample_credential(recipient_name="Aïcha Ouédraogo", hours=30):
    """A realistic Open Badges credential for signing and PDF tests."""
    return build_open_badge_credential(
        credential_id=f"{SAMPLE_BASE}/verify/7K3M9QX2HB4T",
        issuer_id=f"{SAMPLE_BASE}/issuer",
        issuer_name="Atelier — Laboratoire d’innovation sociale",
        issuer_url=SAMPLE_BASE,
        achievement_id=f"{SAMPLE_BASE}/courses/montage-video/",
        achievement_name="Montage vidéo",
        achievement_description="Du tournage au smartphone au court métrage fini.",
        criteria_narrative="Toutes les missions rendues et validées par la formatrice.",
        recipient_name=recipient_name,
        hours=hours,
        valid_from="2025-06-14T00:00:00Z",
        achievement_code="montage-video",
    )
