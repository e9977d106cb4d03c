"""The only place Markdown is rendered and HTML sanitised: render_markdown(text) -> safe HTML."""

from __future__ import annotations

import re
from numbers import Number

import bleach
import markdown
from bleach.linkifier import Linker, build_url_re
from flask_babel import LazyString
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "figure",
    "figcaption",
    "del",
    "sup",
    "sub",
    "abbr",
}
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title"],
    "th": ["align"],
    "td": ["align"],
    "abbr": ["title"],
}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
_EXTENSIONS = ["extra", "sane_lists"]
# Bare addresses with any scheme are recognised whole, so that _link_attributes can refuse
# ftp:, ssh:, data: ... and leave them as text (bleach's default links them).
_URL_RE = build_url_re(protocols=[r"[a-z][a-z0-9+.\-]*"])
# What a browser ignores before the scheme, and the scheme itself.
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _scheme(href: str) -> str | None:
    found = _SCHEME.match(_IGNORED.sub("", href))
    return found.group(1).lower() if found else None


def _link_attributes(attrs: dict, new: bool = False) -> dict | None:
    """Only web, mail and relative links stay links; those to other sites pass no ranking."""
    scheme = _scheme(attrs.get((None, "href"), ""))
    if scheme is not None and scheme not in ALLOWED_PROTOCOLS:
        return None  # bleach keeps the text, without the link
    if scheme in ("http", "https"):
        attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that keeps only an allowlist of tags, attributes and protocols."""
    html = markdown.markdown(text or "", extensions=_EXTENSIONS, output_format="html")
    clean = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    # A Linker per call: bleach's parsers are not safe to share between threads.
    linker = Linker(url_re=_URL_RE, callbacks=[_link_attributes], skip_tags={"pre", "code"})
    clean = linker.linkify(clean)
    return Markup(clean)  # noqa: S704 - sanitised just above by an allowlist


def word_count(text: str) -> int:
    """Words in a text, as a reader would count them."""
    return len([w for w in (text or "").split() if any(ch.isalnum() for ch in w)])


def _lazy_html(self: LazyString) -> Markup:
    """A lazy translation in a page: the catalogue's text as written, each value escaped."""
    values = {
        name: value if isinstance(value, Number) else escape(value)
        for name, value in self._kwargs.items()
    }
    return Markup(self._func(*self._args, **values))  # noqa: S704 - values escaped just above


def escape_lazy_values() -> None:
    """Make lazy translations escape what is interpolated into them when put in a page.

    Flask-Babel's LazyString declares `__html__` as its plain text, so Jinja trusts
    `_l("“%(value)s” is not valid", value=cell)` whole and writes the cell's markup into the page.
    Its `str()` stays plain text for e-mails, CSV files and JSON.
    """
    LazyString.__html__ = _lazy_html
