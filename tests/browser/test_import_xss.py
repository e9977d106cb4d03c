"""Hostile cells of a CSV file run no script in Chromium on the administrator's import report."""

from __future__ import annotations

from playwright.sync_api import Browser

from lms.accounts.models import Role
from tests.browser.test_grading_xss import DOM_PROBLEMS, open_trapped
from tests.factories import make_cohort, make_user

CELLS = ["<img src=x onerror=alert(1)>", "<b>x</b>", "<svg onload=alert(2)>"]


def test_hostile_cells_in_the_import_report_run_nothing(courses, live_server, browser: Browser):
    admin = make_user(Role.ADMIN)
    cohort = make_cohort(["redaction-contenu"])
    rows = [
        f'Amina,"{CELLS[0]}",f,',
        f"Hind,hind@example.ma,{CELLS[1]},",
        f'Sara,s@example.ma,,"{CELLS[2]}"',
    ]
    data = ("name,email,gender,region\n" + "\n".join(rows) + "\n").encode()

    page, dialogs = open_trapped(browser, live_server, admin.email)
    page.goto(f"/admin/cohorts/{cohort.id}/import")
    page.set_input_files(
        "input[type=file]", {"name": "stagiaires.csv", "mimeType": "text/csv", "buffer": data}
    )
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)
    assert page.evaluate("window.__xss") == [] and dialogs == []
    assert page.evaluate(DOM_PROBLEMS) == []
    report = page.locator("#import-errors")
    assert report.locator("img, b, svg").count() == 0
    text = report.inner_text()
    assert all(cell in text for cell in CELLS)  # shown to the administrator, as text
    page.context.close()
