"""Cohort codes and emails cannot be enumerated through joining."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.accounts.joining import JOIN_FREE_PER_ACCOUNT, JOIN_FREE_PER_ADDRESS
from lms.accounts.models import CohortMember, User
from lms.extensions import db
from tests.factories import login, make_cohort, make_user

JOIN = {
    "name": "Khadija Alaoui",
    "email": "khadija@example.org",
    "password": "argan-2026!",
    "confirm": "argan-2026!",
}


def _join(client, code: str, address: str = "203.0.113.7", **changes):
    return client.post(
        "/join", data={**JOIN, "code": code, **changes}, environ_base={"REMOTE_ADDR": address}
    )


def test_guessing_codes_from_one_address_is_slowed_down(client, courses):
    make_cohort(["montage-video"], code="SAFI-2026")
    for n in range(JOIN_FREE_PER_ADDRESS):
        assert _join(client, f"GUESS-{n}").status_code == 404
    refused = _join(client, "SAFI-2026")  # even the right code waits now
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert _join(client, "SAFI-2026", address="192.0.2.1").status_code == 302


def _error_box(response) -> str:
    return re.search(r'<div class="error-box".*?</div>', response.get_data(as_text=True), re.S)[0]


def test_an_email_already_used_gets_one_answer_whoever_owns_it(client, courses):
    make_cohort(["montage-video"], code="SAFI-2026")
    make_user("trainer", email="trainer@example.org")
    make_user("trainee", email="trainee@example.org")
    trainer = _join(client, "SAFI-2026", email="trainer@example.org")
    trainee = _join(client, "SAFI-2026", email="Trainee@Example.org")
    assert trainer.status_code == trainee.status_code == 409
    assert _error_box(trainer) == _error_box(trainee)
    assert "ne peut pas servir à créer un compte" in _error_box(trainer)


def test_trying_emails_with_a_known_code_is_slowed_down(client, courses):
    make_cohort(["montage-video"], code="SAFI-2026")
    for n in range(JOIN_FREE_PER_ADDRESS):
        make_user(email=f"known{n}@example.org")
    for n in range(JOIN_FREE_PER_ADDRESS):
        assert _join(client, "SAFI-2026", email=f"known{n}@example.org").status_code == 409
    assert _join(client, "SAFI-2026", email="other@example.org").status_code == 429


def test_a_signed_in_trainee_cannot_walk_the_codes(client, courses):
    make_cohort(["redaction-contenu"], code="DAKAR-1")
    login(client, make_user())
    for n in range(JOIN_FREE_PER_ACCOUNT):
        assert client.post("/account/cohort", data={"code": f"NOPE-{n}"}).status_code == 404
    refused = client.post("/account/cohort", data={"code": "DAKAR-1"})
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 0
