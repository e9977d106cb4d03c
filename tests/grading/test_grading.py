"""The trainer's side over HTTP: queue, grading page, conflicts, grid, CSV, notifications."""

from __future__ import annotations

import csv
import io

from lms.extensions import db
from lms.notifications.models import Notification, OutboxEmail
from lms.submissions.models import Review, Submission
from tests.factories import make_user
from tests.submissions.conftest import best_levels, page_url, review_form


def _hand_in(as_user, trainee, assignment, text="Mon travail"):
    as_user(trainee).post(page_url(assignment), data={"action": "submit", "body": text})
    return db.session.query(Submission).filter_by(user_id=trainee.id).one()


def test_queue_lists_only_the_trainers_cohorts_oldest_first(klass, text_assignment, as_user):
    first = _hand_in(as_user, klass.trainee, text_assignment)
    _hand_in(as_user, klass.classmate, text_assignment)
    _hand_in(as_user, klass.outsider, text_assignment, "travail de Karim")
    page = as_user(klass.trainer).get("/grading/").get_data(as_text=True)
    assert page.index("Fatima Zahra") < page.index("Youssef")
    assert "Karim" not in page
    assert f"/grading/submissions/{first.id}" in page
    other = as_user(klass.other_trainer).get("/grading/").get_data(as_text=True)
    assert "Karim" in other and "Fatima" not in other
    everyone = as_user(klass.admin).get("/grading/?status=all").get_data(as_text=True)
    assert "Karim" in everyone and "Fatima" in everyone
    filtered = as_user(klass.trainer).get("/grading/?course=montage-video").get_data(as_text=True)
    assert "Fatima" not in filtered


def test_release_shows_grade_to_trainee_only_after_release(klass, text_assignment, as_user):
    submission = _hand_in(as_user, klass.trainee, text_assignment)
    trainer = as_user(klass.trainer)
    form = review_form(
        text_assignment,
        best_levels(text_assignment),
        version=1,
        review_lock=0,
        feedback="Très **clair**",
        action="draft",
    )
    assert trainer.post(f"/grading/submissions/{submission.id}", data=form).status_code == 302
    page = as_user(klass.trainee).get(page_url(text_assignment)).get_data(as_text=True)
    assert "Très" not in page and "Total" not in page
    lock = db.session.query(Review).one().lock_version
    form.update(action="release", review_lock=str(lock))
    assert (
        as_user(klass.trainer).post(f"/grading/submissions/{submission.id}", data=form).status_code
        == 302
    )
    page = as_user(klass.trainee).get(page_url(text_assignment)).get_data(as_text=True)
    top = text_assignment.max_points
    assert f"{top}/{top}" in page and "<strong>clair</strong>" in page
    assert db.session.query(Notification).filter_by(user_id=klass.trainee.id).count() == 1
    notes = as_user(klass.trainee).get("/notifications/").get_data(as_text=True)
    assert page_url(text_assignment) in notes


def test_second_trainer_gets_409_and_keeps_input(klass, text_assignment, as_user):
    submission = _hand_in(as_user, klass.trainee, text_assignment)
    stale = review_form(
        text_assignment,
        {},
        version=1,
        review_lock=0,
        action="draft",
        feedback="Mon avis détaillé que je ne veux pas perdre",
    )
    as_user(klass.admin).post(
        f"/grading/submissions/{submission.id}",
        data=review_form(
            text_assignment,
            {},
            version=1,
            review_lock=0,
            action="draft",
            feedback="avis de l'administrateur",
        ),
    )
    response = as_user(klass.trainer).post(f"/grading/submissions/{submission.id}", data=stale)
    assert response.status_code == 409
    assert "Mon avis détaillé que je ne veux pas perdre" in response.get_data(as_text=True)
    assert db.session.query(Review).one().feedback_md == "avis de l'administrateur"


def test_review_of_resubmitted_work_is_a_conflict(klass, text_assignment, as_user):
    submission = _hand_in(as_user, klass.trainee, text_assignment)
    as_user(klass.trainer).post(
        f"/grading/submissions/{submission.id}",
        data=review_form(
            text_assignment, {}, version=1, review_lock=0, action="return", reason="À revoir"
        ),
    )
    as_user(klass.trainee).post(page_url(text_assignment), data={"action": "submit", "body": "v2"})
    old_form = review_form(
        text_assignment, best_levels(text_assignment), version=1, review_lock=2, action="release"
    )
    response = as_user(klass.trainer).post(f"/grading/submissions/{submission.id}", data=old_form)
    assert response.status_code == 409


