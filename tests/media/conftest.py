"""Short test clips made with ffmpeg's lavfi sources, once per test session and worker."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg and ffprobe are needed for the media tests", allow_module_level=True)


def _picture(size: str, seconds: float, rate: int = 30) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]


def _tone(seconds: float, layout: str = "stereo") -> list[str]:
    return [
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:sample_rate=48000:duration={seconds},aformat=channel_layouts={layout}",
    ]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "96k"]

# name -> (file name, ffmpeg arguments between the global options and the output)
RECIPES: dict[str, tuple[str, list[str]]] = {
    "h264_aac": ("h264.mp4", [*_picture("640x360", 2), *_tone(2), *H264, "-b:v", "1500k", *AAC]),
    "hevc_10bit": (
        "hevc.mov",
        [
            *_picture("426x240", 2),
            *_tone(2),
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p10le",
            "-tag:v",
            "hvc1",
            "-x265-params",
            "log-level=error",
            *AAC,
        ],
    ),
    "no_audio": ("silent.mp4", [*_picture("320x240", 2), *H264, "-b:v", "1000k"]),
    "surround": (
        "surround.mp4",
        [*_picture("320x240", 2), *_tone(2, "5.1"), *H264, "-b:v", "1000k", *AAC],
    ),
    "vfr": (
        "vfr.mp4",
        [
            *_picture("320x240", 3),
            *_tone(3),
            # 30 fps for a second, then 10 fps: timestamps a phone camera could write.
            "-vf",
            "select='lt(n\\,30)+not(mod(n\\,3))'",
            "-fps_mode",
            "vfr",
            *H264,
            "-b:v",
            "1000k",
            *AAC,
        ],
    ),
    "mpeg2_ps": (
        "program.mpg",
        [*_picture("352x288", 2, 25), *_tone(2), "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg"],
    ),
    "mpeg4_avi": (
        "part2.avi",
        [*_picture("320x240", 2, 25), *_tone(2), "-c:v", "mpeg4", "-c:a", "libmp3lame"],
    ),
    "mjpeg_mov": (
        "camera.mov",
        [*_picture("320x240", 2), *_tone(2), "-c:v", "mjpeg", "-q:v", "5", "-c:a", "pcm_s16le"],
    ),
    "vp9_webm": (
        "web.webm",
        [
            *_picture("320x240", 2),
            *_tone(2),
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-c:a",
            "libopus",
        ],
    ),
    "half_second": ("short.mp4", [*_picture("320x240", 0.5), *_tone(0.5), *H264, *AAC]),
    "fps60": ("sixty.mp4", [*_picture("320x240", 2, 60), *_tone(2), *H264, "-b:v", "1500k", *AAC]),
    "full_hd": ("hd.mp4", [*_picture("1920x1080", 2), *_tone(2), *H264, *AAC]),
    "tiny": ("tiny.mp4", [*_picture("320x180", 2), *_tone(2), *H264, "-b:v", "800k", *AAC]),
    # A light 360p clip as a phone app would export it: eligible for the remux fast path.
    "light_360p": (
        "light.mp4",
        [
            *_picture("640x360", 2),
            *_tone(2),
            *H264,
            "-b:v",
            "300k",
            "-maxrate",
            "400k",
            "-bufsize",
            "400k",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-movflags",
            "+faststart",
        ],
    ),
    "five_seconds": (
        "five.mp4",
        [*_picture("320x240", 5), *_tone(5), *H264, "-b:v", "1000k", *AAC],
    ),
    "faststart": (
        "faststart.mp4",
        [*_picture("640x360", 3), *_tone(3), *H264, *AAC, "-movflags", "+faststart"],
    ),
    "moov_at_end": ("moov_end.mp4", [*_picture("640x360", 3), *_tone(3), *H264, *AAC]),
}


def run_ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *args],
        check=True,
        timeout=120,
    )


def ffprobe_json(path: Path, *entries: str) -> dict:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *entries, str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def clips_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def clip(clips_dir: Path) -> Callable[[str], Path]:
    """Make (once) and return the clip of a recipe; only the clips a worker needs are made."""
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            file_name, args = RECIPES[name]
            target = clips_dir / file_name
            run_ffmpeg(*args, str(target))
            made[name] = target
        return made[name]

    return make


@pytest.fixture(scope="session")
def portrait_clip(clip: Callable[[str], Path], clips_dir: Path) -> Path:
    """A 640x360 recording a phone held upright would store: rotation in the display matrix."""
    target = clips_dir / "portrait.mp4"
    # ffmpeg 5.1 turns the legacy `rotate` tag into a display matrix when stream-copying.
    run_ffmpeg(
        "-i", str(clip("h264_aac")), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(target)
    )
    return target


def has_encoder(name: str) -> bool:
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30
    )
    return any(line.split()[1:2] == [name] for line in done.stdout.splitlines())
