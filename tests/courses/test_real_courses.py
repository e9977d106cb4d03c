"""The real workshops of courses/: the only tests that read them (the rest use tests/fixtures)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.courses.files import read_courses
from lms.courses.models import Course
from lms.extensions import db
from tests.factories import ROOT, login, make_cohort, make_user, sync_real_courses

REAL_SLUGS = {"montage-video", "redaction-contenu", "marketing-digital"}


def test_the_three_real_workshops_load_with_real_content(app):
    specs = read_courses(ROOT / "courses")
    assert {s.slug for s in specs} == REAL_SLUGS
    for spec in specs:
        assert 4 <= len(spec.modules) <= 6
        assert all(spec.titles[lang] for lang in ("fr", "ar", "en"))
        for module in spec.modules:
            assert len(module.body.split()) >= 400, (spec.slug, module.slug)
            assert module.assignments and all(a.criteria for a in module.assignments)
            assert all(module.titles[lang] for lang in ("fr", "ar", "en"))


def test_the_real_workshops_sync_once_with_assignments_and_rubrics(app):
    first = sync_real_courses()
    assert first.created["courses"] == 3
    courses = db.session.scalars(select(Course).order_by(Course.position)).all()
    assert {c.slug for c in courses} == REAL_SLUGS
    for course in courses:
        for module in course.modules:
            assert module.assignments, (course.slug, module.slug)
            for assignment in module.assignments:
                assert assignment.criteria, (course.slug, assignment.slug)
                assert all(len(c.levels) >= 2 for c in assignment.criteria)
    assert not sync_real_courses().changed


def _first_visit_bytes(client, page) -> int:
    """The page's HTML and the static files it links to, as a first visit downloads them."""
    total = len(page.data)
    for path in set(re.findall(r'(?:href|src)="(/static/[^"?]+)', page.get_data(as_text=True))):
        asset = client.get(path)
        total += len(asset.data)
        asset.close()
    return total


def test_every_real_module_page_opens_for_a_trainee_within_the_3g_budget(client, app):
    """The browser journey holds the same 60 KB budget on the test workshops' short modules."""
    sync_real_courses()
    trainee = make_user()
    make_cohort(sorted(REAL_SLUGS), trainees=[trainee])
    login(client, trainee)
    for course in db.session.scalars(select(Course)):
        assert client.get(f"/courses/{course.slug}/").status_code == 200
        for module in course.modules:
            page = client.get(f"/courses/{course.slug}/{module.slug}/")
            assert page.status_code == 200, (course.slug, module.slug)
            assert module.title_fr in page.get_data(as_text=True)
            assert _first_visit_bytes(client, page) < 60 * 1024, (course.slug, module.slug)
