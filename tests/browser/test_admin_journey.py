"""Journey 3 (administration part) in a real browser: cohort, CSV import, trainer, impact CSV."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from lms.accounts.models import Role
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import PASSWORD, make_user

TRAINEES_CSV = (
    "\ufeffnom;courriel;genre;région\r\n"
    "Fatima Zahra Idrissi;fatima.idrissi@example.ma;f;Marrakech-Safi\r\n"
    "يوسف بنعلي;youssef.benali@example.ma;m;Marrakech-Safi\r\n"
).encode("utf-8")


def test_an_administrator_sets_up_a_cohort_and_reports_impact(
    page: Page, live_server: str, courses, tmp_path: Path
):
    admin = make_user(Role.ADMIN, email="admin@lab.test", locale="en")
    make_user(Role.TRAINER, name="Salma Formatrice", email="salma@lab.test")
    sign_in(page, live_server, admin.email, PASSWORD)

    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Code").fill("SAFI-RURAL-25")
    page.get_by_label("Name").fill("Programme rural de Safi")
    page.get_by_label("Region").select_option("Marrakech-Safi")
    page.get_by_label("Place").fill("Safi")
    page.get_by_label("Start date").fill("2025-04-07")
    page.locator("input[name=courses][value=marketing-digital]").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Create the cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme rural de Safi")

    page.get_by_role("link", name="Import trainees (CSV)").click()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "stagiaires.csv", "mimeType": "text/csv", "buffer": TRAINEES_CSV}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("2 trainees, 2 new accounts")).to_be_visible()
    expect(page.locator("table")).to_contain_text("يوسف بنعلي")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Import these 2 trainees").click()
    expect(page.get_by_role("heading", name="Temporary passwords")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the new accounts (CSV)").click()
    credentials = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "يوسف بنعلي,youssef.benali@example.ma," in credentials
    page.get_by_role("link", name="Back to the cohort").click()

    page.get_by_label("Trainer", exact=True).select_option("salma@lab.test")
    page.get_by_role("button", name="Add the trainer").click()
    expect(page.get_by_text("The trainer now follows SAFI-RURAL-25.")).to_be_visible()
    expect(page.locator("#trainees + table")).to_contain_text("يوسف بنعلي")
    expect(page.locator(".people")).to_contain_text("Salma Formatrice")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Impact dashboard").click()
    expect(page.locator(".counts")).to_contain_text("2 beneficiaries")
    expect(page.locator(".counts")).to_contain_text("50 % women")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV", exact=True).click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "cohort,SAFI-RURAL-25,Programme rural de Safi,2,1,2,50" in data.decode("utf-8-sig")
