"""Journeys 1 and 2 together in Chromium: a trainee drafts and hands in a text and a PDF, a
trainer grades with the rubric and returns the text, the trainee revises, the grade is released
and the module completes — while a classmate and another cohort's trainer are refused each step."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfWriter
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.courses.models import Assignment, Module
from lms.extensions import db
from lms.submissions.models import Submission, SubmissionVersion
from tests.browser.conftest import PHONE, axe_violations, sign_in
from tests.factories import PASSWORD, make_cohort, make_user

COURSE, MODULE = "redaction-contenu", "histoire"  # tests/fixtures/courses
TEXT_SLUG, FILE_SLUG = "recit", "plan-publication"


@dataclass
class Actor:
    """A signed-in person with their own browser context (cookies apart from the others)."""

    user: User
    page: Page

    def csrf(self, base: str) -> str:
        """A CSRF token from a page this person may open, to post as a browser form would."""
        self.page.goto(f"{base}/courses/")
        return self.page.locator("input[name=csrf_token]").first.get_attribute("value")


def _actor(browser: Browser, base: str, user: User, contexts: list[BrowserContext]) -> Actor:
    context = browser.new_context(viewport=PHONE, locale="fr-FR", bypass_csp=True, base_url=base)
    contexts.append(context)
    page = context.new_page()
    sign_in(page, base, user.email, PASSWORD)
    return Actor(user, page)


@pytest.fixture
def people(courses, live_server, browser: Browser):
    """A cohort (trainer, trainee, classmate) and another cohort with its own trainer."""
    trainer = make_user(Role.TRAINER, name="Nadia Formatrice")
    trainee = make_user(name="Fatima Zahra")
    classmate = make_user(name="Youssef")
    other_trainer = make_user(Role.TRAINER, name="Omar Autre")
    start = date.today() - timedelta(days=1)
    make_cohort([COURSE], trainer=trainer, trainees=[trainee, classmate], starts_on=start)
    make_cohort([COURSE], trainer=other_trainer, trainees=[make_user()], starts_on=start)
    contexts: list[BrowserContext] = []
    actors = {
        name: _actor(browser, live_server, user, contexts)
        for name, user in [
            ("trainee", trainee),
            ("trainer", trainer),
            ("classmate", classmate),
            ("other_trainer", other_trainer),
        ]
    }
    yield actors
    for context in contexts:
        context.close()


def small_pdf(path: Path) -> Path:
    """A real one-page PDF, made here so that the content check sees a genuine document."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Plan éditorial"})
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def assignment_url(base: str, slug: str) -> str:
    return f"{base}/submissions/{COURSE}/{MODULE}/{slug}/"


def work_of(user: User, slug: str) -> Submission:
    db.session.expire_all()
    return db.session.scalar(
        select(Submission)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .join(Module, Module.id == Assignment.module_id)
        .where(Submission.user_id == user.id, Assignment.slug == slug, Module.slug == MODULE)
    )


def file_version(submission: Submission) -> SubmissionVersion:
    return db.session.scalar(
        select(SubmissionVersion).where(
            SubmissionVersion.submission_id == submission.id,
            SubmissionVersion.stored_name.is_not(None),
        )
    )


def assert_outsiders_refused(
    base: str, people: dict[str, Actor], work: Submission, pdf: SubmissionVersion, secret: str
) -> None:
    """The classmate and the other cohort's trainer see nothing and change nothing."""
    state = (work.status, work.attempts_used, work.lock_version)
    for name, expected_grading in [("classmate", 403), ("other_trainer", 404)]:
        actor = people[name]
        token = actor.csrf(base)
        request = actor.page.request
        # The assignment page shows the visitor's own side, never the trainee's text.
        actor.page.goto(assignment_url(base, TEXT_SLUG))
        assert secret not in actor.page.content(), name
        assert request.get(f"{base}/submissions/files/{pdf.id}").status == 404, name
        assert request.get(f"{base}/grading/submissions/{work.id}").status == expected_grading
        release = request.post(
            f"{base}/grading/submissions/{work.id}",
            form={
                "csrf_token": token,
                "action": "release",
                "version": str(work.current_number),
                "review_lock": "0",
                "feedback": "intrus",
            },
        )
        assert release.status == expected_grading, (name, release.status)
        actor.page.goto(f"{base}/grading/")
        assert "Fatima Zahra" not in actor.page.content(), name
    after = work_of(people["trainee"].user, TEXT_SLUG)
    assert (after.status, after.attempts_used, after.lock_version) == state


def grade(trainer: Page, base: str, submission_id: int, action: str, **texts: str) -> None:
    """Choose the best level of each criterion, write the texts and press the action button."""
    trainer.goto(f"{base}/grading/submissions/{submission_id}")
    for criterion in trainer.locator("fieldset.criterion").all():
        criterion.locator("input[type=radio]").last.check()
    for name, value in texts.items():
        trainer.fill(f"textarea[name={name}]", value)
    trainer.click(f"button[name=action][value={action}]")
    trainer.wait_for_load_state()
    expect(trainer.locator(".flash-success")).to_be_visible()


