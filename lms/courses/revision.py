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
from itertools import chain

from sqlalchemy import String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.accounts.models import Cohort, CohortCourse, CohortTrainer
from lms.courses.models import Assignment, Course, Module
from lms.extensions import db, read_rows

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
