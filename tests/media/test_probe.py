"""probe_video describes the videos trainees send and refuses what Atelier cannot use."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lms.media.probe import MediaRejected, ProbeLimits, probe_video
from tests.media.conftest import run_ffmpeg


def test_describes_a_phone_mp4(clip: Callable[[str], Path]) -> None:
    result = probe_video(clip("h264_aac"))

    assert (result.width, result.height, result.rotation) == (640, 360, 0)
    assert result.duration == pytest.approx(2.0, abs=0.1)
    assert result.fps == pytest.approx(30)
    assert (result.video_codec, result.pix_fmt, result.bit_depth) == ("h264", "yuv420p", 8)
    assert (result.audio_codec, result.audio_channels) == ("aac", 2)
    assert result.video_bitrate and 1_000_000 < result.video_bitrate < 2_500_000
    assert "mp4" in result.format_name
    assert result.size == clip("h264_aac").stat().st_size
    assert json.loads(json.dumps(result.to_dict()))["width"] == 640


def test_portrait_recording_is_described_upright(portrait_clip: Path) -> None:
    result = probe_video(portrait_clip)

    assert result.rotation in (90, 270)
    assert (result.width, result.height) == (360, 640)
    assert (result.coded_width, result.coded_height) == (640, 360)


def test_ten_bit_hevc_reports_its_depth(clip: Callable[[str], Path]) -> None:
    result = probe_video(clip("hevc_10bit"))

    assert (result.video_codec, result.bit_depth) == ("hevc", 10)


def test_clip_without_sound_has_no_audio(clip: Callable[[str], Path]) -> None:
    result = probe_video(clip("no_audio"))

    assert result.audio_codec is None and result.audio_channels is None
    assert not result.has_audio


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("mpeg2_ps", "mpeg2video"),
        ("mpeg4_avi", "mpeg4"),
        ("vp9_webm", "vp9"),
        ("mjpeg_mov", "mjpeg"),
    ],
)
def test_older_and_web_formats_are_accepted(
    clip: Callable[[str], Path], name: str, codec: str
) -> None:
    result = probe_video(clip(name))

    assert result.video_codec == codec
    assert result.duration == pytest.approx(2.0, abs=0.2)


def test_refuses_audio_only_file(tmp_path: Path) -> None:
    song = tmp_path / "voice.m4a"
    run_ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(song))

    with pytest.raises(MediaRejected) as refused:
        probe_video(song)
    assert refused.value.reason == "no_video"


def test_refuses_too_many_tracks(tmp_path: Path) -> None:
    crowded = tmp_path / "tracks.mkv"
    tones = [arg for _ in range(9) for arg in ("-f", "lavfi", "-i", "sine=duration=1")]
    maps = [arg for i in range(10) for arg in ("-map", str(i))]
    run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:duration=1", *tones, *maps,
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "libopus", str(crowded),
    )  # fmt: skip

    with pytest.raises(MediaRejected) as refused:
        probe_video(crowded)
    assert refused.value.reason == "too_many_streams"
    assert refused.value.params["streams"] == 10


def test_refuses_more_frames_per_second_than_allowed(clip: Callable[[str], Path]) -> None:
    with pytest.raises(MediaRejected) as refused:
        probe_video(clip("fps60"), ProbeLimits(max_fps=50))
    assert refused.value.reason == "too_many_fps"


def test_refuses_longer_than_the_limit(clip: Callable[[str], Path]) -> None:
    with pytest.raises(MediaRejected) as refused:
        probe_video(clip("five_seconds"), ProbeLimits(max_minutes=0.05))
    assert refused.value.reason == "too_long"
    assert refused.value.params["minutes"] == "0.05"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected) as refused:
        probe_video(tmp_path / "gone.mp4")
    assert refused.value.reason == "unreadable"
