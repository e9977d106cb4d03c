"""Users with one role, and cohorts that group trainees and trainers around workshops."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db


class Role(StrEnum):
    """What a person does on Atelier."""

    TRAINEE = "trainee"
    TRAINER = "trainer"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """A person who signs in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.TRAINEE)
    locale: Mapped[str | None] = mapped_column(String(8))
    gender: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(80))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Set for an account created with a temporary password: it changes it before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[CohortMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The server-side session (UserSession.id) this object was signed in or loaded with.
    session_id = None

    def get_id(self) -> str:
        """Session identity: the server-side session's id, so that ending it signs out. Without
        one (signed in without accounts.sessions.start_session) no later request finds the
        user: the mistake signs out rather than in."""
        return self.session_id or ""

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_trainee(self) -> bool:
        return self.role == Role.TRAINEE

    @property
    def is_trainer(self) -> bool:
        return self.role == Role.TRAINER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Cohort(db.Model):
    """A group of trainees following workshops together, in one place, with trainers."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    region: Mapped[str | None] = mapped_column(String(80))
    place: Mapped[str | None] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[CohortMember]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    trainers: Mapped[list[CohortTrainer]] = relationship(cascade="all, delete-orphan")
    courses: Mapped[list[CohortCourse]] = relationship(cascade="all, delete-orphan")


class CohortMember(db.Model):
    """A trainee's place in a cohort."""

    __tablename__ = "cohort_members"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


class CohortTrainer(db.Model):
    """A trainer who follows and grades a cohort."""

    __tablename__ = "cohort_trainers"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)

    user: Mapped[User] = relationship()


class CohortCourse(db.Model):
    """A workshop that a cohort follows."""

    __tablename__ = "cohort_courses"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True, index=True)


class UserSession(db.Model):
    """A signed-in browser; the session cookie only names it, so deleting it signs that browser
    out even where a copy of the cookie survives."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
