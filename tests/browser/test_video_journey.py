"""A trainee uploads a video over a connection that drops, watches it, and jumps to the
moments a trainer commented on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.media.models import MediaItem
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import PASSWORD, make_cohort, make_user
from tests.submissions.conftest import assignment_of, page_url


@pytest.fixture
def small_clip(tmp_path) -> Path:
    target = tmp_path / "produit coopérative.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=30:duration=3",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-b:v",
            "1200k",
            "-c:a",
            "aac",
            "-shortest",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return target


def open_player(page, base_url: str, user, path: str) -> None:
    """Sign in as the user, open the page and wait until its player knows the video."""
    sign_in(page, base_url, user.email, PASSWORD)
    page.goto(f"{base_url}{path}")
    page.wait_for_function(
        "(document.querySelector('video.media-video') || {}).readyState >= 1", timeout=60_000
    )


def page_weight(page) -> int:
    """Bytes of the page's HTML, style sheets and scripts (not its video or poster)."""
    return page.evaluate(
        """() => {
            const [doc] = performance.getEntriesByType('navigation');
            const assets = performance.getEntriesByType('resource')
                .filter(r => /\\.(css|js)$/.test(new URL(r.name).pathname));
            return [doc, ...assets].reduce((sum, r) => sum + r.decodedBodySize, 0);
        }"""
    )


def test_upload_resumes_after_a_cut_then_comments_take_the_trainee_to_their_moment(
    app, courses, live_server, page, browser, browser_context_args, small_clip, monkeypatch
):
    monkeypatch.setitem(app.config, "MEDIA_UPLOAD_CHUNK_BYTES", 96 * 1024)
    trainee, trainer = make_user("trainee"), make_user("trainer")
    make_cohort(["montage-video"], trainer=trainer, trainees=[trainee])

    patches, heads_after_cut, cut = [], [], {"done": False}

    def drop_one_patch(route, request):
        if request.method == "PATCH":
            patches.append(request)
            if len(patches) == 2 and not cut["done"]:
                cut["done"] = True
                route.abort("internetdisconnected")  # the phone loses its signal
                return
        if request.method == "HEAD" and cut["done"]:
            heads_after_cut.append(request)
        route.continue_()

    page.route("**/media/uploads/*", drop_one_patch)
    sign_in(page, live_server, trainee.email, PASSWORD)
    page.goto(f"{live_server}/media/upload")
    assert axe_violations(page) == []
    page.set_input_files("#video-file", str(small_clip))
    page.click("#upload-start")
    page.wait_for_selector("#upload-done a", timeout=90_000)

    assert cut["done"] and heads_after_cut, "the uploader asked the offset after the cut"
    item = db.session.scalars(select(MediaItem).where(MediaItem.owner_id == trainee.id)).one()
    assert item.status == "ready" and item.original_name == small_clip.name
    assert item.size_bytes == small_clip.stat().st_size

    page.click("#upload-done a")
    page.wait_for_selector("video.media-video")
    weight = page_weight(page)
    print(f"player page weight: {weight} bytes")
    assert 4 * 1024 < weight < 60 * 1024  # the video and poster excluded
    assert axe_violations(page) == []
    page.evaluate(
        """async () => {
            const v = document.querySelector('video.media-video');
            v.muted = true;
            await v.play();
        }"""
    )
    # Playback advances (waiting for it rather than sleeping: a loaded machine decodes slowly).
    page.wait_for_function("document.querySelector('video.media-video').currentTime > 0.2")
    page.evaluate("document.querySelector('video.media-video').pause()")
    # Handed in to her cohort: only now may its trainer watch it.
    page.goto(
        f"{live_server}{page_url(assignment_of('video', 'montage-video'))}?media_item={item.id}"
    )
    page.get_by_role("button", name="Rendre cette vidéo").click()
    page.wait_for_selector("#history-title")

    trainer_context = browser.new_context(**browser_context_args)
    try:
        trainer_page = trainer_context.new_page()
        open_player(trainer_page, live_server, trainer, f"/media/{item.id}/")
        for moment, text in ((0.6, "Le cadrage est bon."), (2.2, "Coupez ici.")):
            trainer_page.evaluate(
                """at => new Promise(resolve => {
                    const v = document.querySelector('video.media-video');
                    v.addEventListener('seeked', resolve, {once: true});
                    v.currentTime = at;
                })""",
                moment,
            )
            trainer_page.fill("textarea.comment-text", text)
            trainer_page.click(".comment-form button[type=submit]")
            trainer_page.wait_for_selector(f".comment-list li:has-text('{text}')")
        assert trainer_page.locator(".media-timeline .media-marker").count() == 2
        assert axe_violations(trainer_page) == []  # the comment form and markers too
        # The trainer edits the second comment.
        trainer_page.once("dialog", lambda dialog: dialog.accept())
        second = trainer_page.locator(".comment-list li", has_text="Coupez ici.")
        second.get_by_role("button", name="Modifier").click()
        trainer_page.fill(".comment-edit", "Coupez ici, le plan est trop long.")
        trainer_page.get_by_role("button", name="Enregistrer").click()
        trainer_page.wait_for_selector(".comment-list li:has-text('trop long')")
    finally:
        trainer_context.close()

    page.reload()
    page.wait_for_selector(".comment-list li:has-text('trop long')")
    page.evaluate("document.querySelector('video.media-video').muted = true")
    page.locator(".comment-list li", has_text="trop long").locator(".comment-time").click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video.media-video').currentTime - 2.2) < 0.4"
    )