def test_grid_and_csv(klass, text_assignment, as_user):
    klass.trainee.name = "فاطمة الزهراء"
    klass.classmate.name = '=HYPERLINK("http://x")'
    db.session.commit()
    submission = _hand_in(as_user, klass.trainee, text_assignment)
    as_user(klass.trainer).post(
        f"/grading/submissions/{submission.id}",
        data=review_form(
            text_assignment,
            best_levels(text_assignment),
            version=1,
            review_lock=0,
            action="release",
        ),
    )
    trainer = as_user(klass.trainer)
    grid = trainer.get(f"/grading/cohorts/{klass.cohort.id}/?course=redaction-contenu")
    assert grid.status_code == 200 and "فاطمة الزهراء" in grid.get_data(as_text=True)
    response = trainer.get(
        f"/grading/cohorts/{klass.cohort.id}/grades.csv?course=redaction-contenu"
    )
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_name = {row[0]: row for row in rows[1:]}
    assert str(text_assignment.max_points) in by_name["فاطمة الزهراء"]
    assert '\'=HYPERLINK("http://x")' in by_name
    assert (
        as_user(klass.other_trainer).get(f"/grading/cohorts/{klass.cohort.id}/").status_code == 404
    )
    assert (
        as_user(klass.other_trainer)
        .get(f"/grading/cohorts/{klass.cohort.id}/grades.csv")
        .status_code
        == 404
    )
    assert as_user(klass.trainee).get(f"/grading/cohorts/{klass.cohort.id}/").status_code == 403


def test_outbox_for_admins_only_and_smtp_errors_are_recorded(klass, app, monkeypatch):
    from lms.notifications.services import send_email

    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://127.0.0.1:1")
    row = send_email("someone@example.test", "Sujet", "Corps")
    db.session.commit()
    db.session.refresh(row)
    assert row.sent_at is None and row.error and row.attempts == 1
    assert db.session.query(OutboxEmail).count() == 1
    from tests.factories import login

    client = app.test_client()
    login(client, klass.trainee)
    assert client.get("/notifications/outbox").status_code == 404
    admin = app.test_client()
    login(admin, make_user("admin"))
    assert "Sujet" in admin.get("/notifications/outbox").get_data(as_text=True)


def _populate(as_user, klass, assignment, count):
    from tests.factories import make_cohort

    trainees = [make_user() for _ in range(count)]
    make_cohort(["redaction-contenu"], trainer=klass.trainer, trainees=trainees)
    for trainee in trainees:
        _hand_in(as_user, trainee, assignment)
    return trainees


def test_query_counts_do_not_grow(klass, text_assignment, as_user, count_queries):
    def measure(trainee):
        from lms.accounts.models import CohortMember

        cohort_id = db.session.query(CohortMember).filter_by(user_id=trainee.id).one().cohort_id
        client = as_user(klass.trainer)
        # Workshop outlines are kept until the catalogue changes: count with them read once.
        client.get("/grading/?status=all")
        client.get(f"/grading/cohorts/{cohort_id}/")
        with count_queries() as queue:
            assert client.get("/grading/?status=all").status_code == 200
        with count_queries() as grid:
            assert client.get(f"/grading/cohorts/{cohort_id}/").status_code == 200
        client = as_user(trainee)
        with count_queries() as workshop:
            assert client.get("/courses/redaction-contenu/").status_code == 200
        module = text_assignment.module
        with count_queries() as module_page:
            assert client.get(f"/courses/redaction-contenu/{module.slug}/").status_code == 200
        with count_queries() as work:
            assert client.get(page_url(text_assignment)).status_code == 200
        return [len(queue), len(grid), len(workshop), len(module_page), len(work)]

    small = _populate(as_user, klass, text_assignment, 2)
    before = measure(small[0])
    large = _populate(as_user, klass, text_assignment, 10)
    after = measure(large[0])
    assert before == after
