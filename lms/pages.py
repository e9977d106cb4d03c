"""Pages that belong to no domain: the home redirect, the health check, the layout's links."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text

from lms.extensions import db
from lms.memo import remember

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """Signed-in users land on their workshops, visitors on the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    return redirect(url_for("accounts.login"))


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}


# The links every page's layout carries: name -> (endpoint, values).
LAYOUT_LINKS = {
    "stylesheet": ("static", {"filename": "app.css"}),
    "icon": ("static", {"filename": "favicon.svg"}),
    "home": ("pages.home", {}),
    "workshops": ("courses.catalogue", {}),
    "grading": ("grading.queue", {}),
    "administration": ("admin.index", {}),
    "certificates": ("certificates.mine", {}),
    "account": ("accounts.account", {}),
    "sign_out": ("accounts.logout", {}),
    "language": ("i18n.switch_language", {}),
}
_layout_urls: dict[str, dict[str, str]] = {}


def layout_urls() -> dict[str, str]:
    """The layout's links, built once per mount point: they never change, and building a
    dozen URLs on every page cost as much as the rest of the layout."""
    root = request.script_root
    urls = _layout_urls.get(root)
    if urls is None:
        urls = _layout_urls[root] = {
            name: url_for(endpoint, **values) for name, (endpoint, values) in LAYOUT_LINKS.items()
        }
    return urls


# (mount point, blueprint, endpoint, values) -> the relative URL templates asked for.
_built_urls: dict[tuple, str] = {}
_BUILT_URLS_KEPT = 4096
_KEY_TYPES = (str, int)


def template_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates, remembering the relative URLs it built.

    A relative URL depends only on the mount point, the endpoint (a ".name" one on the current
    blueprint) and the values, and Werkzeug takes ~10 µs to build one: a page asks for the same
    few on every view. Only text and integer values make keys (True == 1 would mix two URLs);
    anything else (an external URL, an anchor, a list of values) is built as usual.
    """
    if any(name.startswith("_") or type(v) not in _KEY_TYPES for name, v in values.items()):
        return url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint.startswith(".") else None
    key = (request.script_root, blueprint, endpoint, *sorted(values.items()))
    url = _built_urls.get(key)
    if url is None:
        url = remember(_built_urls, key, url_for(endpoint, **values), _BUILT_URLS_KEPT)
    return url


def init_app(app: Flask) -> None:
    """Give templates the layout's links, and URLs built once."""
    app.context_processor(lambda: {"links": layout_urls()})
    app.jinja_env.globals["url_for"] = template_url_for
