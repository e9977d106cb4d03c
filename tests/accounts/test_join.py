"""Joining a cohort with its code, as a new trainee or as a signed-in one."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import CohortMember, Role, User
from lms.extensions import db
from tests.factories import login, make_cohort, make_user

JOIN = {
    "name": "Khadija Alaoui",
    "email": "khadija@example.org",
    "gender": "f",
    "password": "argan-2026!",
    "confirm": "argan-2026!",
}


def test_a_new_trainee_joins_with_the_cohort_code(client, courses):
    cohort = make_cohort(["montage-video"], code="SAFI-2026")
    response = client.post("/join", data={**JOIN, "code": "safi-2026"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "khadija@example.org"))
    assert user.role == Role.TRAINEE and user.gender == "f"
    assert db.session.get(CohortMember, (cohort.id, user.id)) is not None
    assert "Atelier vidéo test" in client.get("/courses/").get_data(as_text=True)


def test_an_unknown_code_is_refused_and_creates_no_account(client, courses):
    response = client.post("/join", data={**JOIN, "code": "NOPE-1"})
    assert response.status_code == 404
    assert "Aucun groupe" in response.get_data(as_text=True) or "NOPE-1" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_an_email_already_used_is_refused(client, courses):
    make_cohort(["montage-video"], code="SAFI-2026")
    make_user(email="khadija@example.org")
    response = client.post("/join", data={**JOIN, "code": "SAFI-2026"})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_mismatched_passwords_are_refused(client, courses):
    make_cohort(["montage-video"], code="SAFI-2026")
    response = client.post("/join", data={**JOIN, "code": "SAFI-2026", "confirm": "other-pass"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_signed_in_trainee_joins_another_cohort(client, courses):
    make_cohort(["redaction-contenu"], code="DAKAR-1")
    trainee = make_user()
    login(client, trainee)
    response = client.post("/account/cohort", data={"code": "dakar-1"})
    assert response.status_code == 302
    assert "Atelier écriture test" in client.get("/courses/").get_data(as_text=True)
    again = client.post("/account/cohort", data={"code": "DAKAR-1"})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 1


def test_joining_with_a_wrong_code_changes_nothing(client, courses):
    trainee = make_user()
    login(client, trainee)
    response = client.post("/account/cohort", data={"code": "MISSING"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 0
