"""Hostile uploads are refused with a clear reason, and nothing beyond the upload is touched."""

from __future__ import annotations

import socket
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lms.media.probe import MediaRejected, ProbeResult, probe_video
from lms.media.transcode import TranscodeError, TranscodeLimits, transcode_video
from tests.media.conftest import run_ffmpeg


def _refusal(path: Path) -> str:
    with pytest.raises(MediaRejected) as refused:
        probe_video(path)
    return refused.value.reason


def _transcode_fails_cleanly(upload: Path, probe: ProbeResult, tmp_path: Path) -> None:
    """Even if a caller skipped the probe, the transcode opens the upload alone and fails."""
    parent = tmp_path / "videos"
    parent.mkdir()
    with pytest.raises(TranscodeError) as failed:
        transcode_video(upload, parent / "out", probe)
    assert not failed.value.transient
    assert list(parent.iterdir()) == []


def test_concat_list_disguised_as_mov_is_refused(
    clip: Callable[[str], Path], tmp_path: Path
) -> None:
    secret = tmp_path / "someone_elses.mp4"
    secret.write_bytes(clip("h264_aac").read_bytes())
    upload = tmp_path / "upload.mov"
    upload.write_text(f"ffconcat version 1.0\nfile '{secret}'\nfile someone_elses.mp4\n")

    assert _refusal(upload) == "unreadable"
    _transcode_fails_cleanly(upload, probe_video(secret), tmp_path)


class _Listener:
    """A loopback TCP port that records whether anyone connected."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    spy = _Listener()
    yield spy
    spy.close()


def test_hls_playlist_disguised_as_mp4_is_refused_offline(
    clip: Callable[[str], Path], tmp_path: Path, listener: _Listener
) -> None:
    local = tmp_path / "neighbour.ts"
    run_ffmpeg("-i", str(clip("h264_aac")), "-c", "copy", "-f", "mpegts", str(local))
    upload = tmp_path / "upload.mp4"
    upload.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        f"#EXTINF:2.0,\nfile://{local}\n"
        f"#EXTINF:2.0,\nhttp://127.0.0.1:{listener.port}/segment.ts\n"
        "#EXT-X-ENDLIST\n"
    )

    assert _refusal(upload) == "unreadable"
    _transcode_fails_cleanly(upload, probe_video(clip("h264_aac")), tmp_path)
    assert listener.connections == 0


def test_listener_would_notice_a_connection(listener: _Listener) -> None:
    # Guards the test above: a connection to the port is counted.
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
        pass
    listener.close()
    assert listener.connections == 1


def test_text_file_named_mp4_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "notes.mp4"
    upload.write_text("Ceci n'est pas une vidéo.\n" * 50)

    assert _refusal(upload) == "unreadable"


def test_empty_file_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "empty.mp4"
    upload.touch()

    assert _refusal(upload) == "empty"


def _cut(source: Path, target: Path, share: float = 0.3) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * share)])
    return target


def test_truncated_mp4_with_index_at_the_end_is_refused(
    clip: Callable[[str], Path], tmp_path: Path
) -> None:
    # The moov atom never arrived: there is nothing to read.
    assert _refusal(_cut(clip("moov_at_end"), tmp_path / "cut.mp4")) == "unreadable"


def test_truncated_faststart_mp4_is_refused(clip: Callable[[str], Path], tmp_path: Path) -> None:
    # The index arrived but lists samples the file does not hold: refused before any encode,
    # rather than left to ffmpeg to produce a shorter video.
    with pytest.raises(MediaRejected) as refused:
        probe_video(_cut(clip("faststart"), tmp_path / "cut.mp4"))
    assert refused.value.reason == "truncated"
    assert 25 <= refused.value.params["percent"] <= 35


def test_huge_frame_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "huge.avi"
    run_ffmpeg(
        "-f", "lavfi", "-i", "color=c=navy:size=8000x8000", "-frames:v", "1",
        "-c:v", "mjpeg", str(upload),
    )  # fmt: skip

    with pytest.raises(MediaRejected) as refused:
        probe_video(upload)
    assert refused.value.reason == "too_large_frame"
    assert (refused.value.params["width"], refused.value.params["height"]) == (8000, 8000)


def test_thirty_hour_claim_is_refused(tmp_path: Path) -> None:
    # Two real frames thirty hours apart: a 7 kB file that says it lasts 30 h.
    upload = tmp_path / "endless.mkv"
    run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=1", "-frames:v", "2",
        "-vf", "setpts='N*108000/TB'", "-fps_mode", "passthrough",
        "-c:v", "libx264", "-preset", "ultrafast", str(upload),
    )  # fmt: skip

    with pytest.raises(MediaRejected) as refused:
        probe_video(upload)
    assert refused.value.reason == "too_long"
    assert refused.value.params["duration"] >= 30 * 3600


def _patch_mvhd_duration(path: Path, seconds: int) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b"mvhd")
    assert data[at + 4] == 0  # version 0: 32-bit times
    timescale = struct.unpack_from(">I", data, at + 16)[0]
    struct.pack_into(">I", data, at + 20, seconds * timescale)
    path.write_bytes(bytes(data))


def test_patched_mp4_header_claiming_thirty_hours_is_refused(
    clip: Callable[[str], Path], tmp_path: Path
) -> None:
    upload = tmp_path / "patched.mp4"
    upload.write_bytes(clip("light_360p").read_bytes())
    _patch_mvhd_duration(upload, 30 * 3600)

    assert _refusal(upload) == "too_long"


def test_no_ffmpeg_left_running_after_timeout(clip: Callable[[str], Path], tmp_path: Path) -> None:
    source = probe_video(clip("full_hd"))
    with pytest.raises(TranscodeError):
        transcode_video(
            clip("full_hd"),
            tmp_path / "out",
            source,
            limits=TranscodeLimits(base_timeout=0.2, timeout_per_second=0),
        )

    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(tmp_path) not in running
