"""Hostile text in submissions, notes, file names, feedback, return reasons and names runs no
script in Chromium: alert, confirm and prompt are replaced before any page script, and stay unused.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from playwright.sync_api import Browser, Page
from sqlalchemy import select

from lms.accounts.models import Role
from lms.courses.models import Assignment, Course, Module
from lms.extensions import db
from lms.grading.reviews import ReviewInput, save_review
from lms.submissions.access import access_submission
from lms.submissions.services import submit_file, submit_text
from tests.browser.conftest import PHONE, sign_in
from tests.factories import PASSWORD, make_cohort, make_user
from tests.grading.test_xss import PAYLOADS

TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + "(" + args.join(",") + ")"); };
}
"""
# Found in the document after parsing: anything that could run script on some later event.
DOM_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (attr.name.startsWith("on")) problems.push(el.tagName + " " + attr.name);
      const url = ["href", "src", "action", "formaction", "data", "background"];
      if (url.includes(attr.name) && /^(javascript|vbscript|data):/.test(value))
        problems.push(el.tagName + " " + attr.name);
    }
    if (el.tagName === "SCRIPT" && !(el.getAttribute("src") || "").startsWith("/static/"))
      problems.push("inline script");
    if (["IFRAME", "OBJECT", "EMBED", "BASE"].includes(el.tagName)) problems.push(el.tagName);
  }
  return problems;
}"""


def assignment(slug: str) -> Assignment:
    return db.session.scalar(select(Assignment).where(Assignment.slug == slug))


def url_of(item: Assignment) -> str:
    return f"/submissions/{item.module.course.slug}/{item.module.slug}/{item.slug}/"


def open_trapped(browser: Browser, base: str, email: str) -> tuple[Page, list[str]]:
    # CSP off: the page's policy would block inline handlers anyway; this test checks that the
    # escaping and the sanitiser alone keep every payload inert.
    context = browser.new_context(viewport=PHONE, locale="fr-FR", base_url=base, bypass_csp=True)
    dialogs: list[str] = []
    page = context.new_page()
    page.add_init_script(TRAP)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base, email, PASSWORD)
    return page, dialogs


def assert_no_script_ran(page: Page, dialogs: list[str], path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path  # the page, not an error
    page.wait_for_load_state("load")  # images that fail to load have fired onerror by now
    page.keyboard.press("Tab")  # autofocus/onfocus payloads
    page.wait_for_timeout(150)
    assert page.evaluate("window.__xss") == [], path
    assert dialogs == [], path
    assert page.evaluate(DOM_PROBLEMS) == [], path


def test_thirty_payloads_through_every_text_field_run_nothing(courses, live_server, browser):
    assert len(PAYLOADS) >= 30
    payload = "\n\n".join(PAYLOADS)
    trainer = make_user(Role.TRAINER, name=PAYLOADS[2] + " formatrice")
    trainee = make_user(name=(PAYLOADS[1] + PAYLOADS[0])[:120])
    classmate = make_user(name=PAYLOADS[12][:120])
    start = date.today() - timedelta(days=1)
    cohort = make_cohort(
        ["redaction-contenu"], trainer=trainer, trainees=[trainee, classmate], starts_on=start
    )
    course = db.session.scalar(select(Course).where(Course.slug == "redaction-contenu"))
    text, paper = assignment("recit"), assignment("plan-publication")

    # Everything is written through the services the pages call: one text handed in twice
    # (returned with a hostile reason, then released with hostile feedback) and one file.
    first = submit_text(trainee, course, text, payload)
    work = access_submission(trainer, first.submission_id)
    save_review(trainer, work, ReviewInput(1, 0, {}, payload, payload), "return")
    submit_text(trainee, course, text, payload + "\n\nv2")
    db.session.commit()
    work = access_submission(trainer, first.submission_id)
    best = {c.id: max(c.levels, key=lambda lvl: lvl.points).id for c in text.criteria}
    save_review(trainer, work, ReviewInput(2, 0, best, payload, ""), "release")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = submit_file(trainee, course, paper, io.BytesIO(pdf), PAYLOADS[1] + ".pdf", payload)
    db.session.commit()
    module = db.session.get(Module, text.module_id)

    page, dialogs = open_trapped(browser, live_server, trainee.email)
    for path in [
        url_of(text),
        url_of(paper),
        "/notifications/",
        f"/courses/redaction-contenu/{module.slug}/",
        "/courses/redaction-contenu/",
    ]:
        assert_no_script_ran(page, dialogs, path)
    page.goto(url_of(text))
    assert "alert(1)" in page.locator("main").inner_text()  # shown to people, as text

    # The editor's live preview puts server-sanitised HTML into the page: same trap.
    other = assignment("article-court")
    page.goto(url_of(other))
    page.fill("textarea#body", payload)
    page.get_by_role("button", name="Aperçu").click()
    page.wait_for_function("document.querySelector('.preview-body').innerHTML.length > 0")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") == [] and dialogs == []
    assert page.evaluate(DOM_PROBLEMS) == []
    page.context.close()

    page, dialogs = open_trapped(browser, live_server, trainer.email)
    for path in [
        f"/grading/submissions/{first.submission_id}",
        f"/grading/submissions/{upload.submission_id}",
        "/grading/?status=all",
        f"/grading/cohorts/{cohort.id}/",
        f"/grading/cohorts/{cohort.id}/trainees/{trainee.id}/?course=redaction-contenu",
        f"/grading/cohorts/{cohort.id}/trainees/{classmate.id}/?course=redaction-contenu",
        f"/grading/cohorts/{cohort.id}/due-dates/?course=redaction-contenu",
        "/grading/cohorts/",
    ]:
        assert_no_script_ran(page, dialogs, path)
    page.context.close()
