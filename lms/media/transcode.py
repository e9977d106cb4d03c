"""One ffmpeg pass from an accepted upload to the 3G rendition ladder, a poster and checks."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ffmpeg

from lms.media.ffmpeg_run import ProcessLimits, TranscodeError, run_ffmpeg
from lms.media.ladder import (
    DEFAULT_LIMITS,
    LADDER,
    PlannedRendition,
    Rung,
    TranscodeLimits,
    even,
    plan_renditions,
)
from lms.media.outputs import (
    POSTER_NAME,
    Rendition,
    TranscodeResult,
    move_into_place,
    verify_poster,
    verify_rendition,
)
from lms.media.probe import FORMAT_WHITELIST, PROTOCOL_WHITELIST, ProbeResult

__all__ = [
    "LADDER",
    "PlannedRendition",
    "Rendition",
    "Rung",
    "TranscodeError",
    "TranscodeLimits",
    "TranscodeResult",
    "build_ladder_command",
    "build_poster_command",
    "plan_renditions",
    "process_limits",
    "transcode_video",
]


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
    src: Path, work_dir: Path, probe: ProbeResult, limits: TranscodeLimits = DEFAULT_LIMITS
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
            options = _x264_options(plan, gop, sound is not None, limits)
            outputs.append(_mp4(streams, work_dir / plan.name, options))
        # Both trims end the branch once its frame is out, so split stops feeding it.
        first_after = still.filter("trim", start=f"{_poster_time(probe):.3f}")
        outputs.append(_poster(first_after.filter("trim", end_frame=1), work_dir, probe, limits))

    for plan in plans:
        if plan.copy:
            streams = [original] if audio is None else [original, audio]
            outputs.append(_mp4(streams, work_dir / plan.name, {"c": "copy"}))
    return _compile(outputs)


def _x264_options(plan: PlannedRendition, gop: int, audio: bool, limits: TranscodeLimits) -> dict:
    """One H.264 rendition's encoder settings: capped rate, a keyframe every few seconds."""
    return {
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
        **_audio_options(audio, limits),
    }


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
    src: Path, work_dir: Path, probe: ProbeResult, limits: TranscodeLimits = DEFAULT_LIMITS
) -> list[str]:
    """A command writing only the poster: seeks, decodes about one GOP, stops at one frame."""
    source = _input(src, limits, ss=f"{_poster_time(probe):.3f}")
    return _compile([_poster(source[str(probe.video_stream)], work_dir, probe, limits)])


def _poster_time(probe: ProbeResult) -> float:
    return probe.duration * 0.1


def _poster(stream: Any, work_dir: Path, probe: ProbeResult, limits: TranscodeLimits) -> Any:
    width = min(limits.poster_width, even(probe.width))
    height = even(round(probe.height * width / probe.width))
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
    limits: TranscodeLimits = DEFAULT_LIMITS,
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
        run = {
            "limits": process_limits(probe, limits),
            "timeout": limits.timeout(probe.duration),
            "cwd": work_dir,
            "duration": probe.duration,
        }
        run_ffmpeg(
            build_ladder_command(src, work_dir, probe, limits), on_progress=on_progress, **run
        )
        if all(plan.copy for plan in plans):
            run_ffmpeg(build_poster_command(src, work_dir, probe, limits), **run)
        renditions = [verify_rendition(work_dir / p.name, p, probe, limits) for p in plans]
        verify_poster(work_dir / POSTER_NAME)
        move_into_place(work_dir, out_dir)
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


def process_limits(probe: ProbeResult, limits: TranscodeLimits = DEFAULT_LIMITS) -> ProcessLimits:
    """The CPU time, address space and file size one ffmpeg run on this source may use."""
    wall = limits.timeout(probe.duration)
    top_rate = max(r.maxrate for r in limits.ladder) + limits.audio_bitrate
    # Per output file: a remux is about the source's size, an encode stays under its cap.
    file_bytes = math.ceil(max(probe.size * 1.2, top_rate * probe.duration / 8 * 1.5)) + (32 << 20)
    return ProcessLimits(
        cpu_seconds=math.ceil(wall * (os.cpu_count() or 1)),
        memory_bytes=limits.memory_bytes,
        file_bytes=file_bytes,
    )
