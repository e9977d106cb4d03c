"""Numbers read from URLs, query strings and forms, bounded to what the database can hold."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Identifiers are 64-bit signed integers on PostgreSQL and SQLite: a larger number in a query
# raises OverflowError in the driver, which would be a 500 instead of "not found".
MAX_ID = 2**63 - 1
# Far beyond any list's last page, and small enough that an offset computed from it fits.
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number too large for an identifier does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Replace the `int` converter; done before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter


def query_id(value: str) -> int:
    """`type=` for request.args: an identifier, else ValueError (the argument counts as absent)."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def query_page(value: str) -> int:
    """`type=` for request.args: a page number between 1 and MAX_PAGE."""
    return min(max(int(value), 1), MAX_PAGE)


def fits_id(number: int) -> bool:
    """Whether a number read from a form can be looked up as an identifier."""
    return -MAX_ID - 1 <= number <= MAX_ID
