"""transcode_video turns every kind of phone video into a playable, upright, light ladder."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from lms.media.probe import ProbeResult, probe_video
from lms.media.transcode import (
    TranscodeError,
    TranscodeLimits,
    TranscodeResult,
    build_ladder_command,
    transcode_video,
)
from tests.media.conftest import ffprobe_json, has_encoder


def _decodes_cleanly(path: Path) -> bool:
    done = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode == 0 and not done.stderr.strip()


def _streams(path: Path) -> dict[str, dict]:
    data = ffprobe_json(path, "-show_streams")
    return {s["codec_type"]: s for s in data["streams"]}


def _check_ladder(result: TranscodeResult, source: ProbeResult, short_sides: list[int]) -> None:
    """Every rendition plays, lasts as long as the source, is upright and light for 3G."""
    assert [min(r.width, r.height) for r in result.renditions] == short_sides
    assert result.duration == pytest.approx(source.duration, abs=0.5)
    for rendition in result.renditions:
        assert rendition.path.stat().st_size == rendition.size_bytes > 0
        out = probe_video(rendition.path)
        streams = _streams(rendition.path)
        assert out.duration == pytest.approx(source.duration, abs=0.5)
        assert (out.width, out.height) == (rendition.width, rendition.height)
        assert out.rotation == 0
        assert "side_data_list" not in streams["video"]  # no leftover display matrix
        assert (out.width > out.height) == (source.width > source.height)
        assert (out.video_codec, out.pix_fmt) == ("h264", "yuv420p")
        assert out.width % 2 == 0 and out.height % 2 == 0
        assert out.fps <= 30.5
        if source.has_audio:
            assert (out.audio_codec, out.audio_channels) == ("aac", 2)
        else:
            assert "audio" not in streams
        assert _decodes_cleanly(rendition.path)
    assert result.poster.read_bytes()[:3] == b"\xff\xd8\xff"
    poster = _streams(result.poster)["video"]
    assert poster["width"] <= 720
    assert (poster["width"] > poster["height"]) == (source.width > source.height)


@pytest.mark.parametrize(
    ("name", "short_sides"),
    [
        ("h264_aac", [240, 360]),
        ("no_audio", [240]),
        ("vfr", [240]),
        ("mpeg2_ps", [240]),
        ("mpeg4_avi", [240]),
        ("mjpeg_mov", [240]),
        ("vp9_webm", [240]),
        ("half_second", [240]),
    ],
)
def test_odd_but_valid_videos_come_out_playable(
    clip: Callable[[str], Path], tmp_path: Path, name: str, short_sides: list[int]
) -> None:
    source = probe_video(clip(name))

    result = transcode_video(clip(name), tmp_path / "out", source)

    _check_ladder(result, source, short_sides)


def test_ten_bit_hevc_becomes_eight_bit_h264(clip: Callable[[str], Path], tmp_path: Path) -> None:
    if not has_encoder("libx265"):
        pytest.skip("this ffmpeg has no libx265 to make the HEVC clip")
    source = probe_video(clip("hevc_10bit"))

    result = transcode_video(clip("hevc_10bit"), tmp_path / "out", source)

    _check_ladder(result, source, [240])


def test_portrait_recording_stays_upright(portrait_clip: Path, tmp_path: Path) -> None:
    source = probe_video(portrait_clip)

    result = transcode_video(portrait_clip, tmp_path / "out", source)

    _check_ladder(result, source, [240, 360])
    assert [(r.width, r.height) for r in result.renditions] == [(240, 426), (360, 640)]
    assert not result.fast_path


def test_surround_sound_is_mixed_down_to_stereo(
    clip: Callable[[str], Path], tmp_path: Path
) -> None:
    source = probe_video(clip("surround"))
    assert source.audio_channels == 6

    result = transcode_video(clip("surround"), tmp_path / "out", source)

    _check_ladder(result, source, [240])


def test_sixty_fps_is_capped_at_thirty(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("fps60"))

    result = transcode_video(clip("fps60"), tmp_path / "out", source)

    _check_ladder(result, source, [240])
    video = _streams(result.renditions[0].path)["video"]
    assert float(Fraction(video["avg_frame_rate"])) == pytest.approx(30, abs=0.5)


def test_full_hd_tops_out_at_720p(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("full_hd"))

    result = transcode_video(clip("full_hd"), tmp_path / "out", source)

    _check_ladder(result, source, [240, 360, 720])
    assert (result.renditions[-1].width, result.renditions[-1].height) == (1280, 720)


def test_small_source_is_not_upscaled(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("tiny"))

    result = transcode_video(clip("tiny"), tmp_path / "out", source)

    _check_ladder(result, source, [180])
    assert (result.renditions[0].width, result.renditions[0].height) == (320, 180)


def test_keyframe_every_two_seconds(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("five_seconds"))

    result = transcode_video(clip("five_seconds"), tmp_path / "out", source)

    packets = ffprobe_json(
        result.renditions[0].path, "-select_streams", "v", "-show_entries", "packet=pts_time,flags"
    )["packets"]
    keyframes = [round(float(p["pts_time"]), 1) for p in packets if "K" in p["flags"]]
    assert keyframes == [0.0, 2.0, 4.0]


def test_progress_rises_to_one_hundred(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("five_seconds"))
    seen: list[float] = []

    transcode_video(clip("five_seconds"), tmp_path / "out", source, on_progress=seen.append)

    assert seen[-1] == 100.0
    assert seen == sorted(seen) and all(0 <= value <= 100 for value in seen)


def _packets_digest(path: Path) -> str:
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-c", "copy", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


def test_light_h264_is_remuxed_not_reencoded(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source_path = clip("light_360p")
    source = probe_video(source_path)

    result = transcode_video(source_path, tmp_path / "out", source)

    assert result.fast_path
    top = result.renditions[-1]
    assert (top.width, top.height) == (640, 360)
    # The very same H.264 bitstream: packets and codec parameters unchanged.
    assert _packets_digest(top.path) == _packets_digest(source_path)
    for key in ("profile", "level", "width", "height", "pix_fmt", "has_b_frames", "codec_tag"):
        assert _streams(top.path)["video"][key] == _streams(source_path)["video"][key]
    _check_ladder(result, source, [360])


def test_heavy_h264_is_reencoded(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("h264_aac"))

    result = transcode_video(clip("h264_aac"), tmp_path / "out", source)

    assert not result.fast_path
    assert _packets_digest(result.renditions[-1].path) != _packets_digest(clip("h264_aac"))


def test_ladder_is_one_ffmpeg_process_with_whitelists(
    clip: Callable[[str], Path], tmp_path: Path
) -> None:
    source = probe_video(clip("full_hd"))

    command = build_ladder_command(clip("full_hd"), tmp_path, source)

    assert command[0] == "ffmpeg" and "-nostdin" in command
    assert command.count("-protocol_whitelist") == command.count("-i")
    assert command.count("-format_whitelist") == command.count("-i")
    outputs = [arg for arg in command if arg.startswith(f"file:{tmp_path}")]
    assert [Path(arg).name for arg in outputs] == ["240p.mp4", "360p.mp4", "720p.mp4", "poster.jpg"]
    assert "split=3" in command[command.index("-filter_complex") + 1]


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("limits", "transient", "code"),
    [
        (TranscodeLimits(base_timeout=0.05, timeout_per_second=0), True, "timeout"),
        (TranscodeLimits(memory_bytes=40 << 20), True, "memory"),
    ],
)
def test_failure_leaves_nothing_behind(
    clip: Callable[[str], Path],
    tmp_path: Path,
    limits: TranscodeLimits,
    transient: bool,
    code: str,
) -> None:
    source_path = clip("h264_aac")
    before = _digest(source_path)
    parent = tmp_path / "videos"
    parent.mkdir()

    with pytest.raises(TranscodeError) as failed:
        transcode_video(source_path, parent / "out", probe_video(source_path), limits=limits)

    assert (failed.value.transient, failed.value.code) == (transient, code)
    assert _tree(parent) == []
    assert _digest(source_path) == before


def test_truncated_upload_fails_cleanly_when_probe_is_bypassed(
    clip: Callable[[str], Path], tmp_path: Path
) -> None:
    whole = clip("moov_at_end")
    cut = tmp_path / "cut.mkv"
    # An MKV cut off at 40%: nothing in its header says so, only the decoded length shows it.
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(whole), "-c", "copy", str(tmp_path / "whole.mkv")],
        check=True,
        timeout=30,
    )
    data = (tmp_path / "whole.mkv").read_bytes()
    cut.write_bytes(data[: len(data) * 4 // 10])
    parent = tmp_path / "videos"
    parent.mkdir()

    with pytest.raises(TranscodeError) as failed:
        transcode_video(cut, parent / "out", probe_video(tmp_path / "whole.mkv"))

    assert not failed.value.transient
    assert _tree(parent) == []


def test_existing_ladder_is_replaced_whole(clip: Callable[[str], Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "720p.mp4").write_bytes(b"stale")

    transcode_video(clip("no_audio"), out, probe_video(clip("no_audio")))

    assert _tree(out) == ["240p.mp4", "poster.jpg"]
    assert _tree(tmp_path) == ["out", "out/240p.mp4", "out/poster.jpg"]
