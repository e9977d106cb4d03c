"""What a transcode produced: its renditions read back with ffprobe, then moved into place."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lms.media.ffmpeg_run import TranscodeError
from lms.media.ladder import PlannedRendition, TranscodeLimits
from lms.media.probe import MediaRejected, ProbeResult, probe_video

POSTER_NAME = "poster.jpg"


@dataclass(frozen=True)
class Rendition:
    """One playable MP4 of the ladder."""

    height: int
    width: int
    path: Path
    size_bytes: int
    bitrate: int | None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


@dataclass(frozen=True)
class TranscodeResult:
    """What a transcode produced, smallest rendition first."""

    renditions: list[Rendition]
    poster: Path
    duration: float
    fast_path: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "renditions": [r.to_dict() for r in self.renditions],
            "poster": str(self.poster),
            "duration": self.duration,
            "fast_path": self.fast_path,
        }


@dataclass(frozen=True)
class CheckedRendition(Rendition):
    """A rendition ffprobe read back, with the duration it found."""

    duration: float = 0.0


def verify_rendition(
    path: Path, plan: PlannedRendition, source: ProbeResult, limits: TranscodeLimits
) -> CheckedRendition:
    """Read an output back: playable, upright, of the planned size, as long as the source."""
    try:
        out = probe_video(path, limits.probe)
    except MediaRejected as exc:
        raise TranscodeError(False, f"{path.name} is not playable: {exc}", "bad_output") from exc
    problems = []
    if out.has_audio != source.has_audio:
        problems.append("audio track " + ("missing" if source.has_audio else "unexpected"))
    if abs(out.duration - source.duration) > limits.duration_tolerance:
        problems.append(f"lasts {out.duration:.2f} s instead of {source.duration:.2f} s")
    if out.rotation != 0 or (out.width, out.height) != (plan.width, plan.height):
        problems.append(f"is {out.width}x{out.height} turned {out.rotation}°")
    if problems:
        raise TranscodeError(False, f"{path.name} " + ", ".join(problems), "bad_output")
    return CheckedRendition(
        out.height, out.width, path, out.size, out.bitrate, duration=out.duration
    )


def verify_poster(path: Path) -> None:
    """The poster must be a JPEG."""
    try:
        with path.open("rb") as poster:
            ok = poster.read(3) == b"\xff\xd8\xff"
    except OSError:
        ok = False
    if not ok:
        raise TranscodeError(False, "no poster frame could be extracted", "bad_output")


def move_into_place(work_dir: Path, out_dir: Path) -> None:
    """Replace out_dir by work_dir at once."""
    # A directory cannot be renamed over a non-empty one: move the old one aside first, so
    # readers see either the old complete ladder or the new one, never a half-written one.
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.{time.monotonic_ns()}.old")
        out_dir.rename(old)
    try:
        work_dir.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
