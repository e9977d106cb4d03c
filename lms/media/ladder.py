"""The rendition ladder: which sizes and bitrates a video gets, and when a remux is enough."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lms.media.probe import ProbeLimits, ProbeResult


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


DEFAULT_LIMITS = TranscodeLimits()


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


def plan_renditions(
    probe: ProbeResult, limits: TranscodeLimits = DEFAULT_LIMITS
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
        rungs = [Rung(even(short), limits.ladder[0].maxrate)]
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
    side = min(even(rung.short_side), even(short))
    other = even(round(long * side / short))
    width, height = (other, side) if probe.width >= probe.height else (side, other)
    return PlannedRendition(width, height, rung.maxrate, copy=False)


def even(value: float) -> int:
    """The even number at or below `value` (H.264 in 4:2:0 needs even sides), at least 2."""
    return max(2, int(value) // 2 * 2)