def test_a_video_assignment_is_handed_in_from_its_page_and_played_while_grading(
    app, courses, live_server, page, browser, browser_context_args, small_clip
):
    """The trainee goes from the assignment to the uploader and back, finds the new video chosen
    among their own, hands it in; their trainer plays it on the grading page and comments at a
    moment of it; the trainee reads the comment on the assignment page and jumps to its moment."""
    from lms.submissions.models import Submission

    trainee, trainer = make_user("trainee"), make_user("trainer")
    make_cohort(["montage-video"], trainer=trainer, trainees=[trainee])
    url = f"{live_server}{page_url(assignment_of('video', 'montage-video'))}"
    sign_in(page, live_server, trainee.email, PASSWORD)
    page.goto(url)
    page.get_by_role("link", name="Envoyer une vidéo").click()
    page.set_input_files("#video-file", str(small_clip))
    page.click("#upload-start")
    page.wait_for_url("**media_item=*", timeout=90_000)
    item = db.session.scalars(select(MediaItem).where(MediaItem.owner_id == trainee.id)).one()
    chosen = page.locator("input[name=media_item_id]:checked")
    assert chosen.get_attribute("value") == str(item.id)
    assert small_clip.name in page.locator(f"label[for=video-{item.id}]").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Rendre cette vidéo").click()
    page.wait_for_selector("#history-title")
    db.session.expire_all()
    submission = db.session.scalars(
        select(Submission).where(Submission.user_id == trainee.id)
    ).one()
    assert submission.status == "submitted"
    assert submission.versions[-1].media_item_id == item.id

    trainer_context = browser.new_context(**browser_context_args)
    try:
        grading = f"/grading/submissions/{submission.id}"
        trainer_page = trainer_context.new_page()
        open_player(trainer_page, live_server, trainer, grading)
        # Feedback at a moment of the video, from the grading page.
        trainer_page.evaluate(
            """() => new Promise(resolve => {
                const v = document.querySelector('video.media-video');
                v.addEventListener('seeked', resolve, {once: true});
                v.currentTime = 2;
            })"""
        )
        trainer_page.fill("textarea.comment-text", "Le plan final arrive trop tôt.")
        trainer_page.click(".comment-form button[type=submit]")
        trainer_page.wait_for_selector(".comment-list li:has-text('trop tôt')")
    finally:
        trainer_context.close()

    # The trainee reads it on their assignment page, and its moment takes the player there.
    page.reload()
    comment = page.locator(".comment-list li", has_text="trop tôt")
    assert comment.locator(".comment-time").inner_text() == "0:02"
    comment.locator(".comment-time").click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video.media-video').currentTime - 2) < 0.5"
    )
