"""Helpers for media tests: a tus client over Flask's test client, and people in cohorts."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.accounts.models import User
from tests.factories import login, make_cohort, make_user

TUS = {"Tus-Resumable": "1.0.0"}


def create(client, length: int, name: str = "clip.mp4", **headers):
    meta = "filename " + base64.b64encode(name.encode()).decode()
    return client.post(
        "/media/uploads",
        headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": meta, **headers},
    )


def patch(client, url: str, offset: int, data: bytes, **headers):
    return client.patch(
        url,
        data=data,
        headers={
            **TUS,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            **headers,
        },
    )


def head_offset(client, url: str) -> int:
    response = client.head(url, headers=TUS)
    assert response.status_code == 200
    return int(response.headers["Upload-Offset"])


def upload_file(client, path: Path, chunk: int = 64 * 1024) -> int:
    """Upload a whole file in chunks; returns the media item id."""
    data = Path(path).read_bytes()
    created = create(client, len(data), Path(path).name)
    assert created.status_code == 201, created.data
    url = created.headers["Location"]
    for start in range(0, len(data), chunk):
        response = patch(client, url, start, data[start : start + chunk])
        assert response.status_code == 204, response.data
    return created.json["item_id"]


@dataclass
class People:
    owner: User
    classmate: User
    trainer: User
    other_trainer: User
    admin: User


@pytest.fixture(name="people")
def people_fixture(app, courses) -> People:
    """A trainee with a classmate and a trainer in one cohort; another cohort's trainer."""
    owner, classmate = make_user("trainee"), make_user("trainee")
    trainer, other_trainer = make_user("trainer"), make_user("trainer")
    outsider = make_user("trainee")
    make_cohort(["montage-video"], trainer=trainer, trainees=[owner, classmate])
    make_cohort(["montage-video"], trainer=other_trainer, trainees=[outsider])
    return People(owner, classmate, trainer, other_trainer, make_user("admin"))


def hand_in(client, item_id: int, course_slug: str = "montage-video") -> None:
    """Hand a video in to the first video assignment of a workshop, through its page."""
    from tests.submissions.conftest import assignment_of, page_url

    url = page_url(assignment_of("video", course_slug))
    response = client.post(url, data={"media_item_id": item_id})
    assert response.status_code == 302, response.data


def client_for(app, user: User):
    client = app.test_client()
    login(client, user)
    return client
