"""Journeys 3 and 4 in a browser: bulk issue, download, QR code, verification, revocation."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.certificates.verification import check_credential
from lms.extensions import db
from tests.browser.conftest import sign_in
from tests.certificates.conftest import ARABIC_NAME, FRENCH_NAME, complete_modules, course_by_slug
from tests.factories import PASSWORD, make_cohort, make_user


def _qr_payloads(pdf: bytes, tmp_path) -> list[str]:
    """Rasterise the PDF (poppler) and decode its QR codes (zbar)."""
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "certificate.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "page.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return found.stdout.split()


@pytest.mark.skipif(
    not shutil.which("zbarimg") or not shutil.which("pdftoppm"),
    reason="zbar-tools and poppler-utils are installed by make",
)
def test_bulk_issue_download_verify_and_revoke(
    page: Page, live_server, courses, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", live_server)
    admin = make_user("admin", name="Salma Bennani")
    arabic = make_user(name=ARABIC_NAME)
    french = make_user(name=FRENCH_NAME)
    behind = make_user(name="Karim Tazi")
    cohort = make_cohort(["montage-video"], trainees=[arabic, french, behind])
    montage = course_by_slug("montage-video")
    complete_modules(arabic, montage)
    complete_modules(french, montage)
    complete_modules(behind, montage, count=1)

    # The administrator issues in bulk: two eligible trainees, one who is not.
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/admin/cohorts/{cohort.id}/certificates")
    expect(page.locator(f'tr[data-email="{behind.email}"] .reasons li')).to_have_count(4)
    page.locator("#bulk-issue").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("2")
    expect(page.locator(f'tr[data-email="{arabic.email}"] a.code')).to_be_visible()
    expect(page.locator(f'tr[data-email="{french.email}"] a.code')).to_be_visible()
    expect(page.locator(f'tr[data-email="{behind.email}"] a.code')).to_have_count(0)
    expect(page.locator(f'tr[data-email="{behind.email}"] .reasons li')).to_have_count(4)
    page.context.clear_cookies()

    # The Arabic-named trainee downloads her PDF from her page.
    sign_in(page, live_server, arabic.email, PASSWORD)
    page.goto(f"{live_server}/certificates/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").first.click()
    pdf = download_info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert ARABIC_NAME in text
    assert "Atelier vidéo test" in text
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == arabic.id))
    verify_url = f"{live_server}/verify/{certificate.code}"
    assert _qr_payloads(pdf, tmp_path) == [verify_url]

    # The French-named trainee's PDF holds her name in order, accents included.
    french_cert = db.session.scalar(select(Certificate).where(Certificate.user_id == french.id))
    response = page.request.get(f"{live_server}/verify/{french_cert.code}.pdf")
    french_text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert FRENCH_NAME in french_text
    page.context.clear_cookies()

    # Anyone scanning the QR code sees VALID, the name as issued, and no email.
    page.goto(verify_url)
    expect(page.locator(".verdict")).to_have_attribute("data-status", "issued")
    expect(page.locator(".verdict-label")).to_be_visible()
    expect(page.locator("h1.holder bdi")).to_have_text(ARABIC_NAME)
    assert arabic.email not in page.content()
    credential = page.request.get(f"{verify_url}.json").json()
    assert check_credential(credential).ok
    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = ARABIC_NAME.replace("ف", "ق")
    assert not check_credential(tampered).ok

    # The administrator revokes it with a reason; the page now says REVOKED, with the date
    # but not the reason (an administrator's words about a person, issue 10).
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/admin/cohorts/{cohort.id}/certificates")
    row = page.locator(f'tr[data-email="{arabic.email}"]')
    row.locator("details.revoke summary").click()
    row.locator("textarea[name=reason]").fill("Délivré par erreur")
    row.locator("button.danger").click()
    page.wait_for_load_state()
    page.context.clear_cookies()
    page.goto(verify_url)
    expect(page.locator(".verdict")).to_have_attribute("data-status", "revoked")
    expect(page.locator(".verdict")).to_contain_text("révoqué le")
    expect(page.locator(".verdict")).not_to_contain_text("Délivré par erreur")
    db.session.expire_all()
    assert not check_credential(credential).ok
