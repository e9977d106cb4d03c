"""Domain exceptions and the handlers that turn every error into a page in the user's language."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.extensions import db, login_manager
from lms.i18n import SIGN_IN_REQUIRED, safe_next

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the domain refuses; carries a message for the user and an HTTP status."""

    status = 400

    def __init__(self, message, status: int | None = None):
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """The thing does not exist, or the user may not know it exists."""

    status = 404


class Forbidden(DomainError):
    """The user is known but may not do this."""

    status = 403


class Conflict(DomainError):
    """The thing changed meanwhile; the user must look again."""

    status = 409


TITLES = {
    400: _l("This request could not be understood"),
    401: _l("Sign in"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This changed meanwhile"),
    413: _l("This file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
MESSAGES = {
    400: _l("Please go back and try again."),
    401: SIGN_IN_REQUIRED,
    403: _l("Your account does not give access to this page."),
    404: _l("The address may be mistyped, or the page was moved."),
    405: _l("Please go back and use the page's buttons."),
    409: _l("Please reload the page and check the latest version."),
    413: _l("The file is larger than allowed. Nothing was saved; choose a smaller file."),
    429: _l("Please wait a few minutes before trying again."),
    500: _l("The error was recorded. Please try again in a moment."),
}
CSRF_MESSAGE = _l(
    "The form expired or was sent from elsewhere. Nothing was changed; please try again."
)


def render_error(status: int, message=None, retry_url: str | None = None):
    """An error page (or JSON for API clients) that never shows a stack trace; `retry_url`
    links back to the form that was refused."""
    if status >= 500:
        db.session.rollback()
    title = str(TITLES.get(status, TITLES[400] if status < 500 else TITLES[500]))
    # Plain strings: Flask-Babel's lazy strings claim to be safe HTML, and a message may carry
    # what the user typed (a code, a name), so it must be escaped like any other text.
    text = str(message or MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500]))
    if _wants_json():
        return jsonify(error=title, message=text), status
    page = render_template(
        "errors/error.html", status=status, title=title, message=text, retry_url=retry_url
    )
    return page, status


def _form_address() -> str | None:
    """Where the refused form can be opened again: this address when it shows the form, else
    the page it was sent from, on this site only."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    return None


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def sign_in_required():
    """A visitor asks for what needs an account: the sign-in page for a browser, 401 for a
    script or a tus client, which would otherwise follow the redirect and receive the sign-in
    page's HTML where it expects JSON or tus headers."""
    if _wants_json() or request.headers.get("Tus-Resumable"):
        return make_response(render_error(401))  # a response: callers may abort() with it
    flash(SIGN_IN_REQUIRED, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def init_app(app: Flask) -> None:
    """Register one handler per kind of error."""

    login_manager.unauthorized_handler(sign_in_required)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(400, CSRF_MESSAGE, _form_address())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
