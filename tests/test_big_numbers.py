"""Numbers too large for a database identifier, in paths, query strings and forms: never a 500."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from lms.accounts.models import CohortTrainer, Role
from lms.extensions import db
from tests.factories import login, make_cohort, make_user

BIG = [2**63, 2**64]
SAFE_METHODS = {"HEAD", "OPTIONS"}


def _int_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if ints:
            rules.append((rule, ints))
    return rules


def _path(rule, ints: list[str], number: int) -> str:
    values = {name: (number if name in ints else "x") for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def people(courses):
    trainer = make_user(Role.TRAINER)
    trainee = make_user()
    make_cohort(["redaction-contenu"], trainer=trainer, trainees=[trainee])
    return {"trainee": trainee, "trainer": trainer, "admin": make_user(Role.ADMIN)}


def test_every_route_with_a_number_in_its_path_answers_404_to_huge_ones(app, client, people):
    rules = _int_rules(app)
    assert len(rules) >= 15  # the map was read: media, grading, certificates, admin, …
    answers = {}
    for role in (None, "trainee", "trainer", "admin"):
        client.post("/logout")
        if role:
            login(client, people[role])
        for rule, ints in rules:
            for method in sorted(rule.methods - SAFE_METHODS):
                for number in BIG:
                    path = _path(rule, ints, number)
                    status = client.open(path, method=method).status_code
                    answers[(role, method, path)] = status
    assert {key: s for key, s in answers.items() if s >= 500} == {}
    # Signed-in people never reach a view: 404, or 405 where a rule for another method has the
    # same path (Werkzeug checks a rule's method before its converters).
    signed_in = {s for (role, _m, _p), s in answers.items() if role is not None}
    assert signed_in <= {404, 405} and 404 in signed_in


def test_an_identifier_just_in_range_still_reaches_the_view(app, admin_client, people):
    # 2**63 - 1 fits: the route matches and the view says the thing does not exist.
    response = admin_client.get(f"/admin/cohorts/{2**63 - 1}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        f"page={2**63}",
        f"page={2**64}",
        f"page=-{2**63}",
        f"module={2**63}",
        f"module={2**64}&page={10**40}",
        "page=abc&module=xyz",
    ],
)
def test_grading_queue_query_numbers_are_bounded(app, client, people, query):
    login(client, people["trainer"])
    assert client.get(f"/grading/?{query}").status_code == 200


def test_form_identifiers_too_large_get_400(app, client, people):
    trainer, trainee = people["trainer"], people["trainee"]
    login(client, trainer)
    cohort_id = db.session.query(CohortTrainer.cohort_id).filter_by(user_id=trainer.id).scalar()
    for form in (
        {"trainee_id": str(2**63), "assignment_id": "1", "until": "2030-01-01"},
        {"trainee_id": str(trainee.id), "assignment_id": str(2**64), "until": "2030-01-01"},
    ):
        response = client.post(f"/grading/cohorts/{cohort_id}/extension", data=form)
        assert response.status_code == 400
    response = client.post(
        f"/grading/cohorts/{cohort_id}/due-date",
        data={"assignment_id": str(-(2**63) - 1), "due_on": "2030-01-01"},
    )
    assert response.status_code == 400
