"""Hostile cells of an imported CSV file are shown to the administrator as text, never as markup."""

from __future__ import annotations

import io

from flask import render_template_string
from flask_babel import lazy_gettext as _l

from tests.factories import make_cohort

IMG = "<img src=x onerror=alert(1)>"
BOLD = "<b>x</b>"


def test_hostile_cells_in_the_refused_report_are_escaped(admin_client, courses):
    cohort = make_cohort(["redaction-contenu"])
    data = (
        "name,email,gender,region\n"
        f'Amina,"{IMG}",f,\n'
        f"Hind,hind@example.ma,{BOLD},\n"
        f'Sara,sara@example.ma,,"{IMG}{BOLD}"\n'
    ).encode()
    response = admin_client.post(
        f"/admin/cohorts/{cohort.id}/import",
        data={"file": (io.BytesIO(data), "trainees.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert IMG not in page and BOLD not in page and "<img" not in page
    assert "“&lt;img src=x onerror=alert(1)&gt;” is not a valid email address." in page
    assert "the gender “&lt;b&gt;x&lt;/b&gt;” is not f, m or empty." in page


def test_lazy_translations_escape_their_values_and_keep_numbers(app):
    message = _l("“%(email)s” is not a valid email address.", email=IMG)
    count = _l("The file has more than %(n)s trainees. Split it into smaller files.", n=300)
    with app.test_request_context():
        html = render_template_string(
            "{{ m }}|{{ c }}|{{ _('Line %(line)s', line=m) }}", m=message, c=count
        )
        assert IMG not in html
        assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2
        assert " 300 " in html
        assert IMG in str(message)  # plain text where no HTML is made: e-mails, CSV, JSON
