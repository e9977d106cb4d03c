"""The application core: health, configuration, security headers and error pages."""

from __future__ import annotations

import pytest
from flask import abort

from lms import create_app
from lms.config import ConfigurationError


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path}/missing-folder/db.sqlite3",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="LMS_SECRET_KEY"):
        create_app({"ENV": "production"})


def test_production_marks_cookies_secure():
    app = create_app({"ENV": "production", "SECRET_KEY": "s" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_MEDIA_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("LMS_MAX_UPLOAD_MB", "12")
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert app.config["MEDIA_DIR"] == str(tmp_path / "m")
    assert app.config["MAX_UPLOAD_MB"] == 12


def test_every_page_carries_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/login").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Page introuvable"), ("ar", "الصفحة غير موجودة"), ("en", "Page not found")],
)
def test_not_found_page_speaks_the_users_language(client, language, expected):
    client.set_cookie("lang", language)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert expected in response.get_data(as_text=True)


def test_server_error_page_never_leaks_the_stack_trace(app_session):
    app = create_app(
        {"TESTING": False, "SECRET_KEY": "x", "DATABASE_URL": app_session.config["DATABASE_URL"]}
    )

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    client = app.test_client()
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body
    assert "Un problème est survenu" in body
    assert client.get("/forbidden").status_code == 403


def test_too_large_request_gets_a_413_page(client, app):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_method_not_allowed_is_a_clear_page(client):
    assert client.get("/logout").status_code == 405


def test_error_messages_escape_what_the_user_typed(client, app):
    from tests.factories import login, make_user

    login(client, make_user())
    response = client.post("/account/cohort", data={"code": "<script>alert(1)</script>"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_error_pages_escape_lazy_messages_with_user_text(app):
    from flask_babel import lazy_gettext

    from lms.errors import render_error

    message = lazy_gettext("No cohort has the code %(code)s.", code="<img src=x onerror=alert(1)>")
    with app.test_request_context("/"):
        body, status = render_error(404, message)
    assert status == 404
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_every_process_of_an_installation_signs_sessions_with_the_same_key(tmp_path):
    """Without LMS_SECRET_KEY, gunicorn's workers and the job worker must agree on one key, or
    a visitor is signed out whenever another worker answers."""
    import subprocess
    import sys

    folder = tmp_path / "instance"
    script = (
        "import sys, pathlib; from lms.config import development_secret_key as key;"
        " print(key(pathlib.Path(sys.argv[1])))"
    )
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in starts}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert (folder / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no draft left behind


def test_template_urls_follow_the_mount_point_and_blueprint(app):
    """Templates build their URLs for the mount point and the blueprint of each request."""
    from flask import render_template_string

    page = "{{ url_for('grading.grid', cohort_id=7, course='x y') }}|{{ url_for('.catalogue') }}"
    with app.test_request_context("/courses/"):
        app.preprocess_request()
        here = render_template_string(page)
    with app.test_request_context("/courses/", base_url="http://localhost/atelier"):
        app.preprocess_request()
        mounted = render_template_string(page)
    assert here == "/grading/cohorts/7/?course=x+y|/courses/"
    assert mounted == "/atelier/grading/cohorts/7/?course=x+y|/atelier/courses/"
    with app.test_request_context("/courses/"):
        assert render_template_string("{{ url_for('.catalogue', _anchor='top') }}") == (
            "/courses/#top"
        )
    with app.test_request_context("/courses/"):
        flags = "{{ url_for('grading.queue', page=1) }} {{ url_for('grading.queue', page=True) }}"
        assert render_template_string(flags) == "/grading/?page=1 /grading/?page=True"
