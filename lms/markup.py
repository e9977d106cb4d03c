"""The only place Markdown is rendered and HTML sanitised: render_markdown(text) -> safe HTML."""

from __future__ import annotations

import bleach
import markdown
from markupsafe import Markup

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


def _link_attributes(attrs: dict, new: bool = False) -> dict:
    """Links to other sites open safely and pass no ranking."""
    href = attrs.get((None, "href"), "")
    if href.startswith(("http://", "https://")):
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
    clean = bleach.linkify(clean, callbacks=[_link_attributes], skip_tags={"pre", "code"})
    return Markup(clean)  # noqa: S704 - sanitised just above by an allowlist


def word_count(text: str) -> int:
    """Words in a text, as a reader would count them."""
    return len([w for w in (text or "").split() if any(ch.isalnum() for ch in w)])
