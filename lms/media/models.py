"""Uploaded videos, their resumable uploads, processing state and time-stamped comments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.accounts.models import User


class MediaStatus(StrEnum):
    """A video's life: uploaded -> queued -> processing -> ready | rejected | failed."""

    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"
    FAILED = "failed"


class MediaPurpose(StrEnum):
    """Why a video exists: handed in by a trainee, or part of a lesson."""

    SUBMISSION = "submission"
    LESSON = "lesson"


class MediaItem(db.Model):
    """One uploaded video (or lesson video) and what the pipeline made of it."""

    __tablename__ = "media_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable name used for every path of this item under the media folder.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default=MediaPurpose.SUBMISSION)
    # Lesson videos belong to a workshop: whoever sees the workshop may watch them.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    content_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default=MediaStatus.UPLOADING, index=True)
    progress_percent: Mapped[int] = mapped_column(default=0)
    rejection_reason: Mapped[str | None] = mapped_column(String(64))
    rejection_params: Mapped[dict | None] = mapped_column(JSON)
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    probe: Mapped[dict | None] = mapped_column(JSON)
    renditions: Mapped[list | None] = mapped_column(JSON)
    duration_seconds: Mapped[float | None] = mapped_column()
    # Which worker (host:pid) holds the job, and when it last showed signs of life.
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    comments: Mapped[list[VideoComment]] = relationship(
        back_populates="media_item",
        cascade="all, delete-orphan",
        order_by="(VideoComment.at_seconds, VideoComment.id)",
    )

    @property
    def is_ready(self) -> bool:
        return self.status == MediaStatus.READY

    @property
    def is_finished(self) -> bool:
        return self.status in (MediaStatus.READY, MediaStatus.REJECTED, MediaStatus.FAILED)


class MediaUpload(db.Model):
    """A resumable (tus) upload in progress; its bytes so far live in a file of the item."""

    __tablename__ = "media_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The upload's address (/media/uploads/<token>); distinct from the item's storage token.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    media_item: Mapped[MediaItem] = relationship()


class VideoComment(db.Model):
    """A trainer's remark at a moment of a video."""

    __tablename__ = "video_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at_seconds: Mapped[float] = mapped_column(Float)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    media_item: Mapped[MediaItem] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(lazy="selectin")


class VideoHandIn(db.Model):
    """A cohort a trainee handed a video in to: that cohort's trainers may watch it."""

    __tablename__ = "video_hand_ins"

    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
