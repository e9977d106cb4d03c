"""The cohort grid's table body as HTML, written here rather than by the template's loop.

Why: a cohort of 40 trainees and 6 modules makes ~300 cells, and the template's loop (a call,
a lookup and an escape per cell) cost a quarter of the grid page's server time, measured with
`bench/grading.py --tree` against this module. Every text is escaped here; what the page shows
is the template's business everywhere else.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from lms.grading.grid import Grid


def grid_rows_html(
    grid: Grid, trainee_link: str, course_query: str, never: str, inactive: str
) -> Markup:
    """The <tr>s of the grid's <tbody>: each trainee's name linking to their page (the link, their
    id and the query), a cell per module with its status's label, their last activity."""
    link, query = escape(trainee_link), escape(course_query)
    cells = {
        status: f'<td class="cell-{escape(status)}">{escape(label)}</td>'
        for status, label in grid.labels.items()
    }
    never_text = escape(never)
    badge = Markup(' <span class="badge late">{}</span>').format(inactive)
    lines = []
    for row in grid.rows:
        flag, late = (' class="inactive"', badge) if row.inactive else ("", "")
        lines.append(
            f'<tr{flag}><th scope="row" dir="auto"><a href="{link}{row.trainee.id}{query}">'
            f"{escape(row.trainee.name)}</a></th>{''.join([cells[s] for s in row.statuses])}"
            f"<td>{escape(row.last_activity_date) or never_text}{late}</td></tr>"
        )
    return Markup("\n".join(lines))  # noqa: S704 - every text above was escaped
