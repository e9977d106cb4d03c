"""The clock: timezone-aware UTC now, for column defaults and every time comparison."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now, used as a callable column default."""
    return datetime.now(UTC)
