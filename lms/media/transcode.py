"""One ffmpeg pass from an accepted upload to the 3G rendition ladder, a poster and checks."""

from __future__ import annotations

import itertools
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import ffmpeg

from lms.media.probe import (
    FORMAT_WHITELIST,
    PROTOCOL_WHITELIST,
    MediaRejected,
    ProbeLimits,
    ProbeResult,
    probe_video,
)


@dataclass(frozen=True)
class Rung:
    """A rendition size by its short side, with the bitrate cap that keeps it light on 3G."""

    short_side: int
    maxrate: int


LADDER = (Rung(240, 300_000), Rung(360, 600_000), Rung(720, 1_800_000))


@dataclass(frozen=True)
class TranscodeLimits:
    """Encoding settings and the resources one transcode may use."""

    ladder: tuple[Rung, ...] = LADDER
    preset: str = "veryfast"
    crf: int = 23
    max_fps: float = 30
    keyframe_seconds: float = 2
    audio_bitrate: int = 96_000
    poster_width: int = 720
    memory_bytes: int = 3 << 30  # address space: three x264 encoders at 720p fit well inside
    base_timeout: float = 60
    timeout_per_second: float = 10  # wall-clock seconds allowed per second of video
    duration_tolerance: float = 0.5
    allow_fast_path: bool = True
    probe: ProbeLimits = field(default_factory=ProbeLimits)

    def timeout(self, duration: float) -> float:
        return self.base_timeout + self.timeout_per_second * duration


@dataclass(frozen=True)
class PlannedRendition:
    """One output of the ladder, before it exists."""

    width: int
    height: int
    maxrate: int
    copy: bool  # remuxed from the source instead of encoded

    @property
    def name(self) -> str:
        return f"{min(self.width, self.height)}p.mp4"


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


class TranscodeError(Exception):
    """ffmpeg could not finish; `transient` says whether trying again later may succeed."""

    def __init__(self, transient: bool, message: str, code: str = "failed") -> None:
        super().__init__(message)
        self.transient = transient
        self.message = message
        self.code = code


POSTER_NAME = "poster.jpg"


def plan_renditions(
    probe: ProbeResult, limits: TranscodeLimits = TranscodeLimits()
) -> tuple[list[PlannedRendition], bool]:
    """The renditions to write for this source, and whether the fast path applies."""
    short = min(probe.width, probe.height)
    if limits.allow_fast_path and _fits_fast_path(probe, limits):
        # The source already is a light H.264 rendition: remux it; a source of 360p or less
        # is already within the 3G budget, so it needs no smaller sibling.
        top = PlannedRendition(probe.width, probe.height, _cap_for(short, limits), copy=True)
        lower = [r for r in limits.ladder if r.short_side < short] if short > 360 else []
        return [*(_scaled(probe, r) for r in lower), top], True
    rungs = [r for r in limits.ladder if r.short_side <= short]
    if not rungs:
        # Smaller than the smallest rung: keep its size rather than upscale.
        rungs = [Rung(_even(short), limits.ladder[0].maxrate)]
    return [_scaled(probe, r) for r in rungs], False


def _fits_fast_path(probe: ProbeResult, limits: TranscodeLimits) -> bool:
    short, long = sorted((probe.width, probe.height))
    video_bitrate = probe.video_bitrate or (
        probe.bitrate - (probe.audio_bitrate or 0) if probe.bitrate else None
    )
    return (
        probe.video_codec == "h264"
        and probe.pix_fmt == "yuv420p"
        and probe.bit_depth == 8
        and probe.rotation == 0
        and (probe.width, probe.height) == (probe.coded_width, probe.coded_height)
        and probe.width % 2 == 0
        and probe.height % 2 == 0
        and short <= 720
        and long <= 1280
        and probe.fps <= limits.max_fps + 0.5
        and (probe.audio_codec is None or (probe.audio_codec == "aac" and _stereo_at_most(probe)))
        and video_bitrate is not None
        and video_bitrate <= _cap_for(short, limits)
    )


