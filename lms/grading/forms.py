"""Parsing of the grading form; only the fields a grader may set are ever read."""

from __future__ import annotations

from collections.abc import Mapping

from lms.grading.reviews import ReviewInput
from lms.submissions.forms import parse_int

CRITERION_PREFIX = "criterion-"


def parse_review(form: Mapping[str, str]) -> ReviewInput:
    """Levels chosen per criterion (criterion-<id> = level id), feedback, and the form's tokens."""
    levels: dict[int, int] = {}
    for key, value in form.items():
        if key.startswith(CRITERION_PREFIX) and value != "":
            criterion_id = parse_int(key[len(CRITERION_PREFIX) :])
            levels[criterion_id] = parse_int(value)
    return ReviewInput(
        version_number=parse_int(form.get("version"), 0),
        review_lock=parse_int(form.get("review_lock"), 0),
        levels=levels,
        feedback=form.get("feedback", ""),
        reason=form.get("reason", ""),
    )
