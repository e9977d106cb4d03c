"""Lesson videos: synced from courses/<slug>/media through the pipeline, shown as players."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from lms.courses.models import Course
from lms.extensions import db
from lms.media.lessons import embed_lesson_videos, sync_lesson_videos
from lms.media.models import MediaItem
from tests.factories import login, make_cohort, make_user


def test_lesson_videos_are_processed_once_per_content(app, courses, clip, tmp_path):
    folder = tmp_path / "montage-video"
    (folder / "media").mkdir(parents=True)
    shutil.copy(clip("tiny"), folder / "media" / "cadrage.mp4")
    (folder / "media" / "notes.txt").write_text("pas une vidéo")

    first = sync_lesson_videos("montage-video", folder)
    db.session.commit()
    first.dispatch()
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
    db.session.commit()
    report.dispatch()
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
