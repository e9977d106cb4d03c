"""A video assignment end to end through the pages: a clip made and transcoded by the real
ffmpeg is handed in as a reference to the media item, and its trainer watches it while grading."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.extensions import db
from lms.media.models import MediaItem
from lms.submissions.models import Submission
from tests.media.uploading import client_for, people_fixture, upload_file
from tests.submissions.conftest import assignment_of, page_url

__all__ = ["people_fixture"]  # a fixture used by name


def test_a_handed_in_video_plays_on_the_grading_page_and_only_there(app, people, clip):
    owner = client_for(app, people.owner)
    item_id = upload_file(owner, clip("h264_aac"))  # transcoded at once (immediate queue)
    assert db.session.get(MediaItem, item_id).status == "ready"
    assignment = assignment_of("video", "montage-video")
    url = page_url(assignment)

    # The assignment page offers the owner's own videos to choose from, the one just uploaded
    # chosen; a classmate's page does not offer it.
    owner_page = owner.get(f"{url}?media_item={item_id}").get_data(as_text=True)
    choice = re.search(rf'<input type="radio" id="video-{item_id}"[^>]*>', owner_page)
    assert choice and "checked" in choice.group(0) and 'name="media_item_id"' in choice.group(0)
    classmate = client_for(app, people.classmate)
    assert f'id="video-{item_id}"' not in classmate.get(url).get_data(as_text=True)
    # A classmate cannot hand in someone else's video; the owner can.
    assert classmate.post(url, data={"media_item_id": item_id}).status_code == 404
    handed = owner.post(url, data={"media_item_id": item_id})
    assert handed.status_code == 302
    submission = db.session.scalar(select(Submission).where(Submission.user_id == people.owner.id))
    assert submission.status == "submitted"
    assert submission.versions[-1].media_item_id == item_id

    grading = f"/grading/submissions/{submission.id}"
    page = client_for(app, people.trainer).get(grading)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-status-url="/media/{item_id}/status"' in html and 'data-status="ready"' in html
    assert client_for(app, people.other_trainer).get(grading).status_code == 404


def test_pages_showing_a_commented_video_render_for_everyone_who_may_see_it(app, people, clip):
    """A comment at a moment, written by the trainer: the grading page (with the delete button
    for its author) and the trainee's assignment page both show it."""
    owner = client_for(app, people.owner)
    item_id = upload_file(owner, clip("h264_aac"))
    url = page_url(assignment_of("video", "montage-video"))
    assert owner.post(url, data={"media_item_id": item_id}).status_code == 302
    submission = db.session.scalar(select(Submission).where(Submission.user_id == people.owner.id))
    trainer = client_for(app, people.trainer)
    added = trainer.post(
        f"/media/{item_id}/comments", data={"at": "0:01", "body": "Coupez <b>ici</b>."}
    )
    assert added.status_code in (201, 302)
    grading = trainer.get(f"/grading/submissions/{submission.id}")
    assert grading.status_code == 200
    assert "Coupez &lt;b&gt;ici&lt;/b&gt;." in grading.get_data(as_text=True)
    assert "/delete" in grading.get_data(as_text=True)  # its author may delete it
    mine = owner.get(url)
    assert mine.status_code == 200
    assert "Coupez &lt;b&gt;ici&lt;/b&gt;." in mine.get_data(as_text=True)
