"""The impact figures as one CSV table that spreadsheets open in Arabic and French alike."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from flask_babel import gettext as _

from lms.reports.impact import Figures, ImpactReport

COLUMNS = (
    "section",
    "code",
    "name",
    "beneficiaries",
    "women",
    "gender_declared",
    "women_percent",
    "cohorts",
    "modules_completed",
    "workshops_completed",
    "certificates",
)


def _row(section: str, figures: Figures) -> list:
    percent = figures.women_percent
    return [
        section,
        figures.detail,
        figures.label,
        figures.beneficiaries,
        figures.women,
        figures.declared,
        "" if percent is None else percent,
        figures.cohorts,
        figures.modules_completed,
        figures.workshops_completed,
        figures.certificates,
    ]


def impact_csv(report: ImpactReport, delimiter: str = ",") -> str:
    """Sections total, region, workshop and cohort in one table; BOM first so Excel reads UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(_row("total", replace(report.total, label=_("All cohorts"))))
    for figures in report.regions:
        writer.writerow(_row("region", figures))
    for figures in report.workshops:
        writer.writerow(_row("workshop", figures))
    for figures in report.cohorts:
        writer.writerow(_row("cohort", figures))
    return "\ufeff" + out.getvalue()
