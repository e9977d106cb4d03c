"""A trainee's page for their trainer, and the cohort's due dates: content, forms, permissions."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.courses.models import Assignment, Course, Module
from lms.extensions import db
from lms.submissions import deadlines
from lms.submissions import services as work_services
from lms.submissions.models import CohortDueDate, Submission
from tests.factories import make_user
from tests.grading.test_xss import assert_inert
from tests.submissions.conftest import best_levels, review_form

COURSE = "redaction-contenu"


def say(message: str, **values) -> str:
    """A message as the pages show it by default: in French, really translated."""
    with force_locale("fr"):
        text = gettext(message, **values)
    assert text != message % values if values else text != message
    return text


def trainee_url(cohort, trainee, course: str | None = COURSE) -> str:
    url = f"/grading/cohorts/{cohort.id}/trainees/{trainee.id}/"
    return f"{url}?course={course}" if course else url


def due_dates_url(cohort, course: str = COURSE) -> str:
    return f"/grading/cohorts/{cohort.id}/due-dates/?course={course}"


def _course(slug: str = COURSE) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _row(page: str, title: str) -> str:
    """The table row of an assignment (its title is the row's header)."""
    match = re.search(
        rf"<tr>\s*<th scope=\"row\"[^>]*>(?:(?!</tr>).)*?{re.escape(html.escape(title))}.*?</tr>",
        page,
        re.S,
    )
    assert match, f"no row for {title}"
    return match.group(0)


def _hand_in(trainee, assignment, text="Mon texte"):
    version = work_services.submit_text(trainee, _course(), assignment, text)
    db.session.commit()
    return version.submission


def test_the_page_says_why_a_module_is_not_complete_and_links_to_the_work(
    klass, text_assignment, as_user
):
    submission = _hand_in(klass.trainee, text_assignment)
    client = as_user(klass.trainer)
    response = client.get(trainee_url(klass.cohort, klass.trainee))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    waiting = say("“%(title)s” is waiting for the trainer's grade.", title=text_assignment.title)
    reasons = re.search(
        rf'<section[^>]*aria-labelledby="module-{text_assignment.module_id}".*?</section>',
        page,
        re.S,
    ).group(0)
    assert waiting in html.unescape(reasons)
    assert f'class="cell-waiting">{say("to grade")}<' in reasons  # the grid's status and label
    assert say("What is still missing:") in html.unescape(reasons)
    row = _row(page, text_assignment.title)
    assert f'href="/grading/submissions/{submission.id}"' in row
    assert '<h1><span dir="auto">Fatima Zahra</span>' in page
    assert klass.trainee.email in page
    # The classmate has handed in nothing: no link to a grading page.
    other = client.get(trainee_url(klass.cohort, klass.classmate)).get_data(as_text=True)
    assert "/grading/submissions/" not in other
    assert "Youssef" in other and "Fatima" not in other


def test_the_page_shows_the_status_grade_due_date_and_lateness_of_each_work(
    klass, text_assignment, as_user
):
    yesterday = date.today() - timedelta(days=1)
    deadlines.set_due_date(klass.admin, klass.cohort.id, text_assignment.id, yesterday)
    db.session.commit()
    submission = _hand_in(klass.trainee, text_assignment)
    form = review_form(
        text_assignment, best_levels(text_assignment), version=1, review_lock=0, action="release"
    )
    assert (
        as_user(klass.trainer).post(f"/grading/submissions/{submission.id}", data=form).status_code
        == 302
    )
    page = as_user(klass.trainer).get(trainee_url(klass.cohort, klass.trainee)).text
    row = html.unescape(_row(page, text_assignment.title))
    top = text_assignment.max_points
    assert f"<td>{top}/{top}</td>" in row and f">{say('Graded')}<" in row
    assert yesterday.isoformat() in row and say("set by a trainer") in row
    assert f'class="badge late">{say("late")}<' in row
    # Workshop tabs lead to the same trainee in the cohort's other workshops.
    assert f'href="{trainee_url(klass.cohort, klass.trainee, "montage-video")}"' in page


def test_a_grid_row_links_to_the_trainee_page_and_the_grid_to_the_due_dates(
    klass, text_assignment, as_user
):
    page = as_user(klass.trainer).get(f"/grading/cohorts/{klass.cohort.id}/?course={COURSE}").text
    link = f'<a href="{trainee_url(klass.cohort, klass.trainee)}">Fatima Zahra</a>'
    assert f'<th scope="row" dir="auto">{link}</th>' in page
    assert f'href="{due_dates_url(klass.cohort)}"' in page
    assert as_user(klass.trainer).get(trainee_url(klass.cohort, klass.trainee)).status_code == 200


def test_granting_an_extension_from_the_page_shows_it_and_comes_back(
    klass, text_assignment, as_user
):
    client = as_user(klass.trainer)
    page = client.get(trainee_url(klass.cohort, klass.trainee)).get_data(as_text=True)
    assert f'name="trainee_id" value="{klass.trainee.id}"' in page
    assert f'<option value="{text_assignment.id}"' in page
    until = date.today() + timedelta(days=30)
    response = client.post(
        f"/grading/cohorts/{klass.cohort.id}/extension",
        data={
            "trainee_id": klass.trainee.id,
            "assignment_id": text_assignment.id,
            "until": until.isoformat(),
            "course": COURSE,
        },
    )
    assert response.status_code == 302
    assert response.location.endswith(trainee_url(klass.cohort, klass.trainee))
    page = client.get(response.location).get_data(as_text=True)
    assert say("Extension granted until %(date)s.", date=until.isoformat()) in html.unescape(page)
    row = html.unescape(_row(page, text_assignment.title))
    assert until.isoformat() in row and f">{say('extension')}<" in row
    # Only this trainee's due date moved.
    classmate = client.get(trainee_url(klass.cohort, klass.classmate)).get_data(as_text=True)
    assert until.isoformat() not in _row(classmate, text_assignment.title)


def test_the_extension_form_carries_its_csrf_token(
    klass, text_assignment, as_user, app, monkeypatch
):
    client = as_user(klass.trainer)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # after signing in
    page = client.get(trainee_url(klass.cohort, klass.trainee)).text
    form = re.search(r'<form method="post" action="([^"]+/extension)">(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(2)))
    data = {**fields, "assignment_id": text_assignment.id, "until": "2031-05-06"}
    forged = {k: v for k, v in data.items() if k != "csrf_token"}
    assert client.post(form.group(1), data=forged).status_code == 400
    assert db.session.query(Submission).count() == 0
    response = client.post(form.group(1), data=data)
    assert response.status_code == 302
    assert response.location.endswith(trainee_url(klass.cohort, klass.trainee))
    assert db.session.query(Submission).one().extended_until == date(2031, 5, 6)


def test_a_mistyped_date_says_so_and_changes_nothing(klass, text_assignment, as_user):
    client = as_user(klass.trainer)
    response = client.post(
        f"/grading/cohorts/{klass.cohort.id}/extension",
        data={
            "trainee_id": klass.trainee.id,
            "assignment_id": text_assignment.id,
            "until": "31/12/2030",
            "course": COURSE,
        },
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert f'role="alert"><p>{say("Please give a date as YYYY-MM-DD.")}</p>' in page
    assert f'<option value="{text_assignment.id}" selected>' in page  # the choice is kept
    assert db.session.query(Submission).count() == 0
    response = client.post(
        f"/grading/cohorts/{klass.cohort.id}/due-date",
        data={"assignment_id": text_assignment.id, "due_on": "demain", "course": COURSE},
    )
    assert response.status_code == 400
    assert say("Please give a date as YYYY-MM-DD.") in html.unescape(response.text)
    assert db.session.query(CohortDueDate).count() == 0


def test_setting_a_cohort_due_date_from_the_due_dates_page(klass, text_assignment, as_user):
    client = as_user(klass.trainer)
    page = client.get(due_dates_url(klass.cohort)).get_data(as_text=True)
    offset = text_assignment.due_offset_days
    schedule = (
        (klass.cohort.starts_on + timedelta(days=offset)).isoformat()
        if offset is not None
        else say("no due date")
    )
    row = html.unescape(_row(page, text_assignment.title))
    assert schedule in row and say("a trainer") not in row
    assert say("Set a due date for the whole cohort") in html.unescape(page)
    response = client.post(
        f"/grading/cohorts/{klass.cohort.id}/due-date",
        data={"assignment_id": text_assignment.id, "due_on": "2031-03-04", "course": COURSE},
    )
    assert response.status_code == 302
    assert response.location.endswith(due_dates_url(klass.cohort))
    page = client.get(response.location).get_data(as_text=True)
    assert say("Due date set to %(date)s.", date="2031-03-04") in html.unescape(page)
    row = html.unescape(_row(page, text_assignment.title))
    assert "2031-03-04" in row and say("a trainer") in row
    # Each trainee's page shows the cohort's date.
    page = client.get(trainee_url(klass.cohort, klass.classmate)).get_data(as_text=True)
    assert "2031-03-04" in _row(page, text_assignment.title)


def test_other_cohorts_trainers_and_trainees_are_kept_out(klass, text_assignment, as_user):
    extension = {
        "trainee_id": klass.trainee.id,
        "assignment_id": text_assignment.id,
        "until": "2031-01-01",
        "course": COURSE,
    }
    due = {"assignment_id": text_assignment.id, "due_on": "2031-01-01", "course": COURSE}
    cohort = klass.cohort.id
    stranger = as_user(klass.other_trainer)
    assert stranger.get(trainee_url(klass.cohort, klass.trainee)).status_code == 404
    assert stranger.get(due_dates_url(klass.cohort)).status_code == 404
    assert stranger.post(f"/grading/cohorts/{cohort}/extension", data=extension).status_code == 404
    assert stranger.post(f"/grading/cohorts/{cohort}/due-date", data=due).status_code == 404
    pupil = as_user(klass.trainee)
    assert pupil.get(trainee_url(klass.cohort, klass.trainee)).status_code == 403
    assert pupil.get(due_dates_url(klass.cohort)).status_code == 403
    assert pupil.post(f"/grading/cohorts/{cohort}/extension", data=extension).status_code == 403
    assert pupil.post(f"/grading/cohorts/{cohort}/due-date", data=due).status_code == 403
    assert db.session.query(Submission).count() == 0
    assert db.session.query(CohortDueDate).count() == 0
    # Someone outside the cohort, or no one, is not a trainee of this cohort.
    own = as_user(klass.trainer)
    response = own.get(trainee_url(klass.cohort, klass.outsider))
    assert response.status_code == 404
    assert say("This trainee is not in the cohort.") in html.unescape(response.text)
    assert own.get(trainee_url(klass.cohort, klass.trainer)).status_code == 404
    assert own.get(f"/grading/cohorts/{cohort}/trainees/999999/").status_code == 404
    assert (
        own.post(
            f"/grading/cohorts/{cohort}/extension",
            data={**extension, "trainee_id": klass.outsider.id},
        ).status_code
        == 404
    )
    # An administrator sees every cohort.
    assert as_user(klass.admin).get(trainee_url(klass.cohort, klass.trainee)).status_code == 200


def test_hostile_names_stay_inert(klass, as_user):
    payload = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    hostile = make_user(name=payload)
    accounts.join_cohort(hostile, klass.cohort.code)
    db.session.commit()
    page = as_user(klass.trainer).get(trainee_url(klass.cohort, hostile)).get_data(as_text=True)
    assert_inert(page)
    assert "&lt;script&gt;" in page


def _workshop_size(slug: str) -> tuple[int, int]:
    modules = db.session.scalars(
        select(Module.id).join(Course).where(Course.slug == slug, Module.archived_at.is_(None))
    ).all()
    assignments = db.session.scalars(
        select(Assignment.id).where(
            Assignment.module_id.in_(modules), Assignment.archived_at.is_(None)
        )
    ).all()
    return len(modules), len(assignments)


def test_query_counts_do_not_grow_with_modules_assignments_or_work(klass, as_user, count_queries):
    texts = db.session.scalars(
        select(Assignment)
        .join(Module)
        .join(Course)
        .where(Course.slug == COURSE, Assignment.kind == "text")
        .order_by(Module.position, Assignment.position)
    ).all()
    assert len(texts) >= 2
    sizes = {slug: _workshop_size(slug) for slug in (COURSE, "montage-video")}
    assert sizes[COURSE] != sizes["montage-video"]
    client = as_user(klass.trainer)

    def measure(trainee, slug):
        # URLs first: reading an expired test object's id would be counted as the page's query.
        page_url, dates_url = (
            trainee_url(klass.cohort, trainee, slug),
            due_dates_url(klass.cohort, slug),
        )
        # Workshop outlines are kept until the catalogue changes: count with them read once, as
        # on a running server (the first request reads them: one more query).
        client.get(page_url)
        with count_queries() as page:
            assert client.get(page_url).status_code == 200
        with count_queries() as dates:
            assert client.get(dates_url).status_code == 200
        return len(page), len(dates)

    before = measure(klass.trainee, COURSE)
    other_workshop = measure(klass.trainee, "montage-video")
    for assignment in texts:
        _hand_in(klass.trainee, assignment)
        deadlines.set_due_date(klass.admin, klass.cohort.id, assignment.id, date(2031, 1, 1))
        deadlines.grant_extension(
            klass.admin, klass.cohort.id, klass.trainee.id, assignment.id, date(2031, 2, 1)
        )
    db.session.commit()
    after = measure(klass.trainee, COURSE)
    assert before == other_workshop == after
