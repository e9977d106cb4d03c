"""Three languages: selection, the remembered switch, right-to-left, complete catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lms.extensions import db
from tests.factories import login, make_user

CATALOGUES = Path(__file__).resolve().parent.parent / "lms" / "translations"


def test_french_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert "Se connecter" in html or "Connexion" in html


def test_the_browser_language_is_used_for_visitors(client):
    html = client.get("/login", headers={"Accept-Language": "ar-MA,ar;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="ar" dir="rtl">' in html


def test_the_switch_is_remembered_for_the_signed_in_user(client, app):
    user = make_user()
    login(client, user)
    response = client.post("/language", data={"language": "ar", "next": "/courses/"})
    assert response.status_code == 302 and response.location.endswith("/courses/")
    db.session.refresh(user)
    assert user.locale == "ar"
    other_device = app.test_client()
    login(other_device, user)
    assert 'dir="rtl"' in other_device.get("/courses/").get_data(as_text=True)


def test_the_switch_never_redirects_off_site(client):
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert response.location.endswith("/courses/")
    assert "evil" not in response.location


def test_an_unknown_language_changes_nothing(client):
    response = client.post("/language", data={"language": "xx", "next": "/login"})
    assert response.status_code == 302
    assert "lang=" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_interface_string_is_translated(language):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert missing == [] and fuzzy == []


def test_the_catalogue_covers_every_string_in_the_code():
    from babel.messages.extract import extract_from_dir

    keywords = {
        "_": None,
        "_l": None,
        "gettext": None,
        "lazy_gettext": None,
        "ngettext": (1, 2),
        "_nl": (1, 2),
        "lazy_ngettext": (1, 2),
    }
    method_map = [("lms/**.py", "python"), ("lms/templates/**.html", "jinja2")]
    root = CATALOGUES.parent.parent
    found = {
        (msg if isinstance(msg, str) else msg[0])
        for _file, _line, msg, _comments, _context in extract_from_dir(
            str(root), method_map=method_map, keywords=keywords
        )
    }
    with open(CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(found - known) == []
