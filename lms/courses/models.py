"""Workshops (courses), modules, assignments and their rubrics."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.i18n import pick


class AssignmentKind(StrEnum):
    """What a trainee hands in."""

    TEXT = "text"
    FILE = "file"
    VIDEO = "video"


class Titled:
    """Columns title_fr/ar/en read back in the current language."""

    @property
    def title(self) -> str:
        return pick({"fr": self.title_fr, "ar": self.title_ar, "en": self.title_en})


class Course(Titled, db.Model):
    """A workshop: modules, hours, and the threshold to pass its assignments."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    hours: Mapped[int] = mapped_column(default=0)
    pass_threshold: Mapped[int] = mapped_column(default=60)
    max_attempts: Mapped[int] = mapped_column(default=3)
    title_fr: Mapped[str] = mapped_column(String(200))
    title_ar: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary_fr: Mapped[str] = mapped_column(Text, default="")
    summary_ar: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position"
    )

    @property
    def summary(self) -> str:
        return pick({"fr": self.summary_fr, "ar": self.summary_ar, "en": self.summary_en})


class Module(Titled, db.Model):
    """A chapter of a workshop: a text to read and assignments to hand in."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    title_fr: Mapped[str] = mapped_column(String(200))
    title_ar: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once, at sync, so a page view does no Markdown work.
    body_html: Mapped[str] = mapped_column(Text, default="")
    reading_minutes: Mapped[int] = mapped_column(default=0)
    required: Mapped[bool] = mapped_column(default=True)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    course: Mapped[Course] = relationship(back_populates="modules")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="module", order_by="Assignment.position"
    )


class Assignment(db.Model):
    """Work a trainee hands in for a module, graded with a rubric."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("module_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    instructions_md: Mapped[str] = mapped_column(Text, default="")
    instructions_html: Mapped[str] = mapped_column(Text, default="")
    due_offset_days: Mapped[int | None] = mapped_column()
    required: Mapped[bool] = mapped_column(default=True)
    max_attempts: Mapped[int] = mapped_column(default=3)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    module: Mapped[Module] = relationship(back_populates="assignments")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="assignment",
        order_by="RubricCriterion.position",
        cascade="all, delete-orphan",
    )

    @property
    def max_points(self) -> int:
        return sum(max((lvl.points for lvl in c.levels), default=0) for c in self.criteria)


class RubricCriterion(db.Model):
    """One thing the trainer judges, with its levels."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (UniqueConstraint("assignment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="criteria")
    levels: Mapped[list[RubricLevel]] = relationship(
        back_populates="criterion", order_by="RubricLevel.points", cascade="all, delete-orphan"
    )


class RubricLevel(db.Model):
    """A level of a criterion and the points it gives."""

    __tablename__ = "rubric_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id"), index=True)
    position: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column()

    criterion: Mapped[RubricCriterion] = relationship(back_populates="levels")
