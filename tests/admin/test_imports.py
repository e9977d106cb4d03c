"""Importing trainees from CSV files: encodings, separators, per-line errors, all or nothing."""

from __future__ import annotations

import base64
import io
import re

from sqlalchemy import func, select

from lms.accounts.models import CohortMember, Role, User
from lms.admin.csv_reading import MAX_IMPORT_ROWS, decode_csv
from lms.extensions import db
from tests.factories import login, make_cohort, make_user


def _send(client, cohort, data: bytes, filename: str = "trainees.csv"):
    return client.post(
        f"/admin/cohorts/{cohort.id}/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _confirm(client, cohort, preview_page: str):
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview_page)
    assert payload, preview_page[:2000]
    return client.post(
        f"/admin/cohorts/{cohort.id}/import/confirm", data={"payload": payload.group(1)}
    )


def _import(client, cohort, data: bytes):
    preview = _send(client, cohort, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:3000]
    return _confirm(client, cohort, preview.get_data(as_text=True))


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "trainee"))


def _members(cohort) -> set[str]:
    return set(
        db.session.scalars(
            select(User.email)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id)
        )
    )


UTF8_FILE = (
    "name,email,gender,region,phone\r\n"
    "فاطمة الزهراء العمراني,fatima@example.ma,f,Marrakech-Safi,0612345678\r\n"
    "Youssef Benali,youssef@example.ma,M,casablanca settat,\r\n"
    "Awa Diop,awa@example.sn,,Sénégal,\r\n"
)


