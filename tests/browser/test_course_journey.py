"""Journey 1 (first part) in a real browser on a phone: sign in, open a workshop, read, progress."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, axe_violations, sign_in
from tests.factories import PASSWORD, make_cohort, make_user


def page_weight(page: Page, url: str) -> int:
    """Bytes of everything a first visit to url downloads (empty cache, same session)."""
    context = page.context.browser.new_context(
        storage_state=page.context.storage_state(), viewport=PHONE
    )
    sizes: dict[str, int] = {}
    fresh = context.new_page()
    fresh.on(
        "requestfinished",
        lambda r: sizes.__setitem__(
            r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
        ),
    )
    fresh.goto(url)
    fresh.wait_for_load_state("networkidle")
    context.close()
    assert len(sizes) >= 2, sizes  # the page and at least its stylesheet
    return sum(sizes.values())


def translated(language: str, text: str) -> str:
    """The interface text in a language, as the catalogue has it (never the English msgid)."""
    with force_locale(language):
        result = gettext(text)
    assert result != text, f"{text!r} is not translated into {language}"
    return result


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_trainee_follows_a_workshop_on_a_phone(page: Page, live_server, courses, language):
    trainee = make_user(
        name="فاطمة الزهراء" if language == "ar" else "Fatima Zahra", locale=language
    )
    make_cohort(["montage-video", "marketing-digital"], trainees=[trainee])
    texts = {
        "workshops": translated(language, "My workshops"),
        "mark": translated(language, "Mark as read"),
    }
    sign_in(page, live_server, trainee.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["workshops"])
    assert axe_violations(page) == []

    workshop = "Atelier vidéo test" if language != "ar" else "ورشة الفيديو التجريبية"
    page.get_by_role("link", name=workshop).click()
    expect(page.locator("progress#course-progress")).to_have_attribute("value", "0")
    assert axe_violations(page) == []

    page.locator("ol.modules a").first.click()
    expect(page.locator("article.lesson h2").first).to_be_visible()
    assert axe_violations(page) == []
    assert page_weight(page, page.url) < 60 * 1024

    page.get_by_role("button", name=texts["mark"]).click()
    progress = page.locator("progress#course-progress")
    expect(progress).not_to_have_attribute("value", "0")
    assert int(progress.get_attribute("value")) > 0
    expect(page.locator("ol.modules li").first.locator(".badge")).to_be_visible()
    page.goto(f"{live_server}/courses/")
    expect(page.locator("progress").first).not_to_have_attribute("value", "0")


def test_language_switch_is_remembered_and_mirrors_the_layout(page: Page, live_server, courses):
    trainee = make_user()
    make_cohort(["redaction-contenu"], trainees=[trainee])
    sign_in(page, live_server, trainee.email, PASSWORD)
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    nav_box = page.locator("header.top .brand").bounding_box()
    assert nav_box["x"] > 360 / 2  # the brand moved to the right edge
    page.context.clear_cookies()
    sign_in(page, live_server, trainee.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