def test_draft_hand_in_grade_return_resubmit_release_complete(
    people: dict[str, Actor], live_server: str, tmp_path: Path
):
    base = live_server
    trainee, trainer = people["trainee"].page, people["trainer"].page
    first_text = "Il était une fois une coopérative d'argan à Essaouira."

    # The trainee reads the module, then drafts: the editor saves by itself, a reload restores.
    trainee.goto(f"{base}/courses/{COURSE}/{MODULE}/")
    trainee.get_by_role("button", name="Marquer comme lu").click()
    trainee.wait_for_load_state()
    trainee.goto(assignment_url(base, TEXT_SLUG))
    trainee.locator("textarea#body").press_sequentially("Brouillon : " + first_text, delay=5)
    expect(trainee.locator("#editor-status")).to_contain_text("Brouillon enregistré", timeout=10000)
    trainee.reload()
    expect(trainee.locator("textarea#body")).to_have_value("Brouillon : " + first_text)
    assert axe_violations(trainee) == []

    # Hands in the text, then a PDF made here.
    trainee.fill("textarea#body", first_text)
    trainee.click("button[name=action][value=submit]")
    expect(trainee.locator(".flash-success")).to_be_visible()
    expect(trainee.locator("article.version")).to_have_count(1)
    trainee.goto(assignment_url(base, FILE_SLUG))
    trainee.set_input_files("input#file", str(small_pdf(tmp_path / "plan éditorial.pdf")))
    trainee.fill("textarea#note", "Mon plan sur trois mois.")
    trainee.click("button[name=action][value=submit]")
    expect(trainee.locator(".flash-success")).to_be_visible()
    text_work = work_of(people["trainee"].user, TEXT_SLUG)
    file_work = work_of(people["trainee"].user, FILE_SLUG)
    pdf = file_version(file_work)
    assert text_work.status == file_work.status == "submitted"
    assert_outsiders_refused(base, people, text_work, pdf, first_text)

    # The trainer finds both in the queue, downloads the PDF, and returns the text with a reason.
    trainer.goto(f"{base}/grading/")
    expect(trainer.locator("table.queue tbody tr")).to_have_count(2)
    trainer.goto(f"{base}/grading/submissions/{file_work.id}")
    with trainer.expect_download() as download:
        trainer.get_by_role("link", name="Télécharger le fichier").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    trainer.goto(f"{base}/grading/submissions/{text_work.id}")
    expect(trainer.locator(".work-text")).to_contain_text("coopérative d'argan")
    assert axe_violations(trainer) == []
    reason = "Ajoutez une chute : que devient la coopérative ?"
    grade(trainer, base, text_work.id, "return", reason=reason, feedback="Bon début.")
    assert work_of(people["trainee"].user, TEXT_SLUG).status == "returned"
    assert_outsiders_refused(base, people, text_work, pdf, first_text)

    # The trainee reads the reason (no grade shown for a return) and hands in version 2.
    trainee.goto(assignment_url(base, TEXT_SLUG))
    expect(trainee.locator(".review .feedback").first).to_contain_text("Ajoutez une chute")
    expect(trainee.locator("table.rubric-scores")).to_have_count(0)
    second_text = first_text + " Aujourd'hui, elle vend en ligne dans tout le Maroc."
    trainee.fill("textarea#body", second_text)
    trainee.click("button[name=action][value=submit]")
    expect(trainee.locator("article.version")).to_have_count(2)
    text_work = work_of(people["trainee"].user, TEXT_SLUG)
    assert (text_work.status, text_work.current_number) == ("submitted", 2)
    assert_outsiders_refused(base, people, text_work, pdf, second_text)

    # The trainer releases both grades with feedback; the module was read, so it completes.
    feedback = "Très belle **chute**, bravo."
    grade(trainer, base, text_work.id, "release", feedback=feedback)
    grade(trainer, base, file_work.id, "release", feedback="Plan clair.")
    released = work_of(people["trainee"].user, TEXT_SLUG)
    assert released.status == "graded"
    assert_outsiders_refused(base, people, released, pdf, second_text)

    # The trainee sees the grade, the level chosen for each criterion, and the feedback.
    trainee.goto(assignment_url(base, TEXT_SLUG))
    scores = trainee.locator("table.rubric-scores").first
    expect(scores).to_be_visible()
    assignment = db.session.scalar(select(Assignment).where(Assignment.slug == TEXT_SLUG))
    top = assignment.max_points
    expect(trainee.locator("p.total").first).to_contain_text(f"{top}/{top}")
    for criterion in assignment.criteria:
        best = max(criterion.levels, key=lambda level: level.points)
        expect(scores).to_contain_text(best.label)
    expect(trainee.locator(".feedback strong").first).to_have_text("chute")
    assert axe_violations(trainee) == []
    trainee.goto(f"{base}/courses/{COURSE}/")
    row = trainee.locator("ol.modules li").filter(has=trainee.locator(f'a[href$="/{MODULE}/"]'))
    expect(row.locator(".badge.done")).to_have_text("Terminé")
