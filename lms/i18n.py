"""Languages: which one a request speaks, the switch that remembers it, and right-to-left layout."""

from __future__ import annotations

from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, Flask, flash, has_request_context, redirect, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from lms.extensions import db

LANGUAGES = {"fr": "Français", "ar": "العربية", "en": "English"}
RTL_LANGUAGES = {"ar"}
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "lang"
SIGN_IN_REQUIRED = _l("Please sign in to continue.")

bp = Blueprint("i18n", __name__)


# Parsed once: Flask-Babel takes a Locale as it is, where it would parse a code on every request.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def select_locale() -> Locale:
    """The user's saved choice, else the cookie, else the browser's preference, else French."""
    return _LOCALES[_language_code()]


def _language_code() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE)


def current_language() -> str:
    """The two-letter code of the language this request is rendered in."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def text_direction(language: str | None = None) -> str:
    """'rtl' for Arabic, 'ltr' otherwise."""
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


def pick(values: dict[str, str | None], language: str | None = None) -> str:
    """The value in the current language, falling back to French then to any value."""
    language = language or current_language()
    return (
        values.get(language)
        or values.get(DEFAULT_LANGUAGE)
        or next((v for v in values.values() if v), "")
    )


@bp.post("/language")
def switch_language():
    """Remember the chosen language for the user (and in a cookie for visitors)."""
    choice = request.form.get("language", "")
    target = safe_next(request.form.get("next"))
    if choice not in LANGUAGES:
        flash(_l("This language is not available."), "error")
        return redirect(target)
    if current_user.is_authenticated:
        current_user.locale = choice
        db.session.commit()
    response = redirect(target)
    response.set_cookie(
        LANG_COOKIE,
        choice,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


def safe_next(target: str | None) -> str:
    """Only same-site absolute paths are followed after a form, else the workshops.

    Browsers drop tabs and newlines from a URL, trim spaces and control characters, and read a
    backslash as a slash, so a tab or a backslash between two slashes leads to another site: any
    character outside printable ASCII, a space or a backslash refuses the target outright.
    """
    if (
        target
        and target.isascii()
        and target.isprintable()
        and " " not in target
        and "\\" not in target
        and target.startswith("/")
        and not target.startswith("//")
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("courses.catalogue")


def bound_gettext(translations) -> tuple:
    """Template `gettext` and `ngettext` reading one catalogue, resolved once per render.

    Flask-Babel's template callables look the catalogue up again (request globals, locale) at
    every `_()`, dozens of times a page. These behave like Jinja's new-style ones: the message is
    marked safe only when autoescaping, and values interpolated into it are escaped. They take the
    evaluation context, not the template context, which Jinja copies for every call made inside
    a loop or a block that sets variables.
    """

    @pass_eval_context
    def gettext(eval_ctx, message: str, **variables):
        text = translations.ugettext(message)
        if eval_ctx.autoescape:
            # Our own catalogue's text, trusted as Jinja's i18n extension trusts it.
            text = Markup(text)  # noqa: S704
        # Most messages have no placeholder: formatting them would only copy them.
        return text % variables if "%" in text else text

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704
        return text % variables

    return gettext, ngettext


# (language, catalogue) -> the templates' language helpers; Flask-Babel keeps one catalogue per
# language for the life of the process, so this holds a few entries.
_contexts: dict[tuple[str, int], tuple[object, dict]] = {}


def language_context() -> dict:
    """What templates need of the language: resolved at each render, so that a render under
    force_locale (e-mails) gets its own, and made once per language and catalogue."""
    language = current_language()
    translations = get_translations()
    key = (language, id(translations))
    entry = _contexts.get(key)
    if entry is None or entry[0] is not translations:
        gettext, ngettext = bound_gettext(translations)
        context = {
            "current_language": language,
            "text_direction": text_direction(language),
            "languages": LANGUAGES,
            "pick": pick,
            "gettext": gettext,
            "ngettext": ngettext,
            "_": gettext,
        }
        entry = _contexts[key] = (translations, context)
    return entry[1]


def init_app(app: Flask) -> None:
    """Expose language helpers to templates."""
    app.context_processor(language_context)
