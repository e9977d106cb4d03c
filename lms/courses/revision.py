"""The catalogue's revision: a token that changes with every change to workshops, modules,
assignments, or which cohort follows which workshop with which trainers, so that a process may
keep what it read of them until the token changes.

Every flush that adds, changes or deletes one of them writes a new random token in the same
transaction (a counter could come back to an old value after the table is emptied); a reader
compares the token with the one its copy was made under. `courses sync`, run by another process,
changes the token like any other writer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from itertools import chain
from typing import TypeVar

from sqlalchemy import String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.accounts.models import Cohort, CohortCourse, CohortTrainer
from lms.courses.models import Assignment, Course, Module
from lms.extensions import db, read_rows
from lms.memo import remember

T = TypeVar("T")
WATCHED = (Course, Module, Assignment, Cohort, CohortCourse, CohortTrainer)
_CHANGED = "atelier.catalogue_changed"


class CatalogueRevision(db.Model):
    """One row: the token of the catalogue's current revision."""

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


_TOKEN = select(CatalogueRevision.token).where(CatalogueRevision.id == 1)


def catalogue_token() -> str | None:
    """The current revision's token (None until the catalogue is first written)."""
    return read_rows(_TOKEN).scalar()


# What this process read of the catalogue: key -> (token read before the value was, value). A
# value built after reading a token reflects at least that revision, so it is served while the
# catalogue keeps that token; threads of a worker share it, each entry checked on its own.
_cache: dict = {}
CACHE_LIMIT = 4096  # keys include ids a visitor chooses: the dict is emptied past this size


def cached(key, build: Callable[[], T]) -> T:
    """`build()`'s value for this key, read again only when the catalogue's token changed.

    `build` must read nothing but the catalogue's watched tables (and may depend on the key);
    its value is shared between requests and threads, so callers only read it.
    """
    token = catalogue_token()
    if token is None:  # never written through the application: nothing to trust a copy with
        return build()
    entry = _cache.get(key)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = build()
    remember(_cache, key, (token, value), CACHE_LIMIT)
    return value


@event.listens_for(Session, "before_flush")
def _note_catalogue_changes(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_flush")
def _write_new_token(session: Session, _context) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    connection = session.connection()
    token = secrets.token_hex(16)
    changed = connection.execute(
        update(CatalogueRevision).where(CatalogueRevision.id == 1).values(token=token)
    )
    if not changed.rowcount:
        connection.execute(CatalogueRevision.__table__.insert().values(id=1, token=token))
