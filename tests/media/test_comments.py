"""Time-stamped comments: trainers add, edit and delete theirs; trainees read and jump."""

from __future__ import annotations

import pytest

from tests.media.uploading import client_for, hand_in, people_fixture, upload_file

__all__ = ["people_fixture"]  # a fixture used by name


@pytest.fixture
def item_id(app, people, clip):
    """A video the owner handed in to her cohort, whose trainer comments on it."""
    owner = client_for(app, people.owner)
    item_id = upload_file(owner, clip("five_seconds"))
    hand_in(owner, item_id)
    return item_id


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
    from lms.accounts.services import assign_trainer
    from lms.extensions import db
    from tests.factories import make_user

    trainer = client_for(app, people.trainer)
    comment = _add(trainer, item_id, 2).json
    # A second trainer of the cohort the video was handed in to: may watch, not edit.
    colleague_user = make_user("trainer")
    assign_trainer(people.owner.memberships[0].cohort, colleague_user.email)
    db.session.commit()
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


def test_head_with_a_comment_as_body_changes_nothing(app, people, item_id, monkeypatch):
    """HEAD is answered as GET: CSRFProtect does not check it, so it must never write."""
    trainer = client_for(app, people.trainer)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = trainer.head(f"/media/{item_id}/comments", json={"at": 2, "body": "Ajouté ?"})
    assert response.status_code == 200
    assert trainer.get(f"/media/{item_id}/comments").json["comments"] == []


BAD_BODIES = {
    "array": b'[{"at": 1, "body": "x"}]',
    "number": b"42",
    "true": b"true",
    "string": b'"1:05 joli plan"',
    "malformed": b'{"at": 1, "body": ',
    "body not text": b'{"at": 1, "body": ["x"]}',
    "moment true": b'{"at": true, "body": "x"}',
}


def _send(client, method: str, url: str, raw: bytes):
    return client.open(
        url,
        method=method,
        data=raw,
        content_type="application/json",
        headers={"Accept": "application/json"},
    )


def test_a_json_body_that_is_not_a_comment_gets_400_after_the_access_check(app, people, item_id):
    url = f"/media/{item_id}/comments"
    trainer = client_for(app, people.trainer)
    comment = _add(trainer, item_id, 2).json
    edit = f"/media/comments/{comment['id']}"
    stranger, classmate = client_for(app, people.other_trainer), client_for(app, people.classmate)
    owner = client_for(app, people.owner)
    for name, raw in BAD_BODIES.items():
        refused = _send(trainer, "POST", url, raw)
        assert refused.status_code == 400, name
        assert refused.mimetype == "application/json" and refused.json["message"], name
        assert _send(trainer, "PATCH", edit, raw).status_code == 400, name
        # Who may not comment learns that first, whatever the body.
        assert _send(stranger, "POST", url, raw).status_code == 404, name
        assert _send(classmate, "POST", url, raw).status_code == 404, name
        assert _send(owner, "POST", url, raw).status_code == 403, name
        assert _send(stranger, "PATCH", edit, raw).status_code == 404, name
    assert [c["body"] for c in trainer.get(url).json["comments"]] == ["Coupe trop tôt ici."]
    # Said in the interface's language (French by default).
    assert "objet JSON" in _send(trainer, "POST", url, b"[]").json["message"]


def test_a_stranger_sending_a_bad_moment_by_form_gets_404(app, people, item_id):
    stranger = client_for(app, people.other_trainer)
    response = stranger.post(f"/media/{item_id}/comments", data={"at": "n'importe", "body": "x"})
    assert response.status_code == 404
