"""Who may do what: every route of the URL map × method × role, against one written table."""

from __future__ import annotations

import csv
import io

import pytest

from tests.surface import ROLES, Surface, agrees, keyed_calls, outcome
from tests.world import empty_database

# One worker builds the world once for the whole module (make test distributes by group).
pytestmark = pytest.mark.xdist_group("authorization-matrix")

# What each role gets, in the order of ROLES:
# anonymous, trainee (owner of the thing), trainee of the other cohort, trainer of cohort A,
# trainer of cohort B (same workshop), administrator. An int is the status; a text is a
# redirect (302/303) to a path starting with it. Strangers to a private thing get 404 (its
# existence stays private); a known person without the right gets 403. Anonymous visitors are
# sent to sign in, except from scripts and tus clients (Accept: application/json): 401.
LOGIN = "/login"
ALL_200 = (200,) * 6
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
ADMIN_ONLY = (LOGIN, 403, 403, 403, 403, 200)
OWNER_TRAINER_ADMIN = (LOGIN, 200, 404, 200, 404, 200)
GRADER_OF_A = (LOGIN, 403, 403, 200, 404, 200)
GRADER_OF_A_ACTS = (LOGIN, 403, 403, "/grading/", 404, "/grading/")
CERTIFICATE_ADMIN_ACTS = (LOGIN, 404, 404, 404, 404, "/admin/cohorts/")

EXPECTED: dict[str, tuple] = {
    "accounts.account GET": SIGNED_IN,
    "accounts.change_password POST": (LOGIN, *("/account",) * 5),
    "accounts.join GET": (200, *("/account",) * 5),
    "accounts.join POST": ("/courses/", *("/account",) * 5),
    "accounts.join_another_cohort POST": (LOGIN, "/courses/", "/courses/", 403, 403, 403),
    "accounts.login GET": (200, *("/courses/",) * 5),
    "accounts.login POST": ("/courses/",) * 6,
    "accounts.logout POST": (LOGIN,) * 6,
    "admin.add_trainer POST": (LOGIN, 403, 403, 403, 403, "/admin/cohorts/"),
    "admin.cohort GET": ADMIN_ONLY,
    "admin.confirm_import POST": ADMIN_ONLY,
    "admin.impact GET": ADMIN_ONLY,
    "admin.impact_export GET": ADMIN_ONLY,
    "admin.import_trainees GET": ADMIN_ONLY,
    "admin.import_trainees POST": ADMIN_ONLY,
    "admin.index GET": ADMIN_ONLY,
    "admin.new_cohort GET": ADMIN_ONLY,
    "admin.new_cohort POST": (LOGIN, 403, 403, 403, 403, "/admin/cohorts/"),
    "admin.remove_trainer POST": (LOGIN, 403, 403, 403, 403, "/admin/cohorts/"),
    # The cohort's trainer reads its certificates; only administrators act on them.
    "certificates.cohort_certificates GET": (LOGIN, 404, 404, 200, 404, 200),
    "certificates.cohort_zip GET": (LOGIN, 404, 404, 404, 404, 200),
    "certificates.download GET": (LOGIN, 200, 404, 404, 404, 200),
    "certificates.issue_cohort POST": CERTIFICATE_ADMIN_ACTS,
    "certificates.issue_one POST": CERTIFICATE_ADMIN_ACTS,
    "certificates.issue_one POST, a trainee of another cohort": (LOGIN, 404, 404, 404, 404, 404),
    "certificates.issuer GET": ALL_200,
    "certificates.mine GET": SIGNED_IN,
    "certificates.revoke POST": CERTIFICATE_ADMIN_ACTS,
    # Issue 10, lower: the certificate is not cohort B's; its page must not revoke it.
    "certificates.revoke POST, through another cohort's page": (LOGIN, 404, 404, 404, 404, 404),
    "certificates.status_list GET": ALL_200,
    "certificates.verify GET": ALL_200,
    "certificates.verify_form GET": ALL_200,
    "certificates.verify_json GET": ALL_200,
    "certificates.verify_pdf GET": ALL_200,
    "courses.catalogue GET": SIGNED_IN,
    "courses.course GET": OWNER_TRAINER_ADMIN,
    "courses.mark_read POST": (LOGIN, "/courses/", 404, "/courses/", 404, "/courses/"),
    "courses.module GET": OWNER_TRAINER_ADMIN,
    "grading.cohort_due_date POST": GRADER_OF_A_ACTS,
    "grading.cohort_extension POST": GRADER_OF_A_ACTS,
    "grading.cohort_extension POST, a trainee of another cohort": (LOGIN, 403, 403, 404, 404, 404),
    "grading.cohorts GET": (LOGIN, 403, 403, 200, 200, 200),
    "grading.due_dates GET": GRADER_OF_A,
    "grading.export GET": GRADER_OF_A,
    "grading.extend POST": GRADER_OF_A_ACTS,
    "grading.grade GET": GRADER_OF_A,
    "grading.grid GET": GRADER_OF_A,
    "grading.queue GET": (LOGIN, 403, 403, 200, 200, 200),
    "grading.save POST": GRADER_OF_A_ACTS,
    "grading.trainee GET": GRADER_OF_A,
    "grading.trainee GET, a trainee of another cohort": (LOGIN, 403, 403, 404, 404, 404),
    "i18n.switch_language POST": ("/verify",) * 6,
    # Issue 10, finding 7: B's trainer must not reach her cohort-A video or its comments.
    "media.comment PATCH": (401, 403, 404, 200, 404, 200),
    "media.comment DELETE": (401, 403, 404, 204, 404, 204),
    "media.comments GET": (401, 200, 404, 200, 404, 200),
    "media.add_comment POST": (401, 403, 404, 201, 404, 201),
    # Issue 10, finding 6: HEAD is GET without the body; it never adds a comment.
    "media.comments HEAD, with a comment as JSON body": (401, 200, 404, 200, 404, 200),
    "media.delete_comment_form POST": (LOGIN, 403, 404, "/media/", 404, "/media/"),
    "media.media_file GET": OWNER_TRAINER_ADMIN,
    "media.player GET": OWNER_TRAINER_ADMIN,
    # Issue 10, lower: a video never handed in is nobody's business but its owner's.
    "media.player GET, a video never handed in": (LOGIN, 200, 404, 404, 404, 200),
    "media.retry POST": (LOGIN, "/media/", 404, 404, 404, 403),
    "media.status GET": (401, 200, 404, 200, 404, 200),
    "media.status GET, a video never handed in": (401, 200, 404, 404, 404, 200),
    "media.tus_create POST": (401, 201, 201, 201, 201, 201),
    "media.tus_options OPTIONS": (204,) * 6,
    "media.tus_upload HEAD": (401, 200, 404, 404, 404, 404),
    "media.tus_upload PATCH": (401, 204, 404, 404, 404, 404),
    "media.tus_upload DELETE": (401, 204, 404, 404, 404, 404),
    "media.upload_page GET": SIGNED_IN,
    "notifications.index GET": SIGNED_IN,
    "notifications.mark_read POST": (LOGIN, *("/notifications/",) * 5),
    "notifications.outbox GET": (LOGIN, 404, 404, 404, 404, 200),
    "pages.healthz GET": ALL_200,
    "pages.home GET": (LOGIN, *("/courses/",) * 5),
    "static GET": ALL_200,
    "submissions.assignment GET": OWNER_TRAINER_ADMIN,
    "submissions.autosave POST": (401, 200, 404, 403, 404, 403),
    "submissions.download GET": OWNER_TRAINER_ADMIN,
    "submissions.hand_in POST": (LOGIN, "/submissions/", 404, 403, 404, 403),
    "submissions.preview POST": (401, 200, 200, 200, 200, 200),
}


