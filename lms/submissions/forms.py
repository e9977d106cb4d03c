"""Parsing of the work forms; only the fields a person may set are ever read."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from lms.errors import DomainError
from lms.http import fits_id


def parse_int(value: str | None, default: int | None = None) -> int | None:
    """A whole number typed in a form field; empty gives the default."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise DomainError(_l("The form contains a value that is not a number.")) from exc
    if not fits_id(number):
        raise DomainError(_l("The form contains a number that is too large."))
    return number


def parse_date(value: str | None) -> date:
    """A date typed in a date field (YYYY-MM-DD)."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise DomainError(_l("Please give a date as YYYY-MM-DD.")) from exc


def parse_id(value: str | None) -> int:
    """An identifier chosen in a list."""
    number = parse_int(value)
    if number is None:
        raise DomainError(_l("Please choose an item in the list."))
    return number
