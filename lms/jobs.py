"""The job queue (Huey on SQLite, or on Redis with LMS_REDIS_URL) and its one door: after_commit."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from flask import Flask, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from lms.config import PROJECT_ROOT, env_flag
from lms.extensions import db


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
    if _worker_app is None:
        raise RuntimeError("tasks run in `python -m lms.worker`, which binds the application")
    return _worker_app.app_context()


# Session.info keys: work asked for in the open transaction, and work of the one that committed.
_PENDING = "atelier.after_commit.pending"
_COMMITTED = "atelier.after_commit.committed"


def after_commit(work: Callable[..., object], *args: object) -> None:
    """Run work(*args) once the current transaction commits; never if it rolls back.

    The one way services hand work to the queue (a video's job, an e-mail), so that a worker
    never looks for a row that is not committed yet, or that never will be.
    """
    db.session.info.setdefault(_PENDING, []).append((work, args))


@event.listens_for(Session, "after_commit")
def _keep_committed_work(session: Session) -> None:
    if _PENDING in session.info:
        session.info[_COMMITTED] = session.info.pop(_PENDING)


@event.listens_for(Session, "after_transaction_end")
def _run_committed_work(session: Session, transaction: SessionTransaction) -> None:
    """At the end of the outermost transaction: run what it committed, drop what it did not.

    Not in after_commit itself, where the session may not run SQL: in immediate mode (tests,
    the command line without a worker) the task runs here, with the session.
    """
    if transaction.parent is not None:
        return
    session.info.pop(_PENDING, None)
    for work, args in session.info.pop(_COMMITTED, ()):
        work(*args)
