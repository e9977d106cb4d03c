"""A trainee's work on an assignment: the submission, its numbered versions, reviews and scores."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from lms.accounts.models import Cohort, User
from lms.clock import utcnow
from lms.courses.models import Assignment
from lms.extensions import db


class SubmissionStatus(StrEnum):
    """draft -> submitted -> graded | returned -> submitted (a new version) ..."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    GRADED = "graded"


class ReviewStatus(StrEnum):
    """A trainer's review: a private draft, a released grade, or a return for revision."""

    DRAFT = "draft"
    RELEASED = "released"
    RETURNED = "returned"


class Submission(db.Model):
    """One trainee's work on one assignment, across all its versions."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("user_id", "assignment_id"),
        Index("ix_submissions_queue", "cohort_id", "status", "submitted_at"),
        # A trainee's work, and their latest activity from the index alone (the cohort grid).
        Index("ix_submissions_user_activity", "user_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    # The cohort whose trainers grade this work, fixed when the submission is created.
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.DRAFT)
    attempts_used: Mapped[int] = mapped_column(default=0)
    # Copied from the latest submitted version so that the queue needs no join on versions.
    current_number: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_late: Mapped[bool] = mapped_column(default=False)
    extended_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Optimistic concurrency: every UPDATE checks and bumps it.
    lock_version: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship()
    assignment: Mapped[Assignment] = relationship()
    cohort: Mapped[Cohort] = relationship()
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @hybrid_property
    def holds_work(self) -> bool:
        """False for a row made only to hold an extension (a draft never written to)."""
        return self.status != SubmissionStatus.DRAFT or self.updated_at != self.created_at

    @holds_work.inplace.expression
    @classmethod
    def _holds_work_expression(cls) -> ColumnElement[bool]:
        return or_(cls.status != SubmissionStatus.DRAFT, cls.updated_at != cls.created_at)

    @property
    def shown_status(self) -> str | None:
        """The status a trainee sees; None for a row that only holds an extension."""
        return self.status if self.holds_work else None

    @property
    def draft(self) -> SubmissionVersion | None:
        """The version being prepared, not yet handed in."""
        last = self.versions[-1] if self.versions else None
        return last if last is not None and last.submitted_at is None else None

    @property
    def submitted_versions(self) -> list[SubmissionVersion]:
        return [v for v in self.versions if v.submitted_at is not None]

    @property
    def latest_submitted(self) -> SubmissionVersion | None:
        done = self.submitted_versions
        return done[-1] if done else None


class SubmissionVersion(db.Model):
    """One numbered version; frozen once submitted (the services never change it after)."""

    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    number: Mapped[int] = mapped_column()
    body_md: Mapped[str | None] = mapped_column(Text)
    # A stored file: a random name under MEDIA_DIR/submissions, never the trainee's name.
    stored_name: Mapped[str | None] = mapped_column(String(80))
    original_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    media_item_id: Mapped[int | None] = mapped_column(ForeignKey("media_items.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    late: Mapped[bool] = mapped_column(default=False)

    submission: Mapped[Submission] = relationship(back_populates="versions")
    review: Mapped[Review | None] = relationship(back_populates="version", uselist=False)


class Review(db.Model):
    """A trainer's review of one version: scores, feedback, and whether the trainee sees it."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id"), unique=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.DRAFT)
    feedback_md: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str | None] = mapped_column(Text)
    total_points: Mapped[int] = mapped_column(default=0)
    max_points: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lock_version: Mapped[int] = mapped_column(default=1)

    version: Mapped[SubmissionVersion] = relationship(back_populates="review")
    trainer: Mapped[User] = relationship()
    scores: Mapped[list[CriterionScore]] = relationship(
        back_populates="review", order_by="CriterionScore.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def visible_to_trainee(self) -> bool:
        return self.status in (ReviewStatus.RELEASED, ReviewStatus.RETURNED)


class CriterionScore(db.Model):
    """The level chosen for one criterion, with a snapshot so later course edits change nothing."""

    __tablename__ = "criterion_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="SET NULL")
    )
    level_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric_levels.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0)
    criterion_title: Mapped[str] = mapped_column(String(200))
    level_label: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column()
    max_points: Mapped[int] = mapped_column()

    review: Mapped[Review] = relationship(back_populates="scores")


class CohortDueDate(db.Model):
    """A due date a trainer set for one assignment in one cohort, replacing the offset."""

    __tablename__ = "cohort_due_dates"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
