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
