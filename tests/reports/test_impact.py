"""The impact dashboard's figures on a small known data set, its CSV, and its query count."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.clock import utcnow
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import ModuleProgress
from lms.reports.impact import ImpactFilters, impact_report
from tests.factories import make_cohort, make_user

R, M = "redaction-contenu", "montage-video"


def _complete(user, slug: str, count: int) -> None:
    modules = db.session.scalars(
        select(Module).join(Course).where(Course.slug == slug).order_by(Module.position)
    ).all()
    for module in modules[:count]:
        db.session.add(
            ModuleProgress(
                user_id=user.id, module_id=module.id, read_at=utcnow(), completed_at=utcnow()
            )
        )
    db.session.commit()


@pytest.fixture
def seeded(courses):
    """Three cohorts; Fatima is in two of them; one trainee never said their gender."""
    fatima = make_user(name="Fatima", gender="f")
    khadija = make_user(name="Khadija", gender="f")
    mehdi = make_user(name="Mehdi", gender="m")
    anonymous = make_user(name="Sam")
    moussa = make_user(name="Moussa", gender="m")
    aicha = make_user(name="Aïcha", gender="f")
    trainer = make_user(Role.TRAINER, gender="f")
    cohorts = {
        "A": make_cohort(
            [R],
            code="SAFI-25",
            region="Marrakech-Safi",
            starts_on=date(2025, 1, 10),
            trainer=trainer,
            trainees=[fatima, khadija, mehdi, anonymous],
        ),
        "B": make_cohort(
            [R, M],
            code="DAKAR-25",
            region="Sénégal",
            starts_on=date(2025, 6, 1),
            trainees=[fatima, moussa],
        ),
        "C": make_cohort(
            [M],
            code="CASA-24",
            region="Casablanca-Settat",
            starts_on=date(2024, 5, 1),
            trainees=[aicha],
        ),
    }
    _complete(fatima, R, 5)  # every module: the workshop is completed
    _complete(mehdi, R, 4)  # one module short: not completed
    _complete(moussa, M, 1)
    _complete(aicha, M, 5)
    # Read but not completed: counts nowhere.
    first = db.session.scalar(select(Module).join(Course).where(Course.slug == R))
    db.session.add(ModuleProgress(user_id=anonymous.id, module_id=first.id, read_at=utcnow()))
    db.session.commit()
    return cohorts


def _figures(f) -> tuple:
    return (f.beneficiaries, f.women, f.declared, f.modules_completed, f.workshops_completed)


def test_totals_count_each_person_once(app, seeded):
    report = impact_report(ImpactFilters())
    assert _figures(report.total) == (6, 3, 5, 15, 2)
    assert report.total.women_percent == 60
    assert report.total.cohorts == 3
    assert report.regions_reached == 3


def test_figures_by_region_workshop_and_cohort(app, seeded):
    report = impact_report(ImpactFilters())
    regions = {r.label: r for r in report.regions}
    assert len(regions) == 14  # twelve regions and two partner countries, even when empty
    assert _figures(regions["Marrakech-Safi"]) == (4, 2, 3, 9, 1)
    assert regions["Marrakech-Safi"].women_percent == 67
    assert _figures(regions["Sénégal"]) == (2, 1, 2, 6, 1)
    assert _figures(regions["Casablanca-Settat"]) == (1, 1, 1, 5, 1)
    assert _figures(regions["Souss-Massa"]) == (0, 0, 0, 0, 0)
    assert regions["Souss-Massa"].women_percent is None

    workshops = {w.detail: w for w in report.workshops}
    assert _figures(workshops[R]) == (5, 2, 4, 9, 1)
    assert _figures(workshops[M]) == (3, 2, 3, 6, 1)
    assert _figures(workshops["marketing-digital"]) == (0, 0, 0, 0, 0)

    cohorts = {c.detail: c for c in report.cohorts}
    assert list(cohorts) == ["DAKAR-25", "SAFI-25", "CASA-24"]  # newest first
    assert _figures(cohorts["SAFI-25"]) == (4, 2, 3, 9, 1)
    assert _figures(cohorts["DAKAR-25"]) == (2, 1, 2, 6, 1)
    assert _figures(cohorts["CASA-24"]) == (1, 1, 1, 5, 1)


def test_filters_by_region_and_period(app, seeded):
    senegal = impact_report(ImpactFilters(region="Sénégal"))
    assert _figures(senegal.total) == (2, 1, 2, 6, 1)
    assert [r.label for r in senegal.regions] == ["Sénégal"]
    assert [c.detail for c in senegal.cohorts] == ["DAKAR-25"]

    year = impact_report(ImpactFilters(date(2025, 1, 1), date(2025, 12, 31)))
    assert _figures(year.total) == (5, 2, 4, 15 - 5, 1)
    assert {c.detail for c in year.cohorts} == {"SAFI-25", "DAKAR-25"}


def test_the_dashboard_page_shows_the_figures(admin_client, seeded):
    page = admin_client.get("/admin/impact").get_data(as_text=True)
    assert "<strong>6</strong> beneficiaries" in page
    assert "<strong>3</strong> regions reached" in page
    assert "60&nbsp;%" in page
    assert 'style="' not in page  # the CSP forbids inline styles
    filtered = admin_client.get("/admin/impact?region=S%C3%A9n%C3%A9gal").get_data(as_text=True)
    assert "<strong>2</strong> beneficiaries" in filtered
    assert "region=S%C3%A9n%C3%A9gal" in filtered  # the CSV link keeps the filters


def test_a_bad_date_filter_falls_back_to_everything(admin_client, seeded):
    response = admin_client.get("/admin/impact?starts_from=yesterday")
    assert response.status_code == 200
    assert "<strong>6</strong> beneficiaries" in response.get_data(as_text=True)


def test_the_csv_export_has_a_bom_and_every_section(admin_client, seeded):
    response = admin_client.get("/admin/impact.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    total = rows[0]
    assert (total["section"], total["beneficiaries"], total["women_percent"]) == (
        "total",
        "6",
        "60",
    )
    assert total["workshops_completed"] == "2" and total["modules_completed"] == "15"
    sections = [r["section"] for r in rows]
    assert sections.count("region") == 14
    assert sections.count("workshop") == 3 and sections.count("cohort") == 3
    safi = next(r for r in rows if r["code"] == "SAFI-25")
    assert (safi["beneficiaries"], safi["women"], safi["gender_declared"]) == ("4", "2", "3")
    senegal = next(r for r in rows if r["name"] == "Sénégal")
    assert senegal["modules_completed"] == "6"


def test_the_csv_for_excel_uses_semicolons_and_keeps_filters(admin_client, seeded):
    response = admin_client.get("/admin/impact.csv?sep=semicolon&region=Marrakech-Safi")
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("section;code;name;beneficiaries")
    assert text.splitlines()[1].split(";")[3] == "4"


def test_the_report_runs_a_constant_number_of_queries(app, courses, count_queries):
    def measure() -> int:
        with count_queries() as statements:
            impact_report(ImpactFilters())
        return len(statements)

    make_cohort([R], trainees=[make_user(gender="f")])
    few = measure()
    start = date(2024, 1, 1)
    for i in range(4):
        trainees = [make_user(gender="f" if n % 2 else "m") for n in range(3)]
        make_cohort(
            [R, M], region="Souss-Massa", starts_on=start + timedelta(days=i), trainees=trainees
        )
        for trainee in trainees[:2]:
            _complete(trainee, R, 5)
    assert measure() == few
    assert few <= 12
