"""One request per route as its page or script sends it, and signed-in clients per role, over
the world of tests/world.py."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.world import (
    OWN,
    PASSWORD,
    SHARED,
    World,
    build_world,
    catalogue_tables,
    reset_world,
)

ROLES = ("anonymous", "trainee", "other_trainee", "trainer", "other_trainer", "admin")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Call:
    """One request as its real client sends it."""

    method: str
    path: str
    data: dict | bytes | None = None
    json: object = None
    headers: dict = field(default_factory=dict)

    def send(self, client):
        data = self.data
        if isinstance(data, dict):  # files are read once: give each request its own
            data = {
                k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()
            }
        return client.open(
            self.path, method=self.method, data=data, json=self.json, headers=self.headers
        )


JSON = {"Accept": "application/json"}
TUS = {"Tus-Resumable": "1.0.0", "Accept": "application/json"}
NEW_PASSWORD = "another-horse-8"
CSV = "name,email\nNouvelle Stagiaire,nouvelle@example.org\n"


def calls(w: World) -> list[Call]:
    """One request per route and method, as its page or script sends it."""
    a, u = w.cohort_a, w.users
    own_page = f"/submissions/{OWN}/{w.own_module}/{w.own_assignment}/"
    review = {f"criterion-{cid}": str(lid) for cid, lid in w.levels.items()}
    review.update(version=str(w.version), review_lock="0", action="release", feedback="Bien.")
    payload = base64.urlsafe_b64encode(CSV.encode()).decode()
    rows = [
        Call("GET", "/account"),
        Call(
            "POST",
            "/account/password",
            {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        Call("GET", "/join"),
        Call(
            "POST",
            "/join",
            {
                "code": w.code_a,
                "name": "Nouvelle",
                "email": "nouvelle.inscrite@example.org",
                "gender": "",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        ),
        Call("POST", "/account/cohort", {"code": w.code_b}),
        Call("GET", "/login"),
        Call("POST", "/login", {"email": w.emails["trainee"], "password": PASSWORD}),
        Call("POST", "/logout"),
        Call("POST", f"/admin/cohorts/{a}/trainers", {"trainer": w.emails["other_trainer"]}),
        Call("GET", f"/admin/cohorts/{a}"),
        Call("POST", f"/admin/cohorts/{a}/import/confirm", {"payload": payload}),
        Call("GET", "/admin/impact"),
        Call("GET", "/admin/impact.csv"),
        Call("GET", f"/admin/cohorts/{a}/import"),
        Call("POST", f"/admin/cohorts/{a}/import", {"file": (CSV.encode(), "stagiaires.csv")}),
        Call("GET", "/admin/"),
        Call("GET", "/admin/cohorts/new"),
        Call(
            "POST",
            "/admin/cohorts/new",
            {
                "code": "SURF-NEW",
                "name": "Nouvelle cohorte",
                "region": "Casablanca-Settat",
                "starts_on": "2026-09-01",
                "courses": SHARED,
            },
        ),
        Call("POST", f"/admin/cohorts/{a}/trainers/{u['trainer']}/remove"),
        Call("GET", f"/admin/cohorts/{a}/certificates"),
        Call("GET", f"/admin/cohorts/{a}/certificates.zip?course={OWN}"),
        Call("GET", f"/certificates/{w.certificate}.pdf"),
        Call("POST", f"/admin/cohorts/{a}/certificates/issue", {"course": SHARED}),
        Call(
            "POST",
            f"/admin/cohorts/{a}/certificates/issue/{u['trainee']}",
            {"course": SHARED, "override_reason": "Jury de rattrapage."},
        ),
        Call("GET", "/issuer"),
        Call("GET", "/status/revocation/0"),
        Call("GET", "/certificates/"),
        Call(
            "POST",
            f"/admin/cohorts/{a}/certificates/{w.certificate}/revoke",
            {"course": OWN, "reason": "Erreur de saisie."},
        ),
        Call("GET", f"/verify/{w.certificate}"),
        Call("GET", "/verify"),
        Call("GET", f"/verify/{w.certificate}.json"),
        Call("GET", f"/verify/{w.certificate}.pdf"),
        Call("GET", "/courses/"),
        Call("GET", f"/courses/{OWN}/"),
        Call("POST", f"/courses/{OWN}/{w.own_module}/read"),
        Call("GET", f"/courses/{OWN}/{w.own_module}/"),
        Call(
            "POST",
            f"/grading/cohorts/{a}/due-date",
            {
                "assignment_id": str(w.submission_assignment),
                "due_on": "2026-12-24",
                "course": SHARED,
            },
        ),
        Call(
            "POST",
            f"/grading/cohorts/{a}/extension",
            {
                "trainee_id": str(u["trainee"]),
                "assignment_id": str(w.submission_assignment),
                "until": "2026-12-24",
                "course": SHARED,
            },
        ),
        Call("GET", "/grading/cohorts/"),
        Call("GET", f"/grading/cohorts/{a}/due-dates/?course={SHARED}"),
        Call("GET", f"/grading/cohorts/{a}/grades.csv?course={SHARED}"),
        Call("POST", f"/grading/submissions/{w.submission}/extension", {"until": "2026-12-24"}),
        Call("GET", f"/grading/submissions/{w.submission}"),
        Call("GET", f"/grading/cohorts/{a}/?course={SHARED}"),
        Call("GET", "/grading/"),
        Call("POST", f"/grading/submissions/{w.submission}", review),
        Call("GET", f"/grading/cohorts/{a}/trainees/{u['trainee']}/?course={SHARED}"),
        Call("POST", "/language", {"language": "ar", "next": "/verify"}),
        Call("PATCH", f"/media/comments/{w.comment}", json={"body": "Plutôt ici."}, headers=JSON),
        Call("DELETE", f"/media/comments/{w.comment}", headers=JSON),
        Call("GET", f"/media/{w.video}/comments", headers=JSON),
        Call(
            "POST",
            f"/media/{w.video}/comments",
            json={"at": 2, "body": "Le son sature."},
            headers=JSON,
        ),
        Call("POST", f"/media/comments/{w.comment}/delete"),
        Call("GET", f"/media/{w.video}/files/360p.mp4"),
        Call("GET", f"/media/{w.video}/"),
        Call("POST", f"/media/{w.failed_video}/retry"),
        Call("GET", f"/media/{w.video}/status", headers=JSON),
        Call("POST", "/media/uploads", headers={**TUS, "Upload-Length": "1000"}),
        Call("OPTIONS", "/media/uploads", headers=TUS),
        Call("HEAD", f"/media/uploads/{w.upload}", headers=TUS),
        Call(
            "PATCH",
            f"/media/uploads/{w.upload}",
            b"0123456789",
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        ),
        Call("DELETE", f"/media/uploads/{w.upload}", headers=TUS),
        Call("GET", "/media/upload"),
        Call("GET", "/notifications/"),
        Call("POST", "/notifications/read"),
        Call("GET", "/notifications/outbox"),
        Call("GET", "/healthz"),
        Call("GET", "/"),
        Call("GET", "/static/app.css"),
        Call("GET", own_page),
        Call("POST", own_page + "autosave", {"body": "Brouillon."}, headers=JSON),
        Call("GET", f"/submissions/files/{w.file_version}"),
        Call("POST", own_page, {"action": "submit", "body": "Mon texte."}),
        Call("POST", "/submissions/preview", {"body": "**Gras**"}, headers=JSON),
    ]
    return rows


def variants(w: World) -> dict[str, Call]:
    """Requests that the attacks of issue 10 need beyond one per route: things of the wrong
    owner or cohort named in a URL or a form."""
    stranger = str(w.users["other_trainee"])
    return {
        "grading.trainee GET, a trainee of another cohort": Call(
            "GET", f"/grading/cohorts/{w.cohort_a}/trainees/{stranger}/?course={SHARED}"
        ),
        "grading.cohort_extension POST, a trainee of another cohort": Call(
            "POST",
            f"/grading/cohorts/{w.cohort_a}/extension",
            {
                "trainee_id": stranger,
                "assignment_id": str(w.submission_assignment),
                "until": "2026-12-24",
                "course": SHARED,
            },
        ),
        "certificates.issue_one POST, a trainee of another cohort": Call(
            "POST",
            f"/admin/cohorts/{w.cohort_a}/certificates/issue/{stranger}",
            {"course": SHARED, "override_reason": "Jury de rattrapage."},
        ),
        "media.player GET, a video never handed in": Call("GET", f"/media/{w.unsubmitted_video}/"),
        "media.status GET, a video never handed in": Call(
            "GET", f"/media/{w.unsubmitted_video}/status", headers=JSON
        ),
        "media.comments HEAD, with a comment as JSON body": Call(
            "HEAD", f"/media/{w.video}/comments", json={"at": 2, "body": "Ajouté ?"}, headers=JSON
        ),
        "certificates.revoke POST, through another cohort's page": Call(
            "POST",
            f"/admin/cohorts/{w.cohort_b}/certificates/{w.certificate}/revoke",
            {"course": SHARED, "reason": "Erreur de saisie."},
        ),
    }


def keyed_calls(app, w: World) -> dict[str, Call]:
    """Every request by its row name: "endpoint METHOD" as the URL map routes it, or a variant."""
    adapter = app.url_map.bind("localhost")
    keyed = {}
    for call in calls(w):
        endpoint, _args = adapter.match(call.path.split("?")[0], method=call.method)
        keyed[f"{endpoint} {call.method}"] = call
    keyed.update(variants(w))
    return keyed


class Surface:
    """The world, rebuilt after a request that may have changed it, and a signed-in client per
    role for the current world."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.keep = catalogue_tables()
            self.world = build_world()
        self.clients: dict = {}
        self.dirty = False

    def rebuild(self) -> None:
        with self.app.app_context():
            reset_world(self.keep)
            self.world = build_world()
        self.clients.clear()
        self.dirty = False

    def client(self, role: str):
        if role == "anonymous":
            return self.app.test_client()
        if role not in self.clients:
            client = self.app.test_client()
            response = client.post(
                "/login", data={"email": self.world.emails[role], "password": PASSWORD}
            )
            assert response.status_code == 302, (role, response.status_code)
            self.clients[role] = client
        return self.clients[role]

    def request(self, row: str, role: str):
        if self.dirty:
            self.rebuild()
        call = keyed_calls(self.app, self.world)[row]
        response = call.send(self.client(role))
        if call.method in STATE_CHANGING | {"HEAD"} and response.status_code < 400:
            self.dirty = True  # it may have changed the world, or signed this client out
        return response


def outcome(response) -> int | str:
    """The status, or the path a redirect leads to."""
    if response.status_code in (301, 302, 303, 307, 308):
        return urlsplit(response.headers["Location"]).path
    return response.status_code


def agrees(got: int | str, expected: int | str) -> bool:
    if isinstance(expected, int):
        return got == expected
    return isinstance(got, str) and got.startswith(expected)


_TOKEN = re.compile(
    r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"'
)


def csrf_token(client, signed_in: bool) -> str:
    """The token a page of this client's session carries, as a browser would read it."""
    page = client.get("/account" if signed_in else "/login").get_data(as_text=True)
    found = _TOKEN.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)
