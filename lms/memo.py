"""Process-wide memories of values that are costly to make and cheap to keep."""

from __future__ import annotations

from typing import TypeVar

V = TypeVar("V")


def remember(store: dict, key, value: V, limit: int) -> V:
    """Keep `value` under `key` in `store`, emptied first once it holds `limit` entries: some
    keys come from what visitors ask for, and must not make a worker's memory grow without end.
    Threads may share the store: each operation on a dict is atomic."""
    if len(store) >= limit:
        store.clear()
    store[key] = value
    return value
