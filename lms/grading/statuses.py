"""A trainee's status in a module, as the cohort grid and the trainee's page show it."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from lms.submissions.models import SubmissionStatus

# What a trainee's work in a module weighs for its status: "1" when a piece waits for grading,
# else "2" when one was returned, else "3" when there is any (a draft, a graded piece); the least
# wins. The grid's query computes the same ranks in SQL (grid_statements.py).
WORK_RANKS = {SubmissionStatus.SUBMITTED: "1", SubmissionStatus.RETURNED: "2"}
OTHER_WORK, NO_WORK = "3", "0"


def work_rank(statuses: Iterable[str]) -> str:
    """The rank of a trainee's work in a module from its statuses, as the grid's query gives it."""
    return min((WORK_RANKS.get(status, OTHER_WORK) for status in statuses), default=NO_WORK)


def module_status(read: bool, completed: bool, rank: str, has_required: bool) -> str:
    """A trainee's status in a module from their progress and the rank of their work.

    Completion is recorded when the rules hold (a module read, required work graded above the
    threshold); a read module without required work is complete too, as on the trainee's page.
    """
    if completed or (read and not has_required):
        return "complete"
    if rank == "1":
        return "waiting"
    if rank == "2":
        return "returned"
    if read or rank != NO_WORK:
        return "in_progress"
    return "not_started"


def cell_labels() -> dict[str, str]:
    """The statuses' labels in the reader's language."""
    return {
        "complete": _("done"),
        "waiting": _("to grade"),
        "returned": _("returned"),
        "in_progress": _("started"),
        "not_started": "—",
    }
