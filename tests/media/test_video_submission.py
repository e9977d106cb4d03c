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
