"""Accounts created by an import: their temporary password must be replaced at first sign-in,
and the credentials file the administrator downloads is safe to open in a spreadsheet."""

from __future__ import annotations

import base64
import csv
import io
import re

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from tests.factories import login, make_cohort


def _import(admin_client, cohort, data: str) -> list[dict]:
    preview = admin_client.post(
        f"/admin/cohorts/{cohort.id}/import",
        data={"file": (io.BytesIO(data.encode("utf-8")), "trainees.csv")},
        content_type="multipart/form-data",
    )
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.text).group(1)
    result = admin_client.post(
        f"/admin/cohorts/{cohort.id}/import/confirm", data={"payload": payload}
    )
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', result.text).group(1)
    text = base64.b64decode(link).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_credentials_file_neutralises_formulas(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    data = (
        "name,email\r\n"
        '"=HYPERLINK(""http://evil.example"",""x"")",one@example.ma\r\n'
        "+33 Amina,two@example.ma\r\n"
        "-Karim,three@example.ma\r\n"
        "@SUM(A1),four@example.ma\r\n"
        "Salma Idrissi,five@example.ma\r\n"
    )
    rows = _import(admin_client, cohort, data)
    names = {row["email"]: row["name"] for row in rows}
    assert names["one@example.ma"].startswith("'=HYPERLINK")
    assert names["two@example.ma"] == "'+33 Amina"
    assert names["three@example.ma"] == "'-Karim"
    assert names["four@example.ma"] == "'@SUM(A1)"
    assert names["five@example.ma"] == "Salma Idrissi"
    for row in rows:
        assert not row["name"].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert not row["temporary_password"].startswith(("=", "+", "-", "@"))


def test_a_temporary_password_must_be_replaced_before_anything_else(admin_client, app, courses):
    cohort = make_cohort(["redaction-contenu"])
    rows = _import(admin_client, cohort, "name,email\r\nAwa Diop,awa@example.sn\r\n")
    password = rows[0]["temporary_password"]
    trainee = db.session.scalar(select(User).where(User.email == "awa@example.sn"))
    assert trainee.must_change_password

    client = app.test_client()
    response = login(client, trainee, password)
    assert response.headers["Location"] == "/courses/"
    for path in ("/courses/", "/certificates/", "/grading/", "/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/account", path
    page = client.get("/account").get_data(as_text=True)
    assert "mot de passe temporaire" in page
    assert client.post("/account/cohort", data={"code": cohort.code}).status_code == 302

    same = client.post(
        "/account/password", data={"current": password, "new": password, "confirm": password}
    )
    assert same.status_code == 400
    changed = client.post(
        "/account/password",
        data={"current": password, "new": "my-own-pass-26", "confirm": "my-own-pass-26"},
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, trainee.id).must_change_password
    assert client.get("/courses/").status_code == 200


def test_signing_out_stays_possible_with_a_temporary_password(admin_client, app, courses):
    cohort = make_cohort(["redaction-contenu"])
    rows = _import(admin_client, cohort, "name,email\r\nAwa Diop,awa@example.sn\r\n")
    trainee = db.session.scalar(select(User).where(User.email == "awa@example.sn"))
    client = app.test_client()
    login(client, trainee, rows[0]["temporary_password"])
    assert client.post("/logout").status_code == 302
    assert client.get("/courses/").headers["Location"].startswith("/login")
