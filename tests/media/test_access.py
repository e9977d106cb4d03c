"""Access to a trainee's video follows the cohorts she handed it in to, not her memberships."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.accounts.models import Cohort, User
from tests.factories import make_cohort, make_user
from tests.media.uploading import client_for, hand_in, upload_file


def _urls(item_id: int) -> list[str]:
    return [
        f"/media/{item_id}/",
        f"/media/{item_id}/status",
        f"/media/{item_id}/files/poster.jpg",
        f"/media/{item_id}/comments",
    ]


def _answers(client, item_id: int) -> set[int]:
    answers = set()
    for url in _urls(item_id):
        response = client.get(url)
        response.get_data()
        response.close()
        answers.add(response.status_code)
    return answers


@dataclass
class TwoCohorts:
    trainee: User
    trainer_a: User
    trainer_b: User
    cohort_a: Cohort


@pytest.fixture
def two_cohorts(app, courses) -> TwoCohorts:
    """A trainee of cohort B; cohort A, with its own trainer, follows the same workshop."""
    trainee, trainer_a, trainer_b = make_user("trainee"), make_user("trainer"), make_user("trainer")
    cohort_a = make_cohort(["montage-video"], trainer=trainer_a)
    make_cohort(["montage-video"], trainer=trainer_b, trainees=[trainee])
    return TwoCohorts(trainee, trainer_a, trainer_b, cohort_a)


def test_joining_another_cohort_does_not_open_her_handed_in_video_to_its_trainer(
    app, two_cohorts, clip
):
    people = two_cohorts
    trainee = client_for(app, people.trainee)
    item_id = upload_file(trainee, clip("five_seconds"))
    hand_in(trainee, item_id)  # to cohort B, the only one she belongs to
    trainer_b = client_for(app, people.trainer_b)
    added = trainer_b.post(f"/media/{item_id}/comments", json={"at": 1, "body": "Cadre serré."})
    assert added.status_code == 201

    # She joins cohort A with its code, through the account page.
    joined = trainee.post("/account/cohort", data={"code": people.cohort_a.code})
    assert joined.status_code == 302
    assert {m.cohort_id for m in people.trainee.memberships} >= {people.cohort_a.id}

    trainer_a = client_for(app, people.trainer_a)
    # A's trainer neither watches the video nor reads B's trainer's comments...
    assert _answers(trainer_a, item_id) == {404}
    # ...nor comments on it, as JSON or as a form.
    sneaked = trainer_a.post(f"/media/{item_id}/comments", json={"at": 2, "body": "Moi aussi."})
    assert sneaked.status_code == 404
    form = trainer_a.post(f"/media/{item_id}/comments", data={"at": "0:02", "body": "Moi aussi."})
    assert form.status_code == 404
    comments = trainer_b.get(f"/media/{item_id}/comments").json["comments"]
    assert [c["body"] for c in comments] == ["Cadre serré."]
    assert _answers(trainer_b, item_id) == {200}


def test_a_trainer_sees_only_what_was_handed_in_to_a_cohort_they_train(app, two_cohorts, clip):
    people = two_cohorts
    trainee = client_for(app, people.trainee)
    handed = upload_file(trainee, clip("tiny"))
    hand_in(trainee, handed)
    kept = upload_file(trainee, clip("tiny"))  # never handed in: hers alone

    trainer_b = client_for(app, people.trainer_b)
    assert _answers(trainer_b, handed) == {200}
    assert _answers(trainer_b, kept) == {404}
    assert trainer_b.post(f"/media/{kept}/comments", json={"at": 1, "body": "Vu."}).status_code == (
        404
    )
    assert _answers(client_for(app, people.trainee), kept) == {200}
    assert _answers(client_for(app, make_user("admin")), kept) == {200}


def test_the_upgrade_gives_videos_handed_in_before_it_their_cohort(app, two_cohorts):
    """Revision 0008, run on a database holding a video handed in before it existed."""
    import importlib.util

    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import select

    from lms.courses.models import Course
    from lms.extensions import db
    from lms.media import storage
    from lms.media.models import MediaItem, VideoHandIn
    from lms.submissions.services import submit_video
    from tests.submissions.conftest import assignment_of

    trainee = two_cohorts.trainee
    item = MediaItem(token=storage.new_token(), owner_id=trainee.id, status="ready")
    db.session.add(item)
    db.session.flush()
    course = db.session.scalar(select(Course).where(Course.slug == "montage-video"))
    version = submit_video(trainee, course, assignment_of("video", "montage-video"), item.id)
    db.session.commit()
    handed_in = (item.id, version.submission.cohort_id)
    db.session.remove()

    path = Path(__file__).resolve().parents[2] / "migrations/versions/0008_video_hand_ins.py"
    spec = importlib.util.spec_from_file_location("revision_0008", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    try:
        with (
            db.engine.begin() as connection,
            Operations.context(MigrationContext.configure(connection)),
        ):
            revision.downgrade()  # the database as it was before the revision
            revision.upgrade()
        rows = db.session.scalars(select(VideoHandIn)).all()
        assert [(h.media_item_id, h.cohort_id) for h in rows] == [handed_in]
    finally:
        db.session.remove()
        db.metadata.create_all(db.engine)  # the table again, should the revision have failed
