"""Where sign-in and the language switch send people next: never to another site."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.factories import PASSWORD, make_user

# What a browser turns into a link to another site, as a `next` value would carry them.
NASTY = [
    "/\t/evil.example",
    "\t//evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    " //evil.example",
    "/ /evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/\x00/evil.example",
    "/\u3000/evil.example",
    "/\x0b/evil.example",
    "evil.example",
    "",
]


def _lands_on_this_site(location: str) -> bool:
    # How a browser reads the header: tabs and newlines gone, backslashes as slashes.
    read = "".join(c for c in location if c not in "\t\n\r").strip().replace("\\", "/")
    parts = urlsplit(read)
    return not parts.scheme and not parts.netloc and read.startswith("/")


@pytest.mark.parametrize("target", NASTY)
def test_sign_in_never_sends_to_another_site(client, app, target):
    user = make_user()
    response = client.post(
        f"/login?next={quote(target, safe='')}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _lands_on_this_site(response.headers["Location"]), response.headers["Location"]
    assert response.headers["Location"].endswith("/courses/")


def test_the_reported_address_goes_to_the_workshops(client, app):
    user = make_user()
    response = client.post(
        "/login?next=/%09/evil.example", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/courses/"


@pytest.mark.parametrize("target", NASTY)
def test_the_language_switch_never_sends_to_another_site(client, app, target):
    response = client.post("/language", data={"language": "ar", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/", repr(target)


@pytest.mark.parametrize("target", ["/%5Cevil.example", "/%2F/evil.example", "/%09/evil"])
def test_encoded_characters_stay_part_of_a_path(client, app, target):
    """Kept as written, they are a path on this site: the browser does not decode them."""
    response = client.post("/language", data={"language": "fr", "next": target})
    assert response.headers["Location"] == target
    assert _lands_on_this_site(response.headers["Location"])


def test_a_path_on_this_site_is_followed(client, app):
    user = make_user()
    response = client.post(
        "/login?next=/account%3Ftab%3D1", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account?tab=1"