def test_a_utf8_file_with_bom_and_arabic_names_creates_accounts(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    preview = _send(admin_client, cohort, UTF8_FILE.encode("utf-8-sig"))
    page = preview.get_data(as_text=True)
    assert "3 trainees, 3 new accounts" in page
    assert _users() == 0  # the preview creates nothing

    result = _confirm(admin_client, cohort, page)
    assert result.status_code == 200
    assert result.headers["Cache-Control"] == "no-store"
    assert _members(cohort) == {"fatima@example.ma", "youssef@example.ma", "awa@example.sn"}
    fatima = db.session.scalar(select(User).where(User.email == "fatima@example.ma"))
    assert fatima.name == "فاطمة الزهراء العمراني"
    assert (fatima.gender, fatima.region, fatima.role) == ("f", "Marrakech-Safi", Role.TRAINEE)
    youssef = db.session.scalar(select(User).where(User.email == "youssef@example.ma"))
    assert (youssef.gender, youssef.region) == ("m", "Casablanca-Settat")

    # The temporary password shown once lets the trainee sign in.
    text = result.get_data(as_text=True)
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', text).group(1)
    credentials = base64.b64decode(link).decode("utf-8")
    assert credentials.startswith("\ufeffname,email,temporary_password")
    row = next(line for line in credentials.splitlines() if "fatima@example.ma" in line)
    password = row.split(",")[-1]
    assert password in text
    admin_client.post("/logout")
    login(admin_client, fatima, password)


def test_an_excel_semicolon_file_in_windows_1256_is_read(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    data = "Nom;Courriel;Sexe\r\nمحمد العلوي;mohamed@example.ma;h\r\n".encode("cp1256")
    assert _import(admin_client, cohort, data).status_code == 200
    user = db.session.scalar(select(User).where(User.email == "mohamed@example.ma"))
    assert (user.name, user.gender) == ("محمد العلوي", "m")


def test_a_latin_file_with_accented_capitals_is_not_taken_for_arabic():
    data = "nom;email\r\nÉLODIE Fèvre;elodie@example.ma\r\n".encode("cp1252")
    assert "ÉLODIE Fèvre" in decode_csv(data)


def test_a_bad_email_on_line_3_refuses_the_whole_file(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    data = b"name,email\nAmina,amina@example.ma\nKarim,karim-at-example.ma\nSara,sara@example.ma\n"
    response = _send(admin_client, cohort, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 3: “karim-at-example.ma” is not a valid email address." in page
    assert "Line 2" not in page and "Line 4" not in page
    assert _users() == 0 and _members(cohort) == set()


def test_every_faulty_line_is_reported(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    data = (
        "name,email,gender,region\n"
        "Amina,amina@example.ma,f,Fès-Meknès\n"
        ",nobody@example.ma,,\n"
        "Hind,AMINA@example.ma,x,Atlantis\n"
    ).encode()
    page = _send(admin_client, cohort, data).get_data(as_text=True)
    assert "Line 3: the name is missing." in page
    assert "Line 4: the email amina@example.ma is already on line 2." in page
    assert "Line 4: the gender “x” is not f, m or empty." in page
    assert "Line 4: the region “Atlantis” is not one of the regions in the list." in page
    assert _users() == 0


def test_a_file_without_the_needed_columns_is_refused(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    page = _send(admin_client, cohort, b"prenom,telephone\nAmina,0600\n").get_data(as_text=True)
    assert "Line 1: The first line must name the columns" in page


def test_existing_accounts_are_only_added_to_the_cohort(admin_client, courses):
    known = make_user(Role.TRAINEE, name="Nadia Known", email="nadia@example.ma")
    member = make_user(Role.TRAINEE, email="already@example.ma")
    cohort = make_cohort(["redaction-contenu"], trainees=[member])
    data = (
        b"name,email\nAnother Name,NADIA@example.ma\nSomeone,already@example.ma\n"
        b"New Person,new@example.ma\n"
    )
    preview = _send(admin_client, cohort, data).get_data(as_text=True)
    assert "1 new accounts, 2 existing accounts (1 already in the cohort)" in preview
    result = _confirm(admin_client, cohort, preview).get_data(as_text=True)
    assert "1 new accounts, 1 existing accounts added, 1 already in the cohort." in result
    db.session.refresh(known)
    assert known.name == "Nadia Known"  # an import never rewrites an existing profile
    assert _members(cohort) == {"nadia@example.ma", "already@example.ma", "new@example.ma"}


def test_a_trainer_email_in_the_file_refuses_it(admin_client, courses):
    trainer = make_user(Role.TRAINER, email="coach@example.ma")
    cohort = make_cohort(["redaction-contenu"])
    data = b"name,email\nNew,new@example.ma\nCoach,coach@example.ma\n"
    page = _send(admin_client, cohort, data).get_data(as_text=True)
    assert "Line 3: coach@example.ma belongs to a trainer or administrator account." in page
    assert _members(cohort) == set() and trainer.role == Role.TRAINER


def test_an_account_created_meanwhile_is_caught_at_confirmation(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    preview = _send(admin_client, cohort, b"name,email\nLate,late@example.ma\n")
    make_user(Role.TRAINER, email="late@example.ma")
    response = _confirm(admin_client, cohort, preview.get_data(as_text=True))
    assert response.status_code == 422
    assert "belongs to a trainer or administrator account" in response.get_data(as_text=True)
    assert _members(cohort) == set()


def test_too_many_rows_and_too_large_files_are_refused(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    rows = "".join(f"P{i},p{i}@example.ma\n" for i in range(MAX_IMPORT_ROWS + 1))
    page = _send(admin_client, cohort, ("name,email\n" + rows).encode()).get_data(as_text=True)
    assert f"more than {MAX_IMPORT_ROWS} trainees" in page
    big = b"name,email\n" + b"x" * (300 * 1024)
    assert "The file is larger than 256 KB." in _send(admin_client, cohort, big).get_data(
        as_text=True
    )
    assert _users() == 0


def test_an_empty_file_is_refused(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    assert "The file is empty." in _send(admin_client, cohort, b"\r\n").get_data(as_text=True)
    page = _send(admin_client, cohort, b"name,email\n").get_data(as_text=True)
    assert "The file names no trainee." in page
