"""The catalogue's revision: a token that `sync_courses` changes with the workshops, modules and
assignments, so that a process may keep what it read of them until the token changes.

The token lives in the database, so that a sync run by another process (the command line) is
seen by every worker at its next read. Nothing else writes those tables; a data migration or raw
SQL that does must call bump_catalogue_revision() in its transaction too. Cohorts, their trainers
and the workshops they follow are not the catalogue: nothing keeps them.
"""

from __future__ import annotations

import secrets

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class CatalogueRevision(db.Model):
    """One row: the token of the catalogue's current revision."""

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


_TOKEN = select(CatalogueRevision.token).where(CatalogueRevision.id == 1)
# The token as a column of another query's rows: read with them, in the same statement.
TOKEN_COLUMN = _TOKEN.scalar_subquery().label("catalogue_token")


def catalogue_token() -> str | None:
    """The current revision's token (None until the catalogue is first synced)."""
    return db.session.execute(_TOKEN).scalar()


def bump_catalogue_revision() -> None:
    """A new token, written in the caller's transaction: copies of the catalogue made under the
    old one are read again once it commits. Random, not a counter, which could come back to an
    old value after the table is emptied."""
    revision = db.session.get(CatalogueRevision, 1)
    if revision is None:
        db.session.add(CatalogueRevision(id=1, token=secrets.token_hex(16)))
    else:
        revision.token = secrets.token_hex(16)
