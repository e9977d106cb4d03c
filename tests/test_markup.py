"""The one sanitising Markdown renderer."""

from __future__ import annotations

import pytest

from lms.markup import render_markdown, word_count

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[clic](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![x](javascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<object data="javascript:alert(1)">',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_executable_markup_survives(payload):
    html = str(render_markdown(payload)).lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "ontoggle",
        "onfocus",
        "<object",
        "data:text",
    ):
        assert needle not in html, (payload, html)


def test_ordinary_markdown_is_kept():
    html = str(
        render_markdown(
            "## Titre\n\n- **gras**\n- [lien](https://ofppt.ma)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    assert "<h2>Titre</h2>" in html and "<strong>gras</strong>" in html
    assert 'href="https://ofppt.ma"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert "<table>" in html


def test_word_count_counts_words_not_punctuation():
    assert word_count("Bonjour , le monde ! — ça va ?") == 5


BARE_LINKS = [
    "ftp://files.evil.com/x",
    "ssh://user@host.ma",
    "data://evil.com/x",
    "irc://chat.evil.org",
    "FTP://EVIL.COM/X",
    "javascript://evil.com/%0aalert(1)",
    "file://evil.com/etc/passwd",
]
EXPLICIT_LINKS = [
    "[a](ftp://evil.com/x)",
    "[a](ssh://evil.com)",
    "[a](data:text/plain,hello)",
    "[a](java\tscript:alert(1))",
    "![i](data:image/png;base64,iVBORw0KGgo=)",
    "![i](ftp://evil.com/i.png)",
    '<a href="ftp://evil.com/x">a</a>',
]


@pytest.mark.parametrize("text", BARE_LINKS + EXPLICIT_LINKS)
def test_only_web_mail_and_relative_links_survive(text):
    html = str(render_markdown(text))
    assert "href=" not in html and "src=" not in html, (text, html)


@pytest.mark.parametrize("text", BARE_LINKS)
def test_a_refused_bare_address_stays_whole_as_text(text):
    # Not half-linked: bleach's default would link "evil.com/x" out of "ftp://evil.com/x".
    assert str(render_markdown(text)) == f"<p>{text.replace('&', '&amp;')}</p>"


def test_web_mail_and_relative_links_are_kept():
    html = str(
        render_markdown(
            "HTTPS://OFPPT.MA www.ofppt.ma mailto:contact@ofppt.ma [cours](/courses/) "
            "[m](mailto:a@ofppt.ma) ![logo](https://ofppt.ma/logo.png)"
        )
    )
    assert 'href="HTTPS://OFPPT.MA" rel="nofollow noopener noreferrer"' in html
    assert 'href="http://www.ofppt.ma" rel="nofollow noopener noreferrer"' in html
    assert 'href="mailto:contact@ofppt.ma"' in html and 'href="mailto:a@ofppt.ma"' in html
    assert 'href="/courses/"' in html and 'src="https://ofppt.ma/logo.png"' in html
