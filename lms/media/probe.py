"""Safe ffprobe of an upload: whitelisted formats, bounded time and memory, stable reasons."""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lms.media.ffmpeg_run import ProcessLimits, limited_env, with_limits
from lms.media.probe_fields import (
    bit_depth,
    display_size,
    format_number,
    frame_rate,
    positive_float,
    positive_int,
    rotation,
)

# Containers a phone, a camera or an editing app produce. Anything else (concat lists, HLS,
# image sequences, lavfi, …) could make ffmpeg read other files or contact hosts.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpeg,mpegts"
PROTOCOL_WHITELIST = "file"


class MediaRejected(Exception):
    """A file Atelier refuses to process; `reason` is a stable code, `params` fill its message."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason, params)
        self.reason = reason
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.reason} ({details})" if details else self.reason


@dataclass(frozen=True)
class ProbeLimits:
    """What an upload may be; the defaults suit phone videos of a workshop assignment."""

    max_minutes: float = 20
    max_width: int = 3840
    max_height: int = 2160
    max_fps: float = 120
    max_streams: int = 8
    timeout: float = 30
    probesize: int = 50_000_000  # bytes read to find the streams
    analyzeduration: int = 20_000_000  # microseconds of media analysed
    memory_bytes: int = 1 << 30  # ffprobe decodes a few frames: bound what a hostile one costs

    @property
    def max_pixels(self) -> int:
        return self.max_width * self.max_height


@dataclass(frozen=True)
class ProbeResult:
    """What Atelier needs to know about a video it accepted."""

    duration: float
    width: int  # as displayed: after rotation and sample aspect ratio
    height: int
    rotation: int  # clockwise degrees a player applies: 0, 90, 180 or 270
    fps: float
    video_codec: str
    pix_fmt: str
    bit_depth: int
    video_bitrate: int | None
    audio_codec: str | None
    audio_channels: int | None
    audio_bitrate: int | None
    format_name: str
    size: int
    bitrate: int | None
    video_stream: int = field(default=0)  # stream indexes, for mapping
    audio_stream: int | None = field(default=None)
    coded_width: int = field(default=0)  # as stored, before rotation
    coded_height: int = field(default=0)

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ffprobe_command(path: Path, limits: ProbeLimits = ProbeLimits()) -> list[str]:
    """The ffprobe argument list; the `file:` prefix stops a name being read as a protocol."""
    return [
        "ffprobe",
        "-v",
        "error",
        "-protocol_whitelist",
        PROTOCOL_WHITELIST,
        "-format_whitelist",
        FORMAT_WHITELIST,
        "-probesize",
        str(limits.probesize),
        "-analyzeduration",
        str(limits.analyzeduration),
        "-show_format",
        "-show_streams",
        "-of",
        "json",
        f"file:{Path(path).resolve()}",
    ]


def probe_video(path: Path, limits: ProbeLimits = ProbeLimits()) -> ProbeResult:
    """Describe the video at `path`, or raise MediaRejected saying why Atelier refuses it."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaRejected("unreadable", error=exc.strerror or str(exc)) from exc
    if size == 0:
        raise MediaRejected("empty")
    data = _run_ffprobe(path, limits)
    return _interpret(data, size, limits)


