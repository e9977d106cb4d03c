"""The queue reads page by page (25 rows, oldest first) with filters; the grid says who is where."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.courses.models import Assignment, Course, Module
from lms.extensions import db
from lms.grading.services import PAGE_SIZE
from lms.submissions.services import submit_text
from tests.factories import make_cohort, make_user

ROW = re.compile(r'href="/grading/submissions/(\d+)"')
NAME = "<a [^>]*>{}</a>"  # a grid row's header: the trainee's name, linking to their page


def _text_assignments() -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Module)
            .join(Course)
            .where(Course.slug == "redaction-contenu", Assignment.kind == "text")
            .order_by(Module.position, Assignment.position)
        )
    )


def _hand_in_many(klass, trainees: int) -> list[int]:
    """Each new trainee hands in every text assignment; returns submission ids in hand-in order."""
    course = db.session.scalar(select(Course).where(Course.slug == "redaction-contenu"))
    people = [make_user(name=f"Stagiaire {i:02d}") for i in range(trainees)]
    make_cohort(["redaction-contenu"], trainer=klass.trainer, trainees=people)
    ids = []
    for person in people:
        for assignment in _text_assignments():
            ids.append(submit_text(person, course, assignment, "Mon texte").submission_id)
            db.session.commit()
    return ids


def test_queue_pages_by_25_oldest_first_with_next_and_previous(klass, as_user):
    ids = _hand_in_many(klass, 6)
    assert len(ids) == 30 > PAGE_SIZE
    trainer = as_user(klass.trainer)
    first = trainer.get("/grading/").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(first)] == ids[:PAGE_SIZE]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "<strong>30</strong>" in first  # the count covers every page
    second = trainer.get("/grading/?page=2").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(second)] == ids[PAGE_SIZE:]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert trainer.get("/grading/?page=-3").status_code == 200  # read as page 1


def test_queue_filters_by_module_and_workshop(klass, as_user):
    ids = _hand_in_many(klass, 2)
    module_id = _text_assignments()[1].module_id
    trainer = as_user(klass.trainer)
    page = trainer.get(f"/grading/?module={module_id}").get_data(as_text=True)
    rows = [int(i) for i in ROW.findall(page)]
    assert len(rows) == 2 and set(rows) < set(ids)
    assert ROW.findall(trainer.get("/grading/?course=montage-video").get_data(as_text=True)) == []
    everything = trainer.get("/grading/?course=redaction-contenu").get_data(as_text=True)
    assert len(ROW.findall(everything)) == len(ids)


def test_grid_cells_say_what_each_trainee_is_waiting_for(klass, text_assignment, as_user):
    course = db.session.scalar(select(Course).where(Course.slug == "redaction-contenu"))
    submit_text(klass.trainee, course, text_assignment, "Mon texte")
    db.session.commit()
    trainer = as_user(klass.trainer)
    page = trainer.get(f"/grading/cohorts/{klass.cohort.id}/?course=redaction-contenu")
    html = page.get_data(as_text=True)
    row_of = {
        name: re.search(
            rf"<tr[^>]*>\s*<th[^>]*>{NAME.format(name)}</th>(.*?)</tr>", html, re.S
        ).group(1)
        for name in ("Fatima Zahra", "Youssef")
    }
    assert 'class="cell-waiting"' in row_of["Fatima Zahra"]
    assert "cell-waiting" not in row_of["Youssef"]
    assert row_of["Youssef"].count('class="cell-not_started"') >= 1
    # Handing in is activity; Youssef did nothing and is flagged, in every workshop's grid.
    assert "badge late" not in row_of["Fatima Zahra"] and "badge late" in row_of["Youssef"]
    other = trainer.get(f"/grading/cohorts/{klass.cohort.id}/?course=montage-video")
    fatima = NAME.format("Fatima Zahra")
    assert re.search(rf"<th[^>]*>{fatima}</th>(?:(?!</tr>).)*\d{{4}}-\d\d-\d\d", other.text, re.S)


def test_grades_export_heads_each_assignment_with_its_rubric_maximum(klass, as_user):
    trainer = as_user(klass.trainer)
    response = trainer.get(
        f"/grading/cohorts/{klass.cohort.id}/grades.csv?course=redaction-contenu"
    )
    header = response.data.decode("utf-8-sig").splitlines()[0]
    for assignment in _text_assignments():
        assert f"{assignment.title} (/{assignment.max_points})" in header
        assert assignment.max_points > 0


def test_the_grid_flags_whoever_shows_no_sign_of_life_for_seven_days(klass, as_user):
    """Signing in, handing work in, reading a module: the latest of them is the last activity."""
    from datetime import UTC, datetime, timedelta

    from lms.accounts.models import CohortMember
    from lms.progress.models import ModuleProgress

    now = datetime.now(UTC)
    module = db.session.scalar(
        select(Module).join(Course).where(Course.slug == "redaction-contenu")
    )
    # Fatima signed in 10 days ago but read a module 2 days ago: active, dated by the reading.
    klass.trainee.last_seen_at = now - timedelta(days=10)
    db.session.add(
        ModuleProgress(
            user_id=klass.trainee.id, module_id=module.id, read_at=now - timedelta(days=2)
        )
    )
    # Youssef signed in 9 days ago and did nothing since: inactive, dated by his sign-in.
    klass.classmate.last_seen_at = now - timedelta(days=9)
    newcomer = make_user(name="Nadia")  # never signed in, never worked
    db.session.add(CohortMember(cohort_id=klass.cohort.id, user_id=newcomer.id))
    db.session.commit()
    html = (
        as_user(klass.trainer)
        .get(f"/grading/cohorts/{klass.cohort.id}/?course=redaction-contenu")
        .text
    )

    def row(name: str) -> str:
        return re.search(rf"<tr([^>]*)>\s*<th[^>]*>{NAME.format(name)}</th>(.*?)</tr>", html, re.S)

    fatima, youssef, nadia = row("Fatima Zahra"), row("Youssef"), row("Nadia")
    assert "inactive" not in fatima.group(1)
    assert (now - timedelta(days=2)).date().isoformat() in fatima.group(2)
    assert 'class="inactive"' in youssef.group(1)
    assert (now - timedelta(days=9)).date().isoformat() in youssef.group(2)
    assert 'class="inactive"' in nadia.group(1) and "jamais" in nadia.group(2)
    assert "2 inactifs depuis 7 jours" in html


def test_an_extension_alone_is_not_work_in_the_grid_or_the_export(klass, text_assignment, as_user):
    """Granting an extension makes a row to hold its date; the trainee still has done nothing."""
    from datetime import date

    from lms.submissions.deadlines import grant_extension

    grant_extension(
        klass.admin, klass.cohort.id, klass.classmate.id, text_assignment.id, date(2031, 1, 1)
    )
    db.session.commit()
    trainer = as_user(klass.trainer)
    base = f"/grading/cohorts/{klass.cohort.id}"
    html = trainer.get(f"{base}/?course=redaction-contenu").text
    youssef = re.search(rf"<th[^>]*>{NAME.format('Youssef')}</th>(.*?)</tr>", html, re.S).group(1)
    assert "cell-in_progress" not in youssef and 'class="cell-not_started"' in youssef
    export = trainer.get(f"{base}/grades.csv?course=redaction-contenu").data.decode("utf-8-sig")
    line = next(row for row in export.splitlines() if row.startswith("Youssef"))
    assert "brouillon" not in line
    page = trainer.get(f"{base}/trainees/{klass.classmate.id}/?course=redaction-contenu").text
    assert "2031-01-01" in page  # the extension itself shows where it belongs


def test_each_grid_cell_is_the_status_the_trainees_page_gives(klass, as_user):
    """Every kind of cell, the grid's query and the trainee's page reading the same rules: the
    work most in need of the trainer wins (waiting before returned before any other work), a
    completed module is complete, a read one without graded work to do is complete too."""
    from datetime import UTC, datetime, timedelta

    from lms.progress.models import ModuleProgress
    from lms.submissions.models import Submission

    now = datetime.now(UTC)
    course = db.session.scalar(select(Course).where(Course.slug == "redaction-contenu"))
    modules = [m for m in course.modules if m.archived_at is None]
    with_work = [m for m in modules if any(a.required for a in m.assignments)]
    pair = next(m for m in modules if len(m.assignments) >= 2)
    others = [m for m in with_work if m is not pair]
    assert len(others) >= 3, "the course needs more modules with work for this test"
    fatima = klass.trainee

    def work(assignment, status, touched=True):
        created = now - timedelta(days=3)
        db.session.add(
            Submission(
                user_id=fatima.id,
                assignment_id=assignment.id,
                cohort_id=klass.cohort.id,
                status=status,
                created_at=created,
                updated_at=created + timedelta(hours=1) if touched else created,
            )
        )

    def progress(module, read=False, completed=False):
        db.session.add(
            ModuleProgress(
                user_id=fatima.id,
                module_id=module.id,
                read_at=now if read else None,
                completed_at=now if completed else None,
            )
        )

    expected = dict.fromkeys((m.id for m in modules), "not_started")
    # Returned then handed in again elsewhere in the module: waiting for the trainer.
    work(pair.assignments[0], "returned")
    work(pair.assignments[1], "submitted")
    expected[pair.id] = "waiting"
    work(others[0].assignments[0], "returned")
    expected[others[0].id] = "returned"
    work(others[1].assignments[0], "graded")  # graded but not completed (below the threshold)
    progress(others[1], read=True)
    expected[others[1].id] = "in_progress"
    work(others[2].assignments[0], "draft", touched=False)  # a row for an extension only
    expected[others[2].id] = "not_started"
    if len(others) > 3:
        work(others[3].assignments[0], "graded")
        progress(others[3], read=True, completed=True)
        expected[others[3].id] = "complete"
    for module in modules:
        if not any(a.required for a in module.assignments):
            progress(module, read=True)  # reading is all such a module asks
            expected[module.id] = "complete"
    db.session.commit()

    trainer = as_user(klass.trainer)
    grid = trainer.get(f"/grading/cohorts/{klass.cohort.id}/?course=redaction-contenu").text
    row = re.search(rf"<th[^>]*>{NAME.format('Fatima Zahra')}</th>(.*?)</tr>", grid, re.S)
    assert re.findall(r'class="cell-(\w+)"', row.group(1)) == list(expected.values())
    page = trainer.get(
        f"/grading/cohorts/{klass.cohort.id}/trainees/{fatima.id}/?course=redaction-contenu"
    ).text
    assert re.findall(r'class="cell-(\w+)"', page) == list(expected.values())