def route_keys(app) -> set[str]:
    """ "endpoint METHOD" for every rule; HEAD only where it is not GET's twin, OPTIONS only for
    tus discovery (Flask answers the others itself)."""
    keys = set()
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods)
        if "GET" in methods:
            methods.discard("HEAD")
        if rule.endpoint != "media.tus_options":
            methods.discard("OPTIONS")
        keys.update(f"{rule.endpoint} {method}" for method in methods)
    return keys


@pytest.fixture(scope="module")
def surface(app_session):
    """One world for the module; the tables are emptied at the end, as the `app` fixture does."""
    try:
        yield Surface(app_session)
    finally:
        with app_session.app_context():
            empty_database()


def test_every_route_has_a_row(app_session):
    missing = route_keys(app_session) - set(EXPECTED)
    assert not missing, f"new route without an authorization row: {sorted(missing)}"
    stale = {key for key in EXPECTED if "," not in key} - route_keys(app_session)
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"


def test_every_row_has_a_request(surface):
    requests = keyed_calls(surface.app, surface.world)
    assert set(EXPECTED) == set(requests), set(EXPECTED) ^ set(requests)


@pytest.mark.parametrize("row", sorted(EXPECTED))
def test_each_role_gets_the_expected_answer(surface, row):
    wrong = []
    for role, expected in zip(ROLES, EXPECTED[row], strict=True):
        response = surface.request(row, role)
        got = outcome(response)
        response.close()  # a file's response holds it open until closed
        if not agrees(got, expected):
            wrong.append(f"{role}: got {got}, expected {expected}")
    assert not wrong, f"{row}: " + "; ".join(wrong)


def test_another_cohorts_trainer_sees_none_of_her_work_in_his_grid_or_export(surface):
    """She joined cohort B after handing in to cohort A: B's grid and grades export show her
    as having handed in nothing there, as her page in cohort B does (issue 10, lower)."""
    if surface.dirty:
        surface.rebuild()
    world, client = surface.world, surface.client("other_trainer")
    cohort, trainee = world.cohort_b, world.users["trainee"]
    page = client.get(f"/grading/cohorts/{cohort}/trainees/{trainee}/?course=montage-video")
    assert "Handed in" not in page.get_data(as_text=True)
    grid = client.get(f"/grading/cohorts/{cohort}/?course=montage-video")
    assert "to grade" not in grid.get_data(as_text=True)
    export = client.get(f"/grading/cohorts/{cohort}/grades.csv?course=montage-video")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    (hers,) = [row for row in rows if row[1] == world.emails["trainee"]]
    (theirs,) = [row for row in rows if row[1] == world.emails["other_trainee"]]
    assert hers[2:] == theirs[2:], rows[0]
