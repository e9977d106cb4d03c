"""Office documents that are ZIP bombs are refused from their declared sizes, never inflated."""

from __future__ import annotations

import html
import io
import resource
import zipfile
from pathlib import Path

from flask import current_app

from lms.extensions import db
from lms.submissions.models import SubmissionVersion
from tests.submissions.conftest import assignment_of, page_url

ODT = "application/vnd.oasis.opendocument.text"


def _stored_files() -> list[Path]:
    root = Path(current_app.config["MEDIA_DIR"]) / "submissions"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _bomb(path: Path, entry: str, megabytes: int) -> bytes:
    """A ZIP whose entry inflates to `megabytes` of zeros, written without holding them."""
    zeros = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(entry, "w") as out:
            for _ in range(megabytes):
                out.write(zeros)
    return path.read_bytes()


def _hand_in(client, payload: bytes, name: str):
    return client.post(
        page_url(assignment_of("file")),
        data={"file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
    )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_odt_whose_mimetype_entry_is_a_bomb_is_refused_without_inflating(klass, as_user, tmp_path):
    payload = _bomb(tmp_path / "bomb.odt", "mimetype", 300)
    assert len(payload) < 1024 * 1024  # 300 MB of zeros in a few hundred KB
    client = as_user(klass.trainee)
    before = set(_stored_files())
    peak = _peak_rss_mb()
    response = _hand_in(client, payload, "plan.odt")
    assert _peak_rss_mb() - peak < 100  # reading the entry whole would add 300 MB
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Ce document se décompresse en bien plus que sa taille" in page  # French by default
    assert set(_stored_files()) == before
    assert db.session.query(SubmissionVersion).count() == 0


def test_docx_with_a_bomb_part_is_refused(klass, as_user, tmp_path):
    payload = _bomb(tmp_path / "bomb.docx", "word/document.xml", 20)
    response = _hand_in(as_user(klass.trainee), payload, "plan.docx")
    assert response.status_code == 422
    assert db.session.query(SubmissionVersion).count() == 0


def test_real_odt_is_still_accepted(klass, as_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT)  # stored, first, as ODF requires
        archive.writestr("content.xml", "<office:document-content/>" * 2000)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    response = _hand_in(as_user(klass.trainee), buffer.getvalue(), "plan.odt")
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert db.session.query(SubmissionVersion).one().mime_type == ODT