def _run_ffprobe(path: Path, limits: ProbeLimits) -> dict[str, Any]:
    try:
        done = subprocess.run(
            with_limits(
                ffprobe_command(path, limits),
                ProcessLimits(
                    cpu_seconds=math.ceil(limits.timeout) + 1, memory_bytes=limits.memory_bytes
                ),
            ),
            capture_output=True,
            timeout=limits.timeout,
            stdin=subprocess.DEVNULL,
            env=limited_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaRejected("probe_timeout", seconds=limits.timeout) from exc
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        # ffprobe prefixes its last line with the path: keep only the cause, not server paths.
        cause = lines[-1].rsplit(": ", 1)[-1] if lines else f"exit {done.returncode}"
        raise MediaRejected("unreadable", error=cause)
    try:
        data = json.loads(done.stdout)
    except ValueError as exc:
        raise MediaRejected("unreadable", error="ffprobe output") from exc
    if not isinstance(data, dict) or not isinstance(data.get("format"), dict):
        raise MediaRejected("unreadable", error="no format")
    return data


def _interpret(data: dict[str, Any], size: int, limits: ProbeLimits) -> ProbeResult:
    fmt = data["format"]
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    if len(streams) > limits.max_streams:
        raise MediaRejected("too_many_streams", streams=len(streams), limit=limits.max_streams)
    video = _video_stream(streams, limits)
    duration, fps = _duration_and_fps(fmt, video, limits)
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    audio = audios[0] if audios else None
    format_name = str(fmt.get("format_name") or "")
    video_bitrate = positive_int(video.get("bit_rate"))
    audio_bitrate = positive_int(audio.get("bit_rate")) if audio else None
    _refuse_truncated_mp4(format_name, duration, size, [video_bitrate, audio_bitrate])
    turn = rotation(video)
    width, height = display_size(video["width"], video["height"], video.get("sample_aspect_ratio"))
    if turn in (90, 270):
        width, height = height, width
    pix_fmt = str(video.get("pix_fmt") or "")
    return ProbeResult(
        duration=round(duration, 3),
        width=width,
        height=height,
        rotation=turn,
        fps=round(fps, 3),
        video_codec=str(video.get("codec_name") or "unknown"),
        pix_fmt=pix_fmt,
        bit_depth=bit_depth(video.get("bits_per_raw_sample"), pix_fmt),
        video_bitrate=video_bitrate,
        audio_codec=str(audio.get("codec_name") or "unknown") if audio else None,
        audio_channels=positive_int(audio.get("channels")) if audio else None,
        audio_bitrate=audio_bitrate,
        format_name=format_name,
        size=size,
        bitrate=positive_int(fmt.get("bit_rate")),
        video_stream=int(video.get("index", 0)),
        audio_stream=int(audio.get("index", 0)) if audio else None,
        coded_width=video["width"],
        coded_height=video["height"],
    )


def _video_stream(streams: list[dict[str, Any]], limits: ProbeLimits) -> dict[str, Any]:
    """The first real video stream, its coded width and height checked (and made ints)."""
    # Cover art in an audio file is a "video" stream holding one picture: not a video.
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    if not videos:
        raise MediaRejected("no_video")
    video = videos[0]
    coded_w, coded_h = positive_int(video.get("width")), positive_int(video.get("height"))
    if not coded_w or not coded_h:
        raise MediaRejected("no_video")
    if (
        coded_w * coded_h > limits.max_pixels
        or max(coded_w, coded_h) > max(limits.max_width, limits.max_height)
        or min(coded_w, coded_h) > min(limits.max_width, limits.max_height)
    ):
        raise MediaRejected(
            "too_large_frame",
            width=coded_w,
            height=coded_h,
            max_width=limits.max_width,
            max_height=limits.max_height,
        )
    return {**video, "width": coded_w, "height": coded_h}


def _duration_and_fps(
    fmt: dict[str, Any], video: dict[str, Any], limits: ProbeLimits
) -> tuple[float, float]:
    """Seconds and frames per second, each known and within the limits."""
    duration = positive_float(fmt.get("duration")) or positive_float(video.get("duration"))
    if not duration:
        raise MediaRejected("no_duration")
    if duration > limits.max_minutes * 60:
        raise MediaRejected(
            "too_long", minutes=format_number(limits.max_minutes), duration=round(duration)
        )
    fps = frame_rate(video.get("avg_frame_rate")) or frame_rate(video.get("r_frame_rate"))
    if not fps:
        raise MediaRejected("unreadable", error="no frame rate")
    if fps > limits.max_fps + 0.5:
        raise MediaRejected("too_many_fps", fps=round(fps), limit=format_number(limits.max_fps))
    return duration, fps


def _refuse_truncated_mp4(
    format_name: str, duration: float, size: int, bitrates: list[int | None]
) -> None:
    # The MP4 demuxer derives stream bitrates from the sample table, so when the samples it
    # lists need more bytes than the file holds, the end of the upload is missing (a phone
    # upload cut off after the moov atom, which a faststart file puts first).
    if "mp4" not in format_name:
        return
    known = [b for b in bitrates if b]
    if not known:
        return
    needed = sum(known) * duration / 8
    if needed > size * 1.05 + 16_384:
        raise MediaRejected("truncated", percent=round(100 * size / needed))
