"""Run `flask --app wsgi …` as a subprocess, as an operator does, against a given installation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_env(folder: Path, **extra: str) -> dict[str, str]:
    """The LMS_* variables of an installation kept wholly inside `folder` (created if missing).

    `courses sync` reads the workshops written for the tests (tests/fixtures/courses). The
    database file does not exist yet: run `db upgrade` first.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "media").mkdir(exist_ok=True)
    env = {
        "LMS_DATABASE_URL": f"sqlite:///{folder / 'atelier.sqlite3'}",
        "LMS_MEDIA_DIR": str(folder / "media"),
        "LMS_SIGNING_KEY_FILE": str(folder / "signing-key.pem"),
        "LMS_HUEY_FILE": str(folder / "huey.sqlite3"),
        "LMS_HUEY_IMMEDIATE": "1",
        "LMS_SECRET_KEY": "cli-test-secret",
        "LMS_COURSES_DIR": str(ROOT / "tests" / "fixtures" / "courses"),
    }
    env.update(extra)
    return env


def flask(
    args: list[str], env: dict[str, str], input: str | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`flask --app wsgi *args` in the project root; the caller's LMS_* variables are not inherited.

    Returns the finished process (text stdout and stderr, exit code); never raises on failure.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=environment,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
