"""The trainee's assignment page over HTTP: drafts, hand-ins, files, history, who may see what."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import current_app

from lms.extensions import db
from lms.submissions.models import Submission, SubmissionVersion
from tests.submissions.conftest import assignment_of, page_url

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _stored_files() -> list[Path]:
    root = Path(current_app.config["MEDIA_DIR"]) / "submissions"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_module_page_links_to_the_work_with_its_status(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    module = text_assignment.module
    page = client.get(f"/courses/{module.course.slug}/{module.slug}/").get_data(as_text=True)
    assert page_url(text_assignment) in page
    client.post(page_url(text_assignment), data={"action": "draft", "body": "brouillon"})
    page = client.get(f"/courses/{module.course.slug}/{module.slug}/").get_data(as_text=True)
    assert "badge todo" in page


def test_draft_saved_restored_then_handed_in(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    url = page_url(text_assignment)
    response = client.post(url, data={"action": "draft", "body": "Mon **brouillon**"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Mon **brouillon**" in page  # restored in the editor
    client.post(url, data={"action": "submit", "body": "Mon texte final"})
    page = client.get(url).get_data(as_text=True)
    assert "Mon texte final" in page and 'name="body"' not in page


def test_posted_status_grade_and_owner_fields_are_ignored(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    client.post(
        page_url(text_assignment),
        data={
            "action": "submit",
            "body": "texte",
            "status": "graded",
            "attempts_used": "0",
            "user_id": str(klass.classmate.id),
            "total_points": "99",
            "late": "0",
            "cohort_id": str(klass.other_cohort.id),
        },
    )
    submission = db.session.query(Submission).one()
    assert submission.user_id == klass.trainee.id
    assert (submission.status, submission.attempts_used) == ("submitted", 1)
    assert submission.cohort_id == klass.cohort.id


def test_trainee_cannot_grade_or_open_the_queue(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    client.post(page_url(text_assignment), data={"action": "submit", "body": "texte"})
    submission = db.session.query(Submission).one()
    assert client.get("/grading/").status_code == 403
    response = client.post(
        f"/grading/submissions/{submission.id}",
        data={"action": "release", "version": "1", "review_lock": "0"},
    )
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert submission.status == "submitted"


def test_autosave_and_preview_answer_json_and_sanitise(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    url = page_url(text_assignment)
    response = client.post(url + "autosave", data={"body": "un deux trois"})
    assert response.status_code == 200 and response.json["words"] == 3
    preview = client.post("/submissions/preview", data={"body": "<script>alert(1)</script>**ok**"})
    assert "<script" not in preview.json["html"] and "<strong>ok</strong>" in preview.json["html"]


def _file_url(klass):
    return page_url(assignment_of("file"))


def test_pdf_is_accepted_and_downloaded_only_by_allowed_people(klass, as_user):
    client = as_user(klass.trainee)
    url = _file_url(klass)
    response = client.post(
        url,
        data={"file": (io.BytesIO(PDF), "plan.pdf"), "note": "voici"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    version = db.session.query(SubmissionVersion).one()
    assert version.mime_type == "application/pdf" and version.original_name == "plan.pdf"
    assert version.stored_name != "plan.pdf"
    assert not str(_stored_files()[0]).startswith(current_app.static_folder)
    with client.get(f"/submissions/files/{version.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
    for other in (klass.classmate, klass.other_trainer, klass.outsider):
        assert as_user(other).get(f"/submissions/files/{version.id}").status_code == 404
    for allowed in (klass.trainer, klass.admin):
        with as_user(allowed).get(f"/submissions/files/{version.id}") as download:
            assert download.status_code == 200


def test_office_document_is_recognised_by_content(klass, as_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    client = as_user(klass.trainee)
    response = client.post(
        _file_url(klass),
        data={"file": (io.BytesIO(buffer.getvalue()), "plan.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.query(SubmissionVersion).one().mime_type.endswith("wordprocessingml.document")


def test_wrong_content_is_refused_whatever_the_extension(klass, as_user):
    client = as_user(klass.trainee)
    before = set(_stored_files())
    for payload, name in [
        (b"MZ\x90\x00" + b"\x00" * 100, "cv.pdf"),
        (b"<html><script>alert(1)</script></html>", "photo.png"),
        (b"PK\x03\x04" + b"\x00" * 40, "plan.docx"),
    ]:
        response = client.post(
            _file_url(klass),
            data={"file": (io.BytesIO(payload), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 415
    assert set(_stored_files()) == before
    assert db.session.query(SubmissionVersion).count() == 0


def _multipart(payload: bytes, name: str) -> tuple[bytes, str]:
    """A raw multipart body (the test client would spool a large one to an unclosed file)."""
    boundary = "atelier-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_too_large_file_gets_413_and_leaves_nothing(klass, as_user, monkeypatch):
    app = current_app._get_current_object()
    monkeypatch.setitem(app.config, "MAX_FILE_MB", 1)
    client = as_user(klass.trainee)
    before = set(_stored_files())
    # Just over the limit but under the request cap: refused while copying.
    slightly = PDF + b"0" * (1024 * 1024)
    body, content_type = _multipart(slightly, "big.pdf")
    response = client.post(_file_url(klass), data=body, content_type=content_type)
    assert response.status_code == 413
    # Far over: refused by the request cap before any of our code runs.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024 + 64 * 1024)
    huge = PDF + b"0" * (3 * 1024 * 1024)
    body, content_type = _multipart(huge, "huge.pdf")
    response = client.post(_file_url(klass), data=body, content_type=content_type)
    assert response.status_code == 413
    assert set(_stored_files()) == before
    assert db.session.query(SubmissionVersion).count() == 0


def test_other_people_cannot_open_a_trainees_assignment_work(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    client.post(page_url(text_assignment), data={"action": "submit", "body": "secret de Fatima"})
    # The classmate sees the same assignment page, but never the trainee's work.
    page = as_user(klass.classmate).get(page_url(text_assignment)).get_data(as_text=True)
    assert "secret de Fatima" not in page
    submission = db.session.query(Submission).one()
    for other in (klass.classmate, klass.outsider, klass.other_trainer):
        assert as_user(other).get(f"/grading/submissions/{submission.id}").status_code in (403, 404)
    assert (
        as_user(klass.other_trainer).get(f"/grading/submissions/{submission.id}").status_code == 404
    )
