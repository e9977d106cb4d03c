"""Lesson videos: `courses/<slug>/media/*` sent through the upload pipeline, and embedded in
module pages where the Markdown says `![Title](media/file.mp4)`."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from lms.courses.models import Course
from lms.errors import NotFound
from lms.extensions import db
from lms.media import storage
from lms.media.models import MediaItem, MediaPurpose, MediaStatus
from lms.media.tasks import queue_item

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".3gp", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts"}
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'\b(src|alt)="([^"]*)"', re.IGNORECASE)


@dataclass
class LessonSyncReport:
    """What a sync of lesson videos did; the jobs go to the workers once the caller commits."""

    queued: list[int] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def sync_lesson_videos(course_slug: str, folder: Path) -> LessonSyncReport:
    """Queue each video of `folder/media/` whose content is new; idempotent by SHA-256."""
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        raise NotFound(f"unknown course {course_slug}")
    report = LessonSyncReport()
    media = Path(folder) / "media"
    if not media.is_dir():
        return report
    for path in sorted(media.iterdir()):
        # Only plain files: a symbolic link could pull any file of the server into a lesson.
        if path.is_symlink() or not path.is_file() or path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        name = f"media/{path.name}"
        digest = storage.file_sha256(path)
        existing = db.session.scalar(
            select(MediaItem)
            .where(
                MediaItem.course_id == course.id,
                MediaItem.purpose == MediaPurpose.LESSON,
                MediaItem.original_name == name,
                MediaItem.content_sha256 == digest,
            )
            .order_by(MediaItem.id.desc())
        )
        if existing is not None:
            if existing.status == MediaStatus.FAILED:
                queue_item(existing)
                report.queued.append(existing.id)
            else:
                report.unchanged.append(name)
            continue
        item = MediaItem(
            token=storage.new_token(),
            owner_id=None,
            purpose=MediaPurpose.LESSON,
            course_id=course.id,
            original_name=name,
            status=MediaStatus.UPLOADED,
        )
        item.size_bytes, item.content_sha256 = storage.store_copy(path, item.token)
        db.session.add(item)
        queue_item(item)
        report.queued.append(item.id)
    return report


def lesson_videos(course: Course, names: set[str]) -> dict[str, MediaItem]:
    """For each referenced file, the newest ready version (else the newest), in one query."""
    if not names:
        return {}
    rows = db.session.scalars(
        select(MediaItem)
        .where(
            MediaItem.course_id == course.id,
            MediaItem.purpose == MediaPurpose.LESSON,
            MediaItem.original_name.in_(names),
        )
        .order_by(MediaItem.id)
    ).all()
    chosen: dict[str, MediaItem] = {}
    for item in rows:
        current = chosen.get(item.original_name)
        if current is None or item.is_ready or not current.is_ready:
            chosen[item.original_name] = item
    return chosen


def embed_lesson_videos(body_html: str, course: Course) -> Markup:
    """Module HTML with each `<img src="media/x.mp4">` replaced by the player of that video."""
    found = []
    for match in _IMG.finditer(body_html):
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(match.group(0))}
        src = attrs.get("src", "")
        if (
            src.startswith("media/")
            and "/" not in src[6:]
            and Path(src).suffix.lower() in VIDEO_SUFFIXES
        ):
            found.append((match, src, attrs.get("alt", "")))
    if not found:
        return Markup(body_html)  # noqa: S704 - the module HTML is already sanitised
    items = lesson_videos(course, {src for _m, src, _alt in found})
    parts, last = [], 0
    for match, src, alt in found:
        parts.append(body_html[last : match.start()])
        parts.append(
            render_template("media/_lesson_video.html", media_item=items.get(src), title=alt)
        )
        last = match.end()
    parts.append(body_html[last:])
    return Markup("".join(parts))  # noqa: S704 - sanitised HTML and our own template
