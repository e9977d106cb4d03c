"""Time-stamped comments: trainers add, edit and delete theirs; trainees read and jump."""

from __future__ import annotations

import pytest

from tests.media.uploading import client_for, people_fixture, upload_file

__all__ = ["people_fixture"]  # a fixture used by name


@pytest.fixture
def item_id(app, people, clip):
    return upload_file(client_for(app, people.owner), clip("five_seconds"))


def _add(client, item_id, at, body="Coupe trop tôt ici."):
    return client.post(f"/media/{item_id}/comments", json={"at": at, "body": body})


def test_a_trainer_comments_at_moments_and_the_owner_sees_them_in_time_order(
    app,
    people,
    item_id,
):
    trainer = client_for(app, people.trainer)
    later = _add(trainer, item_id, 3.5, "Le son sature.")
    assert later.status_code == 201 and later.json["label"] == "0:03"
    assert _add(trainer, item_id, 1.25).status_code == 201
    listed = client_for(app, people.owner).get(f"/media/{item_id}/comments").json["comments"]
    assert [(c["at"], c["body"]) for c in listed] == [
        (1.25, "Coupe trop tôt ici."),
        (3.5, "Le son sature."),
    ]
    assert all(c["author"] == people.trainer.name and not c["can_edit"] for c in listed)
    page = client_for(app, people.owner).get(f"/media/{item_id}/").get_data(as_text=True)
    assert 'data-at="1.25"' in page and "Le son sature." in page


def test_the_trainee_and_other_trainers_cannot_comment(app, people, item_id):
    assert _add(client_for(app, people.owner), item_id, 1).status_code == 403
    assert _add(client_for(app, people.other_trainer), item_id, 1).status_code == 404
    assert _add(client_for(app, people.classmate), item_id, 1).status_code == 404
    assert _add(client_for(app, people.admin), item_id, 1).status_code == 201


def test_a_comment_outside_the_video_or_empty_is_refused(app, people, item_id):
    trainer = client_for(app, people.trainer)
    assert _add(trainer, item_id, 60).status_code == 400
    assert _add(trainer, item_id, -1).status_code == 400
    assert _add(trainer, item_id, 1, "   ").status_code == 400
    assert _add(trainer, item_id, "abc").status_code == 400


def test_only_the_author_edits_or_deletes_a_comment(app, people, item_id, courses):
    from tests.factories import make_cohort, make_user

    trainer = client_for(app, people.trainer)
    comment = _add(trainer, item_id, 2).json
    colleague_user = make_user("trainer")
    make_cohort(["montage-video"], trainer=colleague_user, trainees=[people.owner])
    colleague = client_for(app, colleague_user)
    url = f"/media/comments/{comment['id']}"
    assert colleague.patch(url, json={"body": "Non."}).status_code == 403
    assert colleague.delete(url).status_code == 403
    assert client_for(app, people.other_trainer).delete(url).status_code == 404

    edited = trainer.patch(url, json={"body": "Coupe plus tard.", "at": 2.5})
    assert edited.status_code == 200 and edited.json["at"] == 2.5
    assert edited.json["body"] == "Coupe plus tard."
    assert trainer.delete(url).status_code == 204
    assert trainer.get(f"/media/{item_id}/comments").json["comments"] == []


def test_comments_work_without_javascript(app, people, item_id):
    trainer = client_for(app, people.trainer)
    response = trainer.post(f"/media/{item_id}/comments", data={"at": "0:04", "body": "Joli plan."})
    assert response.status_code == 302
    (comment,) = trainer.get(f"/media/{item_id}/comments").json["comments"]
    assert comment["at"] == 4.0
    assert trainer.post(f"/media/comments/{comment['id']}/delete").status_code == 302
    assert trainer.get(f"/media/{item_id}/comments").json["comments"] == []


def test_listing_comments_takes_a_constant_number_of_queries(
    app,
    people,
    item_id,
    count_queries,
):
    trainer = client_for(app, people.trainer)
    _add(client_for(app, people.admin), item_id, 1)
    trainer.get(f"/media/{item_id}/comments")
    with count_queries() as few:
        trainer.get(f"/media/{item_id}/comments")
    for moment in (2, 3, 4):
        _add(trainer, item_id, moment)
    with count_queries() as many:
        trainer.get(f"/media/{item_id}/comments")
    assert len(many) == len(few)
