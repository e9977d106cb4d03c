"""ffmpeg runs under CPU, memory and file-size ceilings that bite, also from worker threads."""

from __future__ import annotations

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
