"""Hostile text through every field (work, note, file name, feedback, reason, names) stays inert."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from lms.extensions import db
from lms.submissions.models import Submission
from tests.submissions.conftest import assignment_of, page_url, review_form

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<p onclick=alert(1)>x</p>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "`<script>`alert(1)`</script>`",
    "<table background=javascript:alert(1)>",
    "{{ 7*7 }}<script>alert(1)</script>",
    "<marquee onstart=alert(1)>",
]
DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "base", "marquee"}


class Inspector(HTMLParser):
    """Collects anything in a page that could run script."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline script {attrs}")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append("meta http-equiv")
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name == "style":
                self.problems.append(f"{tag} style")
            if name in ("href", "src", "action", "formaction", "background", "data"):
                cleaned = "".join((value or "").split()).lower()
                if cleaned.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert inspector.problems == [], inspector.problems[:5]


def test_every_text_field_renders_inert(klass, text_assignment, as_user):
    payload = "\n\n".join(PAYLOADS)
    assert len(PAYLOADS) >= 30
    klass.trainee.name = PAYLOADS[1] + PAYLOADS[0]
    klass.cohort.name = PAYLOADS[2]
    db.session.commit()
    trainee = as_user(klass.trainee)
    trainee.post(page_url(text_assignment), data={"action": "submit", "body": payload})
    file_assignment = assignment_of("file")
    trainee.post(
        page_url(file_assignment),
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF"), PAYLOADS[1] + ".pdf"), "note": payload},
        content_type="multipart/form-data",
    )
    text_work = db.session.query(Submission).filter_by(assignment_id=text_assignment.id).one()
    trainer = as_user(klass.trainer)
    trainer.post(
        f"/grading/submissions/{text_work.id}",
        data=review_form(
            text_assignment,
            {},
            version=1,
            review_lock=0,
            action="return",
            feedback=payload,
            reason=payload,
        ),
    )
    pages = []
    for submission in db.session.query(Submission).all():
        pages.append(trainer.get(f"/grading/submissions/{submission.id}"))
    pages.append(trainer.get("/grading/?status=all"))
    pages.append(trainer.get(f"/grading/cohorts/{klass.cohort.id}/"))
    pages.append(trainer.get("/grading/cohorts/"))
    trainee = as_user(klass.trainee)
    pages.append(trainee.get(page_url(text_assignment)))
    pages.append(trainee.get(page_url(file_assignment)))
    pages.append(trainee.get("/notifications/"))
    preview = trainee.post("/submissions/preview", data={"body": payload}).json["html"]
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert_inert(html)
        assert "<script>alert(1)</script>" not in html
    assert_inert(preview)
    # The hostile text is still shown to people, as text.
    page = trainee.get(page_url(text_assignment)).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "alert(1)" in page
