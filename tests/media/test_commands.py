"""`flask media probe|transcode` print JSON, and the user-facing reason when a file is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_babel import Babel, force_locale

from lms.media.commands import cli
from lms.media.probe import MediaRejected
from lms.media.reasons import REASONS, describe_rejection


@pytest.fixture(scope="module")
def app() -> Flask:
    app = Flask(__name__)
    Babel(app)
    app.cli.add_command(cli)
    return app


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def test_probe_prints_json(runner: FlaskCliRunner, clip: Callable[[str], Path]) -> None:
    result = runner.invoke(args=["media", "probe", str(clip("h264_aac"))])

    assert result.exit_code == 0, result.stderr
    described = json.loads(result.stdout)
    assert (described["width"], described["height"], described["video_codec"]) == (
        640,
        360,
        "h264",
    )


def test_probe_of_refused_file_exits_2_with_the_reason(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    upload = tmp_path / "empty.mp4"
    upload.touch()

    result = runner.invoke(args=["media", "probe", str(upload)])

    assert result.exit_code == 2
    assert "This file is empty" in result.stderr
    assert result.stdout == ""


def test_transcode_writes_the_ladder(
    runner: FlaskCliRunner, clip: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "ladder"

    result = runner.invoke(args=["media", "transcode", str(clip("h264_aac")), "--out", str(out)])

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [r["height"] for r in report["renditions"]] == [240, 360]
    assert all(Path(r["path"]).is_file() for r in report["renditions"])
    assert Path(report["poster"]) == out / "poster.jpg"
    assert report["source"]["duration"] == pytest.approx(2.0, abs=0.1)


def test_transcode_refuses_what_probe_refuses(runner: FlaskCliRunner, tmp_path: Path) -> None:
    upload = tmp_path / "notes.mp4"
    upload.write_text("not a video\n")

    result = runner.invoke(args=["media", "transcode", str(upload), "--out", str(tmp_path / "o")])

    assert result.exit_code == 2
    assert "not a video Atelier can read" in result.stderr
    assert not (tmp_path / "o").exists()


def test_every_reason_formats_with_its_parameters(app: Flask) -> None:
    samples = {
        "too_long": {"minutes": "20", "duration": 7200},
        "too_large_frame": {"width": 8000, "height": 8000, "max_width": 3840, "max_height": 2160},
        "too_many_fps": {"fps": 240, "limit": "120"},
        "too_many_streams": {"streams": 12, "limit": 8},
    }
    with app.app_context(), force_locale("en"):
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
