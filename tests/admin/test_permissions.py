"""Only administrators open the administrators' area."""

from __future__ import annotations

import pytest

from lms.accounts.models import Role
from tests.factories import login, make_cohort, make_user

PAGES = [
    ("get", "/admin/"),
    ("get", "/admin/cohorts/new"),
    ("post", "/admin/cohorts/new"),
    ("get", "/admin/cohorts/{id}"),
    ("post", "/admin/cohorts/{id}/trainers"),
    ("get", "/admin/cohorts/{id}/import"),
    ("post", "/admin/cohorts/{id}/import/confirm"),
    ("get", "/admin/impact"),
    ("get", "/admin/impact.csv"),
]


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER])
def test_trainees_and_trainers_are_refused_everywhere(client, courses, role):
    cohort = make_cohort(["redaction-contenu"])
    login(client, make_user(role))
    for method, path in PAGES:
        response = getattr(client, method)(path.format(id=cohort.id))
        assert response.status_code == 403, path


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_trainer_cannot_remove_another_trainer(client, courses):
    trainer = make_user(Role.TRAINER)
    cohort = make_cohort(["redaction-contenu"], trainer=trainer)
    login(client, make_user(Role.TRAINER))
    response = client.post(f"/admin/cohorts/{cohort.id}/trainers/{trainer.id}/remove")
    assert response.status_code == 403
    assert len(cohort.trainers) == 1


def test_the_navigation_shows_administration_to_administrators_only(client, admin_client):
    assert b"Administration" in admin_client.get("/courses/").data
