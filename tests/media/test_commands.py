"""`flask --app wsgi media probe|transcode`, run as an operator runs them: JSON on standard
output, and for a refused file a non-zero exit and the reason in the interface's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask_babel import force_locale

from lms.media.probe import MediaRejected
from lms.media.reasons import REASONS, describe_rejection
from tests.cli import flask, fresh_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return fresh_env(tmp_path / "installation")


@pytest.mark.slow
def test_probe_prints_json(env: dict, clip: Callable[[str], Path]) -> None:
    done = flask(["media", "probe", str(clip("h264_aac"))], env)

    assert done.returncode == 0, done.stderr
    described = json.loads(done.stdout)
    assert (described["width"], described["height"], described["video_codec"]) == (
        640,
        360,
        "h264",
    )
    assert described["duration"] == pytest.approx(2.0, abs=0.1)


@pytest.mark.slow
def test_probe_of_refused_file_exits_2_with_the_reason_in_french(env: dict, tmp_path: Path) -> None:
    upload = tmp_path / "empty.mp4"
    upload.touch()

    done = flask(["media", "probe", str(upload)], env)

    assert done.returncode == 2
    # French is the default interface language; the internal code follows in brackets.
    assert "Ce fichier est vide" in done.stderr and "(empty)" in done.stderr
    assert done.stdout == ""


@pytest.mark.slow
def test_probe_of_a_missing_file_is_a_usage_error(env: dict, tmp_path: Path) -> None:
    done = flask(["media", "probe", str(tmp_path / "nowhere.mp4")], env)

    assert done.returncode == 2
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_transcode_writes_the_ladder(
    env: dict, clip: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "ladder"

    done = flask(["media", "transcode", str(clip("h264_aac")), "--out", str(out)], env)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [r["height"] for r in report["renditions"]] == [240, 360]
    assert all(Path(r["path"]).is_file() for r in report["renditions"])
    assert Path(report["poster"]) == out / "poster.jpg" and (out / "poster.jpg").is_file()
    assert report["source"]["duration"] == pytest.approx(2.0, abs=0.1)


@pytest.mark.slow
def test_transcode_refuses_what_probe_refuses(env: dict, tmp_path: Path) -> None:
    upload = tmp_path / "notes.mp4"
    upload.write_text("not a video\n")

    done = flask(["media", "transcode", str(upload), "--out", str(tmp_path / "o")], env)

    assert done.returncode == 2
    assert "pas une vidéo qu’Atelier peut lire" in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_media_group_is_listed_by_flask_help(env: dict) -> None:
    done = flask(["--help"], env)

    assert done.returncode == 0
    assert any(line.split()[:1] == ["media"] for line in done.stdout.splitlines())


def test_every_reason_formats_with_its_parameters(app) -> None:
    samples = {
        "too_long": {"minutes": "20", "duration": 7200},
        "too_large_frame": {"width": 8000, "height": 8000, "max_width": 3840, "max_height": 2160},
        "too_many_fps": {"fps": 240, "limit": "120"},
        "too_many_streams": {"streams": 12, "limit": 8},
    }
    with force_locale("en"):
        for code in REASONS:
            text = describe_rejection(MediaRejected(code, **samples.get(code, {})))
            assert text and "%(" not in text
        assert describe_rejection(MediaRejected("too_long", minutes="20")) == (
            "This video is longer than 20 minutes."
        )
        assert "8000×8000" in describe_rejection(
            MediaRejected("too_large_frame", **samples["too_large_frame"])
        )
        assert describe_rejection(MediaRejected("something_new")).startswith("This video cannot")
