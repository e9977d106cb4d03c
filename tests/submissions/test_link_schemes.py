"""A trainee's text, as trainer and trainee read it, links only to web, mail and our pages."""

from __future__ import annotations

from lms.extensions import db
from lms.submissions.models import Submission
from tests.submissions.conftest import page_url

TEXT = (
    "Voir ftp://files.evil.com/plan et ssh://user@host.ma, "
    "[photo](data:text/html;base64,PHNjcmlwdD4=), ![x](ftp://evil.com/x.png), "
    "et https://ofppt.ma pour le reste."
)


def test_submitted_text_keeps_only_safe_links(klass, text_assignment, as_user):
    client = as_user(klass.trainee)
    client.post(page_url(text_assignment), data={"action": "submit", "body": TEXT})
    submission = db.session.query(Submission).one()
    pages = [
        client.get(page_url(text_assignment)).get_data(as_text=True),
        as_user(klass.trainer).get(f"/grading/submissions/{submission.id}").get_data(as_text=True),
    ]
    for page in pages:
        assert "ftp://files.evil.com/plan" in page  # shown as text
        for refused in (
            'href="ftp:',
            'href="ssh:',
            'href="data:',
            'src="ftp:',
            'files.evil.com/plan"',
        ):
            assert refused not in page
        assert 'href="https://ofppt.ma" rel="nofollow noopener noreferrer"' in page
