"""The trainee's pages: catalogue, workshop, module, mark as read, access and query counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.courses.loader import sync_courses
from lms.extensions import db
from lms.progress.models import ModuleProgress
from tests.factories import login, make_cohort, make_user, write_course

MODULE = "/courses/montage-video/cadrer/"  # tests/fixtures/courses


@pytest.fixture
def trainee(client, courses):
    user = make_user()
    make_cohort(["montage-video"], trainees=[user])
    login(client, user)
    return user


def test_catalogue_lists_only_the_trainees_workshops_with_progress(client, trainee):
    html = client.get("/courses/").get_data(as_text=True)
    assert "Atelier vidéo test" in html
    assert "Atelier écriture test" not in html
    assert '<progress id="progress-' in html and 'value="0"' in html


def test_module_page_renders_the_lesson_and_its_assignments(client, trainee):
    response = client.get(MODULE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>" in html and "Marquer comme lu" in html
    assert "Devoirs" in html or "Travaux" in html


def test_marking_a_module_read_moves_the_progress_bar(client, trainee):
    before = client.get("/courses/montage-video/").get_data(as_text=True)
    assert 'id="course-progress" max="100" value="0"' in before
    response = client.post(MODULE + "read")
    assert response.status_code == 302
    after = client.get("/courses/montage-video/").get_data(as_text=True)
    assert 'id="course-progress" max="100" value="0"' not in after
    row = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == trainee.id))
    first_read = row.read_at
    client.post(MODULE + "read")
    db.session.expire_all()
    assert db.session.get(ModuleProgress, (trainee.id, row.module_id)).read_at == first_read


def test_a_trainee_of_another_cohort_gets_404_not_the_workshop(client, courses):
    outsider = make_user()
    make_cohort(["redaction-contenu"], trainees=[outsider])
    make_cohort(["montage-video"], trainees=[make_user()])
    login(client, outsider)
    for url in ("/courses/montage-video/", MODULE):
        response = client.get(url)
        assert response.status_code == 404
        assert "Atelier vidéo test" not in response.get_data(as_text=True)
    assert client.post(MODULE + "read").status_code == 404
    assert db.session.scalar(select(ModuleProgress)) is None


def test_an_unknown_module_is_a_clear_404(client, trainee):
    response = client.get("/courses/montage-video/pas-un-module/")
    assert response.status_code == 404
    assert "Ce module n" in response.get_data(as_text=True)


def test_pages_require_sign_in(client, courses):
    response = client.get(MODULE)
    assert response.status_code == 302 and "/login" in response.location


def test_a_trainer_reads_the_workshop_without_recording_progress(client, courses):
    trainer = make_user("trainer")
    make_cohort(["montage-video"], trainer=trainer)
    login(client, trainer)
    assert client.get(MODULE).status_code == 200
    client.post(MODULE + "read")
    assert db.session.scalar(select(ModuleProgress)) is None


def test_lesson_html_is_sanitised(client, app, tmp_path):
    folder = write_course(tmp_path, modules=1)
    path = folder / "01-module-1.md"
    path.write_text(path.read_text() + "\n<script>alert(1)</script>\n[x](javascript:alert(2))\n")
    sync_courses(tmp_path)
    db.session.commit()
    user = make_user()
    make_cohort(["atelier-test"], trainees=[user])
    login(client, user)
    html = client.get("/courses/atelier-test/module-1/").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "javascript:" not in html


def _seed(tmp_path, modules: int, trainees: int):
    write_course(tmp_path, modules=modules, assignments_per_module=2)
    sync_courses(tmp_path)
    db.session.commit()
    users = [make_user() for _ in range(trainees)]
    make_cohort(["atelier-test"], trainees=users)
    return users[0]


@pytest.mark.parametrize(
    "url", ["/courses/", "/courses/atelier-test/", "/courses/atelier-test/module-1/"]
)
def test_query_count_does_not_grow_with_modules_and_users(app, tmp_path, count_queries, url):
    counts = []
    for modules, trainees in ((2, 2), (12, 30)):
        root = tmp_path / f"{modules}"
        user = _seed(root, modules, trainees)
        client = app.test_client()
        login(client, user)
        client.post("/courses/atelier-test/module-1/read")
        db.session.expire_all()  # as in a fresh request: nothing cached from the set-up
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    assert counts[0] == counts[1], counts
