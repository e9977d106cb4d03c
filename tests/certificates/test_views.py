"""Certificate pages for signed-in people: the cohort admin page, a trainee's list, downloads."""

import io
import zipfile

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.certificates.services import issue_for_cohort
from lms.extensions import db
from tests.factories import login, make_user


def _page(client, cohort):
    return client.get(f"/admin/cohorts/{cohort.id}/certificates")


def test_admin_sees_eligibility_with_reasons_then_bulk_issues(client, admin, class_of_three):
    cohort, done_ar, _done_fr, halfway = class_of_three
    login(client, admin)
    html = _page(client, cohort).get_data(as_text=True)
    assert f'data-email="{halfway.email}" data-eligible="no"' in html
    assert f'data-email="{done_ar.email}" data-eligible="yes"' in html
    assert "Donner du rythme" in html  # the first module the third trainee has not completed
    response = client.post(
        f"/admin/cohorts/{cohort.id}/certificates/issue",
        data={"course": "montage-video"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2" in html.split('class="flash', 1)[1][:200]
    codes = db.session.scalars(select(Certificate.code)).all()
    assert len(codes) == 2
    for code in codes:
        assert code[:4] in html


def test_issue_without_override_reason_is_refused_with_the_reasons(client, admin, class_of_three):
    cohort, _, _, halfway = class_of_three
    login(client, admin)
    response = client.post(
        f"/admin/cohorts/{cohort.id}/certificates/issue/{halfway.id}",
        data={"course": "montage-video", "override_reason": ""},
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    response = client.post(
        f"/admin/cohorts/{cohort.id}/certificates/issue/{halfway.id}",
        data={"course": "montage-video", "override_reason": "Assessed in person"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Certificate.override_reason)) == "Assessed in person"


def test_revoke_from_the_cohort_page_needs_a_reason(client, admin, class_of_three, montage):
    cohort = class_of_three[0]
    issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    code = db.session.scalars(select(Certificate.code)).first()
    login(client, admin)
    url = f"/admin/cohorts/{cohort.id}/certificates/{code}/revoke"
    assert client.post(url, data={"course": "montage-video", "reason": " "}).status_code == 400
    assert client.post(url, data={"course": "montage-video", "reason": "Error"}).status_code == 302
    assert client.post(url, data={"course": "montage-video", "reason": "Again"}).status_code == 409
    db.session.expire_all()
    assert (
        db.session.scalar(select(Certificate.revocation_reason).where(Certificate.code == code))
        == "Error"
    )


def test_trainers_see_their_cohort_read_only_and_others_get_404(client, class_of_three):
    cohort = class_of_three[0]
    trainer = make_user("trainer")
    login(client, trainer)
    assert _page(client, cohort).status_code == 404
    from lms.accounts.services import assign_trainer

    assign_trainer(cohort, trainer.email)
    db.session.commit()
    html = _page(client, cohort).get_data(as_text=True)
    assert "bulk-issue" not in html and 'data-eligible="no"' in html
    response = client.post(
        f"/admin/cohorts/{cohort.id}/certificates/issue", data={"course": "montage-video"}
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_a_trainee_downloads_their_pdf_but_not_someone_elses(
    client, admin, class_of_three, montage
):
    cohort, done_ar, done_fr, _ = class_of_three
    issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    mine = db.session.scalar(select(Certificate).where(Certificate.user_id == done_ar.id))
    theirs = db.session.scalar(select(Certificate).where(Certificate.user_id == done_fr.id))
    login(client, done_ar)
    html = client.get("/certificates/").get_data(as_text=True)
    assert f"/certificates/{mine.code}.pdf" in html and theirs.code not in html
    response = client.get(f"/certificates/{mine.code}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(f"/certificates/{theirs.code}.pdf").status_code == 404
    assert client.get(f"/admin/cohorts/{cohort.id}/certificates").status_code == 404


def test_admin_downloads_the_cohort_as_one_zip(client, admin, class_of_three, montage):
    cohort = class_of_three[0]
    issue_for_cohort(admin, cohort, montage)
    db.session.commit()
    login(client, admin)
    response = client.get(f"/admin/cohorts/{cohort.id}/certificates.zip?course=montage-video")
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
        assert all(archive.read(n).startswith(b"%PDF") for n in names)


def test_the_cohort_page_query_count_does_not_grow(
    client, admin, class_of_three, montage, count_queries
):
    from lms.accounts.models import Cohort, User
    from lms.accounts.services import join_cohort
    from lms.courses.models import Course
    from tests.certificates.conftest import complete_modules

    cohort_id, course_id, admin_id = class_of_three[0].id, montage.id, admin.id
    login(client, admin)
    db.session.expunge_all()  # measure with a cold session, as a real request has
    with count_queries() as before:
        client.get(f"/admin/cohorts/{cohort_id}/certificates")
    cohort, course = db.session.get(Cohort, cohort_id), db.session.get(Course, course_id)
    for _ in range(10):
        trainee = make_user()
        join_cohort(trainee, cohort.code)
        complete_modules(trainee, course)
    issue_for_cohort(db.session.get(User, admin_id), cohort, course)
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as after:
        client.get(f"/admin/cohorts/{cohort_id}/certificates")
    assert len(after) == len(before)
