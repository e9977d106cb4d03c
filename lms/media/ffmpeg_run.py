"""Running ffmpeg and ffprobe under resource limits and a timeout, and reading what went wrong."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class TranscodeError(Exception):
    """ffmpeg could not finish; `transient` says whether trying again later may succeed."""

    def __init__(self, transient: bool, message: str, code: str = "failed") -> None:
        super().__init__(message)
        self.transient = transient
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ProcessLimits:
    """Kernel resource limits of one ffmpeg or ffprobe process (None: no limit)."""

    cpu_seconds: int | None = None
    memory_bytes: int | None = None  # address space
    file_bytes: int | None = None  # largest file it may write


def with_limits(command: list[str], limits: ProcessLimits) -> list[str]:
    """`command` prefixed with util-linux's prlimit, which sets the limits and execs it.

    The limits are set by a program of their own rather than by `preexec_fn`, which may
    deadlock when the parent has threads (Huey's thread workers, a threaded web server).
    Since prlimit execs the command, the process we wait for is ffmpeg itself: its exit
    status and the signal that killed it come through unchanged.
    """
    options = []
    for name, value in (
        ("cpu", limits.cpu_seconds),
        ("as", limits.memory_bytes),
        ("fsize", limits.file_bytes),
    ):
        if value is not None:
            options.append(f"--{name}={int(value)}")
    if not options:
        return list(command)
    return ["prlimit", *options, "--", *command]


# The only variables ffmpeg and ffprobe get: a fresh environment rather than a copy, so that
# the secret key, database and SMTP passwords (or an FFREPORT telling ffmpeg to write a log
# file somewhere) never reach a program that parses hostile files.
_PASSED_ON = ("PATH", "TMPDIR")


def limited_env() -> dict[str, str]:
    """The minimal environment of an ffmpeg or ffprobe process."""
    env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
    env.setdefault("PATH", os.defpath)
    # Thread arenas of glibc reserve address space by the tens of megabytes: keep them few so
    # the address-space limit measures what ffmpeg really uses.
    return {**env, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MALLOC_ARENA_MAX": "2"}


def run_ffmpeg(
    command: list[str],
    *,
    limits: ProcessLimits,
    timeout: float,
    cwd: Path | None = None,
    duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Run an ffmpeg argument list (with `-progress pipe:1`) under `limits`, or raise
    TranscodeError; `on_progress` receives percentages of `duration`, at most once a second."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            with_limits(command, limits),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            cwd=cwd,
            start_new_session=True,  # so a timeout can end ffmpeg and anything it started
            env=limited_env(),
        )
        reader = threading.Thread(
            target=_read_progress, args=(process.stdout, duration, on_progress), daemon=True
        )
        reader.start()
        try:
            returncode, cpu_used = _wait(process, timeout)
        except subprocess.TimeoutExpired:
            raise TranscodeError(
                True, f"ffmpeg took longer than {timeout:.0f} s", "timeout"
            ) from None
        finally:
            reader.join(timeout=5)
        if returncode != 0:
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
            raise classify_failure(returncode, stderr, cpu_used, limits.cpu_seconds)


def _wait(process: subprocess.Popen, timeout: float) -> tuple[int, float]:
    """Reap the process within `timeout` (else kill its group) and return its exit code and
    the CPU seconds it used: a CPU ceiling ends in SIGKILL, which only the usage tells apart
    from the kernel's out-of-memory killer."""
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() >= deadline:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            raise subprocess.TimeoutExpired(process.args, timeout)
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    # Popen did not reap it: tell it the outcome so it does not wait again.
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime


_OUT_TIME = re.compile(rb"^out_time_us=(\d+)")


def _read_progress(
    stream: IO[bytes], duration: float | None, on_progress: Callable[[float], None] | None
) -> None:
    last_call = 0.0
    for line in stream:
        match = _OUT_TIME.match(line)
        if not match or on_progress is None or not duration:
            continue
        now = time.monotonic()
        if now - last_call >= 1.0:
            last_call = now
            on_progress(min(99.0, 100.0 * int(match.group(1)) / 1e6 / duration))
    stream.close()


# How running short of address space shows, depending on what was being allocated: shared
# libraries at start-up, thread stacks, frames. The encoders' settings never change, so an
# encoder that cannot open is short of resources rather than fed a bad file.
_OUT_OF_MEMORY = (
    "Cannot allocate memory",
    "Out of memory",
    "malloc of size",
    "failed to map segment",
    "Resource temporarily unavailable",
    "Error while opening encoder",
)


def classify_failure(
    returncode: int, stderr: str, cpu_used: float = 0.0, cpu_limit: int | None = None
) -> TranscodeError:
    """The TranscodeError for a failed run: permanent when the input is at fault."""
    tail = stderr.strip().splitlines()[-1:] or [f"exit {returncode}"]
    # Hitting a CPU or file-size ceiling would happen again on retry: the input is at fault.
    # At the CPU ceiling the kernel sends SIGXCPU, or SIGKILL when soft and hard limits meet.
    if returncode == -signal.SIGXCPU or (
        returncode < 0 and cpu_limit is not None and cpu_used >= cpu_limit - 0.05
    ):
        return TranscodeError(False, "ffmpeg used up its CPU time", "cpu_limit")
    if returncode == -signal.SIGXFSZ:
        return TranscodeError(False, "an output grew past its size limit", "output_too_large")
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return TranscodeError(True, f"ffmpeg was killed by {name}", "killed")
    if "No space left on device" in stderr:
        return TranscodeError(True, "the disk is full", "no_space")
    if any(sign in stderr for sign in _OUT_OF_MEMORY):
        return TranscodeError(True, "ffmpeg ran out of memory", "memory")
    return TranscodeError(False, f"ffmpeg failed: {tail[0]}", "ffmpeg_failed")