def _stereo_at_most(probe: ProbeResult) -> bool:
    return probe.audio_channels is not None and probe.audio_channels <= 2


def _cap_for(short: int, limits: TranscodeLimits) -> int:
    """Bitrate cap for a short side, interpolated between the rungs of the ladder."""
    rungs = limits.ladder
    if short <= rungs[0].short_side:
        return rungs[0].maxrate
    for low, high in itertools.pairwise(rungs):
        if short <= high.short_side:
            share = (short - low.short_side) / (high.short_side - low.short_side)
            return round(low.maxrate + share * (high.maxrate - low.maxrate))
    return rungs[-1].maxrate


def _scaled(probe: ProbeResult, rung: Rung) -> PlannedRendition:
    short, long = sorted((probe.width, probe.height))
    side = min(_even(rung.short_side), _even(short))
    other = _even(round(long * side / short))
    width, height = (other, side) if probe.width >= probe.height else (side, other)
    return PlannedRendition(width, height, rung.maxrate, copy=False)


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def _input(src: Path, limits: TranscodeLimits, **options: Any) -> Any:
    return ffmpeg.input(
        f"file:{Path(src).resolve()}",
        protocol_whitelist=PROTOCOL_WHITELIST,
        format_whitelist=FORMAT_WHITELIST,
        probesize=limits.probe.probesize,
        analyzeduration=limits.probe.analyzeduration,
        max_pixels=limits.probe.max_pixels,
        **options,
    )


def build_ladder_command(
    src: Path, work_dir: Path, probe: ProbeResult, limits: TranscodeLimits = TranscodeLimits()
) -> list[str]:
    """The single ffmpeg argument list writing every rendition into work_dir.

    The poster comes out of the same decode whenever something is encoded; a plain remux
    decodes nothing, and then build_poster_command makes the poster.
    """
    plans, _ = plan_renditions(probe, limits)
    source = _input(src, limits)
    original = source[str(probe.video_stream)]
    audio = source[str(probe.audio_stream)] if probe.audio_stream is not None else None
    outputs = []

    encoded = [p for p in plans if not p.copy]
    if encoded:
        video = original
        if probe.fps > limits.max_fps + 0.5:
            video = video.filter("fps", limits.max_fps)
        videos, still = _cascade(video, encoded)
        # Downmix once, then each MP4 needs its own AAC encoder: ffmpeg cannot share one.
        audios = (
            _split(audio.filter("aformat", channel_layouts="stereo"), "asplit", len(encoded))
            if audio is not None
            else [None] * len(encoded)
        )
        gop = max(1, round(min(probe.fps, limits.max_fps) * limits.keyframe_seconds))
        for plan, picture, sound in zip(encoded, videos, audios, strict=True):
            streams = [picture] if sound is None else [picture, sound]
            options = {
                "c:v": "libx264",
                "preset": limits.preset,
                "crf": limits.crf,
                "maxrate": plan.maxrate,
                "bufsize": 2 * plan.maxrate,
                "profile:v": "high",
                "g": gop,
                "keyint_min": gop,
                "sc_threshold": 0,
                "force_key_frames": f"expr:gte(t,n_forced*{limits.keyframe_seconds:g})",
                # Passing timestamps through: a variable-frame-rate phone clip must not be
                # padded with duplicated frames to some nominal rate.
                "fps_mode": "vfr",
                **_audio_options(sound is not None, limits),
            }
            outputs.append(_mp4(streams, work_dir / plan.name, options))
        # Both trims end the branch once its frame is out, so split stops feeding it.
        first_after = still.filter("trim", start=f"{_poster_time(probe):.3f}")
        outputs.append(_poster(first_after.filter("trim", end_frame=1), work_dir, probe, limits))

    for plan in plans:
        if plan.copy:
            streams = [original] if audio is None else [original, audio]
            outputs.append(_mp4(streams, work_dir / plan.name, {"c": "copy"}))
    return _compile(outputs)


