"""CSRF: every state-changing route refuses a request without the token and changes nothing;
HEAD, like GET, changes nothing either (issue 10, finding 6)."""

from __future__ import annotations

import pytest

from tests.surface import (
    ROLES,
    STATE_CHANGING,
    Call,
    Surface,
    agrees,
    csrf_token,
    keyed_calls,
    outcome,
)
from tests.test_authorization_matrix import EXPECTED, LOGIN, route_keys
from tests.world import empty_database, fingerprint

# One worker builds the world once for the whole module (make test distributes by group).
pytestmark = pytest.mark.xdist_group("csrf")

# "endpoint METHOD" -> why it may do without the token. None is: tus clients send the token in
# X-CSRFToken like the upload page, and sign-in and joining are forms of the site's own pages.
EXEMPT: dict[str, str] = {}

# What reading a page legitimately writes (HEAD runs GET's view): never what was asked for.
READING_WRITES = {
    "throttle_hits": "public lookups are counted, to slow down guessing codes",
    "certificate_pdfs": "a certificate's PDF is kept once rendered",
}

STATE_ROWS = sorted(key for key in EXPECTED if key.split(",")[0].split()[1] in STATE_CHANGING)
GET_ROWS = sorted(key for key in EXPECTED if key.split(",")[0].split()[1] == "GET")


@pytest.fixture(scope="module")
def surface(app_session):
    try:
        yield Surface(app_session)
    finally:
        with app_session.app_context():
            empty_database()


def _signed_in_clients(surface: Surface) -> dict:
    """A client per role, signed in while CSRF is still off (signing in is a POST too)."""
    if surface.dirty:
        surface.rebuild()
    return {role: surface.client(role) for role in ROLES}


def _changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def test_every_state_changing_route_is_checked(app_session):
    routes = {key for key in route_keys(app_session) if key.split()[1] in STATE_CHANGING}
    assert routes - set(EXEMPT) <= set(STATE_ROWS)


@pytest.mark.parametrize("row", STATE_ROWS)
def test_a_request_without_the_token_is_refused_and_changes_nothing(surface, row, monkeypatch):
    clients = _signed_in_clients(surface)
    monkeypatch.setitem(surface.app.config, "WTF_CSRF_ENABLED", True)
    ignore = surface.keep  # no route changes the catalogue; it is large to digest
    before = fingerprint(surface.app, ignore)
    wrong = []
    for role in ROLES:
        response = keyed_calls(surface.app, surface.world)[row].send(clients[role])
        response.close()
        if response.status_code not in (400, 401, 403):  # 401: a visitor, refused even earlier
            wrong.append(f"{role}: {outcome(response)}")
    changed = _changed(before, fingerprint(surface.app, ignore))
    assert not wrong and not changed, f"{row}: answered {wrong}, changed {changed}"

    # The same request with the page's token does what the authorization table says: the
    # refusal above was the token's doing, not a faulty request.
    allowed = [
        (role, expected)
        for role, expected in zip(ROLES, EXPECTED[row], strict=True)
        if (isinstance(expected, str) and not (role == "anonymous" and expected == LOGIN))
        or (isinstance(expected, int) and expected < 400)
    ]
    if not allowed:  # nobody may do it: the authorization matrix covers that
        return
    role, expected = allowed[0]
    client = clients[role]
    call = keyed_calls(surface.app, surface.world)[row]
    call.headers = {**call.headers, "X-CSRFToken": csrf_token(client, role != "anonymous")}
    response = call.send(client)
    response.close()
    surface.dirty = True
    assert agrees(outcome(response), expected), (role, outcome(response), expected)


@pytest.mark.parametrize("row", GET_ROWS)
def test_head_with_a_body_changes_nothing(surface, row, monkeypatch):
    clients = _signed_in_clients(surface)
    monkeypatch.setitem(surface.app.config, "WTF_CSRF_ENABLED", True)
    ignore = surface.keep | set(READING_WRITES)
    before = fingerprint(surface.app, ignore)
    get = keyed_calls(surface.app, surface.world)[row]
    head = Call("HEAD", get.path, json={"at": 2, "body": "Ajouté par HEAD ?"}, headers=get.headers)
    answers = {}
    for role in ("trainee", "trainer", "admin"):
        response = head.send(clients[role])
        response.close()
        answers[role] = outcome(response)
    changed = _changed(before, fingerprint(surface.app, ignore))
    assert not changed, f"HEAD {get.path} changed {changed} (answers {answers})"
