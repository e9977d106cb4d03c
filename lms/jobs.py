"""The background job queue: Huey on SQLite by default, on Redis when LMS_REDIS_URL is set."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from flask import Flask, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from lms.config import PROJECT_ROOT, env_flag


def build_huey() -> Huey:
    """Choose the storage once, at import, because SqliteHuey creates its file when built."""
    if env_flag("LMS_HUEY_IMMEDIATE"):
        return MemoryHuey("atelier", immediate=True)
    redis_url = os.environ.get("LMS_REDIS_URL")
    if redis_url:
        return RedisHuey("atelier", url=redis_url)
    path = Path(os.environ.get("LMS_HUEY_FILE", PROJECT_ROOT / "instance" / "huey.sqlite3"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("atelier", filename=str(path))


huey = build_huey()
_worker_app: Flask | None = None


def bind_worker_app(app: Flask) -> None:
    """Remember the application that tasks run in when they run in a worker process."""
    global _worker_app
    _worker_app = app


def task_context() -> AbstractContextManager:
    """An application context for a task: the caller's (immediate mode) or the worker's."""
    if has_app_context():
        return nullcontext()
    global _worker_app
    if _worker_app is None:
        from lms import create_app

        _worker_app = create_app()
    return _worker_app.app_context()