def _cascade(video: Any, encoded: list[PlannedRendition]) -> tuple[list[Any], Any]:
    """Scale the largest rendition from the source and each smaller one from the next larger:
    the small scalers read a small picture, and a 10-bit source is made 8-bit only once."""
    pictures: dict[int, Any] = {}
    current = video
    largest_first = sorted(range(len(encoded)), key=lambda i: -encoded[i].height * encoded[i].width)
    for rank, index in enumerate(largest_first):
        plan = encoded[index]
        scaled = (
            current.filter("scale", plan.width, plan.height)
            .filter("setsar", 1)
            .filter("format", "yuv420p")
        )
        smaller_follow = rank < len(largest_first) - 1
        # The largest rendition also feeds the poster.
        parts = _split(scaled, "split", 1 + smaller_follow + (rank == 0))
        pictures[index] = parts[0]
        if rank == 0:
            still = parts[-1]
        if smaller_follow:
            current = parts[1]
    return [pictures[i] for i in range(len(encoded))], still


def build_poster_command(
    src: Path, work_dir: Path, probe: ProbeResult, limits: TranscodeLimits = TranscodeLimits()
) -> list[str]:
    """A command writing only the poster: seeks, decodes about one GOP, stops at one frame."""
    source = _input(src, limits, ss=f"{_poster_time(probe):.3f}")
    return _compile([_poster(source[str(probe.video_stream)], work_dir, probe, limits)])


def _poster_time(probe: ProbeResult) -> float:
    return probe.duration * 0.1


def _poster(stream: Any, work_dir: Path, probe: ProbeResult, limits: TranscodeLimits) -> Any:
    width = min(limits.poster_width, _even(probe.width))
    height = _even(round(probe.height * width / probe.width))
    return ffmpeg.output(
        stream.filter("scale", width, height).filter("setsar", 1),
        f"file:{work_dir / POSTER_NAME}",
        format="image2",
        update=1,
        **{"frames:v": 1, "q:v": 4, "map_metadata": -1},
    )


def _compile(outputs: list[Any]) -> list[str]:
    graph = ffmpeg.merge_outputs(*outputs).global_args(
        "-nostdin", "-hide_banner", "-nostats", "-v", "error", "-progress", "pipe:1", "-n"
    )
    return ffmpeg.compile(graph, cmd="ffmpeg")


def _split(stream: Any, name: str, count: int) -> list[Any]:
    if count == 1:
        return [stream]
    node = stream.filter_multi_output(name, count)
    return [node.stream(i) for i in range(count)]


def _audio_options(has_audio: bool, limits: TranscodeLimits) -> dict[str, Any]:
    if not has_audio:
        return {}
    return {"c:a": "aac", "b:a": limits.audio_bitrate, "ac": 2}


def _mp4(streams: list[Any], path: Path, options: dict[str, Any]) -> Any:
    # No metadata travels to the renditions: phone clips carry GPS positions and device names.
    return ffmpeg.output(
        *streams,
        f"file:{path}",
        format="mp4",
        movflags="+faststart",
        map_metadata=-1,
        map_chapters=-1,
        **options,
    )


def transcode_video(
    src: Path,
    out_dir: Path,
    probe: ProbeResult,
    *,
    on_progress: Callable[[float], None] | None = None,
    limits: TranscodeLimits = TranscodeLimits(),
) -> TranscodeResult:
    """Write the ladder and poster of `src` into `out_dir` (replaced), all or nothing."""
    src, out_dir = Path(src), Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work_dir = Path(
            tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent)
        )
    except OSError as exc:
        raise TranscodeError(True, f"cannot create a work folder: {exc}", "storage") from exc
    try:
        plans, fast_path = plan_renditions(probe, limits)
        _run_ffmpeg(
            build_ladder_command(src, work_dir, probe, limits), work_dir, probe, limits, on_progress
        )
        if all(plan.copy for plan in plans):
            _run_ffmpeg(build_poster_command(src, work_dir, probe, limits), work_dir, probe, limits)
        renditions = [_verify(work_dir / p.name, p, probe, limits) for p in plans]
        _verify_poster(work_dir / POSTER_NAME)
        _move_into_place(work_dir, out_dir)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    if on_progress is not None:
        on_progress(100.0)
    return TranscodeResult(
        renditions=[
            Rendition(r.height, r.width, out_dir / r.path.name, r.size_bytes, r.bitrate)
            for r in renditions
        ],
        poster=out_dir / POSTER_NAME,
        duration=renditions[-1].duration if renditions else probe.duration,
        fast_path=fast_path,
    )


