"""Lesson videos: synced from courses/<slug>/media through the pipeline, shown as players."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import select

from lms.courses.models import Course
from lms.extensions import db
from lms.media.lessons import embed_lesson_videos, sync_lesson_videos
from lms.media.models import MediaItem
from tests.factories import TEST_COURSES, login, make_cohort, make_user


def test_lesson_videos_are_processed_once_per_content(app, courses, clip, tmp_path):
    folder = tmp_path / "montage-video"
    (folder / "media").mkdir(parents=True)
    shutil.copy(clip("tiny"), folder / "media" / "cadrage.mp4")
    (folder / "media" / "notes.txt").write_text("pas une vidéo")

    first = sync_lesson_videos("montage-video", folder)
    assert len(first.queued) == 1
    db.session.commit()  # the job runs inline once committed
    item = db.session.scalars(select(MediaItem)).one()
    db.session.refresh(item)
    assert item.status == "ready" and item.purpose == "lesson" and item.owner_id is None

    again = sync_lesson_videos("montage-video", folder)
    assert again.queued == [] and again.unchanged == ["media/cadrage.mp4"]

    shutil.copy(clip("no_audio"), folder / "media" / "cadrage.mp4")  # the author replaced it
    changed = sync_lesson_videos("montage-video", folder)
    assert len(changed.queued) == 1


def test_a_module_shows_its_video_as_a_player_to_those_who_follow_the_course(
    app, courses, clip, tmp_path, client
):
    folder = tmp_path / "montage-video"
    (folder / "media").mkdir(parents=True)
    shutil.copy(clip("tiny"), folder / "media" / "plan.mp4")
    report = sync_lesson_videos("montage-video", folder)
    assert len(report.queued) == 1
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == "montage-video"))
    html = '<p>Regardez :</p><p><img alt="Un bon plan" src="media/plan.mp4"></p>'
    trainee = make_user("trainee")
    make_cohort(["montage-video"], trainees=[trainee])
    login(client, trainee)
    with app.test_request_context():
        from flask_login import login_user

        login_user(trainee)
        rendered = str(embed_lesson_videos(html, course))
    item = db.session.scalars(select(MediaItem)).one()
    assert "<img" not in rendered and f"/media/{item.id}/files/" in rendered
    assert "<figcaption>Un bon plan</figcaption>" in rendered
    assert client.get(f"/media/{item.id}/").status_code == 200
    stranger = app.test_client()
    login(stranger, make_user("trainee"))
    assert stranger.get(f"/media/{item.id}/").status_code == 404
    with app.test_request_context():
        missing = str(embed_lesson_videos('<img src="media/absent.mp4" alt="x">', course))
    assert "<img" not in missing and "media-status" in missing


def test_courses_sync_turns_a_referenced_lesson_video_into_a_player_once(
    app, runner, client, clip, tmp_path
):
    root = tmp_path / "courses"
    shutil.copytree(TEST_COURSES / "montage-video", root / "montage-video")
    module_file = root / "montage-video" / "01-cadrer.md"
    module_file.write_text(
        module_file.read_text(encoding="utf-8") + "\n\n![Un plan serré](media/clip.mp4)\n",
        encoding="utf-8",
    )
    (root / "montage-video" / "media").mkdir()
    shutil.copy(clip("tiny"), root / "montage-video" / "media" / "clip.mp4")

    first = runner.invoke(args=["courses", "sync", "--dir", str(root)])
    assert first.exit_code == 0, first.output
    assert "lesson videos queued: 1" in first.output

    trainee = make_user("trainee")
    make_cohort(["montage-video"], trainees=[trainee])
    login(client, trainee)
    page = client.get("/courses/montage-video/cadrer/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    item = db.session.scalars(select(MediaItem)).one()
    assert item.status == "ready" and item.original_name == "media/clip.mp4"
    sources = re.findall(r'<video[^>]*\ssrc="([^"]+)"', html)
    assert sources and sources[0].startswith(f"/media/{item.id}/files/")
    assert (
        '<img alt="Un plan serré"' not in html and "<figcaption>Un plan serré</figcaption>" in html
    )
    with client.get(sources[0], headers={"Range": "bytes=0-99"}) as video:
        assert video.status_code == 206 and video.mimetype == "video/mp4"
        assert len(video.data) == 100

    second = runner.invoke(args=["courses", "sync", "--dir", str(root)])
    assert second.exit_code == 0, second.output
    assert "Courses are up to date" in second.output
    assert "lesson videos" not in second.output
    again = db.session.scalars(select(MediaItem)).one()
    db.session.refresh(again)
    assert (again.id, again.attempts, again.status) == (item.id, 1, "ready")
