"""Parsing of the work and grading forms; only the fields a person may set are ever read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l

from lms.errors import DomainError
from lms.http import fits_id
from lms.submissions.reviews import ReviewInput

CRITERION_PREFIX = "criterion-"


def _int(value: str | None, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise DomainError(_l("The form contains a value that is not a number.")) from exc
    if not fits_id(number):
        raise DomainError(_l("The form contains a number that is too large."))
    return number


def parse_review(form: Mapping[str, str]) -> ReviewInput:
    """Levels chosen per criterion (criterion-<id> = level id), feedback, and the form's tokens."""
    levels: dict[int, int] = {}
    for key, value in form.items():
        if key.startswith(CRITERION_PREFIX) and value != "":
            criterion_id = _int(key[len(CRITERION_PREFIX) :])
            levels[criterion_id] = _int(value)
    return ReviewInput(
        version_number=_int(form.get("version"), 0),
        review_lock=_int(form.get("review_lock"), 0),
        levels=levels,
        feedback=form.get("feedback", ""),
        reason=form.get("reason", ""),
    )


def parse_date(value: str | None) -> date:
    """A date typed in a date field (YYYY-MM-DD)."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise DomainError(_l("Please give a date as YYYY-MM-DD.")) from exc


def parse_id(value: str | None) -> int:
    """An identifier chosen in a list."""
    number = _int(value)
    if number is None:
        raise DomainError(_l("Please choose an item in the list."))
    return number