@dataclass(frozen=True)
class _Checked(Rendition):
    duration: float = 0.0


def _verify(
    path: Path, plan: PlannedRendition, source: ProbeResult, limits: TranscodeLimits
) -> _Checked:
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
    return _Checked(out.height, out.width, path, out.size, out.bitrate, duration=out.duration)


def _verify_poster(path: Path) -> None:
    try:
        with path.open("rb") as poster:
            ok = poster.read(3) == b"\xff\xd8\xff"
    except OSError:
        ok = False
    if not ok:
        raise TranscodeError(False, "no poster frame could be extracted", "bad_output")


def _move_into_place(work_dir: Path, out_dir: Path) -> None:
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


def _resource_limits(probe: ProbeResult, limits: TranscodeLimits) -> Callable[[], None]:
    wall = limits.timeout(probe.duration)
    cpu_seconds = math.ceil(wall * (os.cpu_count() or 1))
    top_rate = max(r.maxrate for r in limits.ladder) + limits.audio_bitrate
    # Per output file: a remux is about the source's size, an encode stays under its cap.
    file_bytes = math.ceil(max(probe.size * 1.2, top_rate * probe.duration / 8 * 1.5)) + (32 << 20)

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))

    return apply


_OUT_TIME = re.compile(rb"^out_time_us=(\d+)")


def _run_ffmpeg(
    command: list[str],
    work_dir: Path,
    probe: ProbeResult,
    limits: TranscodeLimits,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    timeout = limits.timeout(probe.duration)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            cwd=work_dir,
            start_new_session=True,  # so a timeout can end ffmpeg and anything it started
            preexec_fn=_resource_limits(probe, limits),
            env={**os.environ, "MALLOC_ARENA_MAX": "2"},  # thread arenas eat address space
        )
        reader = threading.Thread(
            target=_read_progress, args=(process.stdout, probe.duration, on_progress), daemon=True
        )
        reader.start()
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise TranscodeError(
                True, f"ffmpeg took longer than {timeout:.0f} s", "timeout"
            ) from None
        finally:
            reader.join(timeout=5)
        if returncode != 0:
            errors.seek(0)
            raise _classify(returncode, errors.read().decode("utf-8", "replace"))


def _read_progress(
    stream: IO[bytes], duration: float, on_progress: Callable[[float], None] | None
) -> None:
    last_call = 0.0
    for line in stream:
        match = _OUT_TIME.match(line)
        if not match or on_progress is None:
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


def _classify(returncode: int, stderr: str) -> TranscodeError:
    tail = stderr.strip().splitlines()[-1:] or [f"exit {returncode}"]
    if returncode < 0:
        signum = -returncode
        # Hitting a CPU or file-size ceiling would happen again on retry: the input is at fault.
        if signum == signal.SIGXCPU:
            return TranscodeError(False, "ffmpeg used up its CPU time", "cpu_limit")
        if signum == signal.SIGXFSZ:
            return TranscodeError(False, "an output grew past its size limit", "output_too_large")
        return TranscodeError(True, f"ffmpeg was killed by {signal.Signals(signum).name}", "killed")
    if "No space left on device" in stderr:
        return TranscodeError(True, "the disk is full", "no_space")
    if any(sign in stderr for sign in _OUT_OF_MEMORY):
        return TranscodeError(True, "ffmpeg ran out of memory", "memory")
    return TranscodeError(False, f"ffmpeg failed: {tail[0]}", "ffmpeg_failed")
