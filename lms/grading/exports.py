"""A cohort's grades as CSV, in UTF-8 with a BOM so that spreadsheet software reads Arabic right."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.courses.models import RubricCriterion, RubricLevel
from lms.extensions import db
from lms.grading.grid import Grid, cohort_grid
from lms.progress.services import work_states

BOM = "\ufeff"
# Cells starting with these are run as formulas by spreadsheet software.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def max_points(assignment_ids: list[int]) -> dict[int, int]:
    """Each assignment's rubric maximum (the best level of each criterion, summed), one query."""
    if not assignment_ids:
        return {}
    best = (
        select(
            RubricCriterion.assignment_id.label("assignment_id"),
            func.max(RubricLevel.points).label("points"),
        )
        .join(RubricLevel, RubricLevel.criterion_id == RubricCriterion.id)
        .where(RubricCriterion.assignment_id.in_(assignment_ids))
        .group_by(RubricCriterion.id)
        .subquery()
    )
    rows = db.session.execute(
        select(best.c.assignment_id, func.sum(best.c.points)).group_by(best.c.assignment_id)
    )
    return {assignment_id: int(total or 0) for assignment_id, total in rows}


def grades_csv(user: User, cohort_id: int, course_slug: str | None = None) -> tuple[str, Grid]:
    """The grades of each trainee of a cohort in one workshop, one column per assignment."""
    grid = cohort_grid(user, cohort_id, course_slug)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    assignments = grid.assignments
    top = max_points([a.id for a in assignments])
    # As in the grid: only the work handed in to this cohort, not to the trainee's other ones.
    works = work_states(
        [row.trainee.id for row in grid.rows], [a.id for a in assignments], grid.cohort.id
    )
    writer.writerow(
        [_("Name"), _("Email")]
        + [_cell(f"{a.title} (/{top.get(a.id, 0)})") for a in assignments]
        + [_("Modules complete"), _("Workshop complete")]
    )
    labels = {
        "draft": _("draft"),
        "submitted": _("to grade"),
        "returned": _("returned"),
        "graded": _("graded"),
    }
    for row in grid.rows:
        cells = []
        for assignment in assignments:
            work = works.get((row.trainee.id, assignment.id))
            if work is None:
                cells.append("")
            elif work.total is not None:
                cells.append(str(work.total))
            else:
                cells.append(labels.get(work.status, work.status))
        required = [m for m in grid.modules if m.required]
        done = all(
            status == "complete"
            for status, m in zip(row.statuses, grid.modules, strict=True)
            if m.required
        )
        writer.writerow(
            [
                _cell(row.trainee.name),
                _cell(row.trainee.email),
                *cells,
                f"{row.complete_modules}/{len(grid.modules)}",
                _("yes") if done and required else _("no"),
            ]
        )
    return BOM + out.getvalue(), grid
