"""Administrators list cohorts, create them and choose their trainers."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import Cohort, CohortTrainer, Role
from lms.extensions import db
from tests.factories import make_cohort, make_user

GOOD = {
    "code": "KHOURIBGA-25",
    "name": "Femmes entrepreneures Khouribga",
    "region": "Béni Mellal-Khénifra",
    "place": "Centre Al Amal, Khouribga",
    "starts_on": "2025-03-03",
    "courses": ["montage-video", "marketing-digital"],
}


def _cohorts() -> int:
    return db.session.scalar(select(func.count()).select_from(Cohort))


def test_an_administrator_creates_a_cohort_with_workshops_and_a_trainer(admin_client, courses):
    trainer = make_user(Role.TRAINER, name="Samir Trainer")
    response = admin_client.post("/admin/cohorts/new", data={**GOOD, "trainer": trainer.email})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "KHOURIBGA-25"))
    assert cohort.region == "Béni Mellal-Khénifra"
    assert cohort.place == "Centre Al Amal, Khouribga"
    assert cohort.starts_on.isoformat() == "2025-03-03"
    assert len(cohort.courses) == 2
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Samir Trainer" in page and "Femmes entrepreneures Khouribga" in page
    listing = admin_client.get("/admin/").get_data(as_text=True)
    assert "KHOURIBGA-25" in listing and "Samir Trainer" in listing


def test_the_form_offers_the_twelve_regions_and_the_partners(admin_client, courses):
    page = admin_client.get("/admin/cohorts/new").get_data(as_text=True)
    for region in ("Tanger-Tétouan-Al Hoceïma", "Dakhla-Oued Ed-Dahab", "Côte d&#39;Ivoire"):
        assert region in page
    assert page.count("<option") >= 15


def test_a_duplicate_code_is_refused_and_nothing_is_created(admin_client, courses):
    make_cohort(["redaction-contenu"], code="KHOURIBGA-25")
    response = admin_client.post("/admin/cohorts/new", data=GOOD)
    assert response.status_code == 409
    assert "A cohort already uses the code KHOURIBGA-25." in response.get_data(as_text=True)
    assert _cohorts() == 1


def test_an_unknown_workshop_is_named_and_nothing_is_created(admin_client, courses):
    response = admin_client.post(
        "/admin/cohorts/new", data={**GOOD, "courses": ["montage-video", "poterie"]}
    )
    assert response.status_code == 422
    assert "Unknown workshop: poterie." in response.get_data(as_text=True)
    assert _cohorts() == 0


def test_missing_fields_are_each_pointed_out(admin_client, courses):
    response = admin_client.post("/admin/cohorts/new", data={"code": "X1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("This field is required.") == 2  # name, region
    assert "Please give a date." in page
    assert "Choose at least one workshop." in page
    assert _cohorts() == 0


def test_a_code_with_spaces_is_refused(admin_client, courses):
    response = admin_client.post("/admin/cohorts/new", data={**GOOD, "code": "KH 25"})
    assert response.status_code == 400
    assert "letters, digits and hyphens" in response.get_data(as_text=True)
    assert _cohorts() == 0


def test_trainers_are_added_and_removed(admin_client, courses):
    first = make_user(Role.TRAINER, name="First Trainer")
    second = make_user(Role.TRAINER, name="Second Trainer")
    cohort = make_cohort(["redaction-contenu"], trainer=first)
    page = admin_client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert f'value="{second.email}"' in page and f'value="{first.email}"' not in page

    response = admin_client.post(
        f"/admin/cohorts/{cohort.id}/trainers", data={"trainer": second.email}
    )
    assert response.status_code == 302
    response = admin_client.post(f"/admin/cohorts/{cohort.id}/trainers/{first.id}/remove")
    assert response.status_code == 302
    followers = db.session.scalars(
        select(CohortTrainer.user_id).where(CohortTrainer.cohort_id == cohort.id)
    ).all()
    assert followers == [second.id]


def test_a_trainee_cannot_be_made_trainer_of_a_cohort(admin_client, courses):
    trainee = make_user(Role.TRAINEE)
    cohort = make_cohort(["redaction-contenu"])
    response = admin_client.post(
        f"/admin/cohorts/{cohort.id}/trainers", data={"trainer": trainee.email}
    )
    assert response.status_code == 422
    assert f"No trainer has the email {trainee.email}." in response.get_data(as_text=True)
    assert cohort.trainers == []


def test_the_cohort_page_lists_its_trainees(admin_client, courses):
    amina = make_user(Role.TRAINEE, name="أمينة الصافي", gender="f")
    cohort = make_cohort(["redaction-contenu"], trainees=[amina])
    page = admin_client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert "أمينة الصافي" in page and "Woman" in page
    assert "Trainees (1)" in page


def test_an_unknown_cohort_is_not_found(admin_client):
    assert admin_client.get("/admin/cohorts/999").status_code == 404


def test_the_cohort_list_runs_a_constant_number_of_queries(admin_client, courses, count_queries):
    def measure() -> int:
        with count_queries() as statements:
            assert admin_client.get("/admin/").status_code == 200
        return len(statements)

    make_cohort(["redaction-contenu"], trainer=make_user(Role.TRAINER), trainees=[make_user()])
    few = measure()
    for _ in range(4):
        make_cohort(
            ["redaction-contenu", "montage-video"],
            trainer=make_user(Role.TRAINER),
            trainees=[make_user(), make_user()],
        )
    assert measure() == few
