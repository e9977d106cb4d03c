"""ffmpeg runs under CPU, memory and file-size ceilings that bite, also from worker threads."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lms.media.ffmpeg_run import ProcessLimits, TranscodeError, run_ffmpeg, with_limits
from lms.media.probe import MediaRejected, ProbeLimits, probe_video


def _encode(seconds: int, output: str, *codec: str) -> list[str]:
    return [
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size=1280x720:rate=30:duration={seconds}",
        *codec,
        "-progress",
        "pipe:1",
        output,
    ]


def _failure(command: list[str], limits: ProcessLimits, tmp_path: Path) -> TranscodeError:
    with pytest.raises(TranscodeError) as failed:
        run_ffmpeg(command, limits=limits, timeout=60, cwd=tmp_path)
    return failed.value


def test_limits_are_set_by_prlimit_around_the_bare_command() -> None:
    bare = ["ffmpeg", "-i", "file:x.mp4"]
    limited = with_limits(bare, ProcessLimits(cpu_seconds=5, memory_bytes=1 << 30))
    assert limited == ["prlimit", "--cpu=5", f"--as={1 << 30}", "--", *bare]
    assert with_limits(bare, ProcessLimits()) == bare


def test_the_ceilings_bite_even_when_ffmpeg_runs_in_worker_threads(tmp_path: Path) -> None:
    # Huey runs tasks in threads: the limits must not depend on preexec_fn in the parent.
    cases = {
        "cpu_limit": (
            _encode(120, "-", "-c:v", "libx264", "-preset", "medium", "-f", "null"),
            ProcessLimits(cpu_seconds=1),
        ),
        "output_too_large": (
            _encode(10, str(tmp_path / "raw.nut"), "-c:v", "rawvideo", "-f", "nut"),
            ProcessLimits(file_bytes=2_000_000),
        ),
        "memory": (
            _encode(10, "-", "-c:v", "libx264", "-f", "null"),
            ProcessLimits(memory_bytes=24 << 20),
        ),
    }
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            code: pool.submit(_failure, command, limits, tmp_path)
            for code, (command, limits) in cases.items()
        }
        errors = {code: future.result() for code, future in futures.items()}

    # A CPU or file-size ceiling would be hit again: permanent. Memory may free up: retried.
    assert {code: (e.code, e.transient) for code, e in errors.items()} == {
        "cpu_limit": ("cpu_limit", False),
        "output_too_large": ("output_too_large", False),
        "memory": ("memory", True),
    }
    assert (tmp_path / "raw.nut").stat().st_size <= 2_000_000


def test_a_run_past_its_timeout_is_ended_and_retried_later(tmp_path: Path) -> None:
    with pytest.raises(TranscodeError) as failed:
        run_ffmpeg(
            _encode(120, "-", "-c:v", "libx264", "-f", "null"),
            limits=ProcessLimits(),
            timeout=0.5,
            cwd=tmp_path,
        )
    assert (failed.value.code, failed.value.transient) == ("timeout", True)


def test_ffprobe_runs_under_its_memory_ceiling(clip) -> None:
    assert probe_video(clip("tiny")).width == 320
    with pytest.raises(MediaRejected) as refused:
        probe_video(clip("tiny"), ProbeLimits(memory_bytes=24 << 20))
    assert refused.value.reason == "unreadable"


SECRETS = {
    "LMS_SECRET_KEY": "s3cret-signing-key",
    "LMS_DATABASE_URL": "postgresql://atelier:db-pa55word@db/atelier",
    "LMS_SMTP_URL": "smtp://mail:smtp-pa55word@mail:587",
    "PGPASSWORD": "pg-pa55word",
    "FFREPORT": "file=/tmp/ffreport-leak.log",
}
PASSED_ON = {"PATH", "TMPDIR", "LANG", "LC_ALL", "MALLOC_ARENA_MAX"}


def _environ_of_running(marker: str, deadline: float) -> bytes:
    """The environment of the process whose command line holds `marker`, read from /proc."""
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            try:
                if marker.encode() in (proc / "cmdline").read_bytes():
                    return (proc / "environ").read_bytes()
            except OSError:
                continue
        time.sleep(0.01)
    raise AssertionError("the ffmpeg child was not seen running")


def test_ffmpeg_sees_none_of_the_servers_secrets(monkeypatch, tmp_path: Path) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    marker = f"env-{uuid.uuid4().hex}.mp4"
    # -re reads the source at its own pace: the child lives ~3 s, long enough to look at it.
    command = _encode(3, marker)
    command.insert(command.index("-f"), "-re")
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(
            run_ffmpeg, command, limits=ProcessLimits(cpu_seconds=60), timeout=60, cwd=tmp_path
        )
        environ = _environ_of_running(marker, time.monotonic() + 10)
        running.result()

    variables = dict(entry.split(b"=", 1) for entry in environ.split(b"\0") if entry)
    assert {name.decode() for name in variables} <= PASSED_ON
    assert variables[b"LC_ALL"] == b"C.UTF-8" and b"PATH" in variables
    assert not any(secret.encode() in environ for secret in SECRETS.values())
    assert (tmp_path / marker).is_file()


def test_ffprobe_is_given_the_same_bare_environment(monkeypatch, tmp_path: Path, clip) -> None:
    # A step on PATH in front of the real ffprobe writes down what it was given, then runs it.
    shim = tmp_path / "bin"
    shim.mkdir()
    seen = tmp_path / "ffprobe.env"
    (shim / "ffprobe").write_text(
        f'#!/bin/sh\nenv > "{seen}"\nexec {shutil.which("ffprobe")} "$@"\n'
    )
    (shim / "ffprobe").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}:{os.environ['PATH']}")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)

    assert probe_video(clip("tiny")).width == 320

    written = seen.read_text()
    names = {line.split("=", 1)[0] for line in written.splitlines()}
    # The shell adds PWD (and sometimes SHLVL) of its own.
    assert names - {"PWD", "SHLVL", "_"} <= PASSED_ON
    assert not any(secret in written for secret in SECRETS.values())
