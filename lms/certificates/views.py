"""Certificate pages: public verification, issuer profile, a trainee's list, cohort admin."""

from __future__ import annotations

import json
import urllib.parse
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.certificates import printing, roster, services, status
from lms.certificates.codes import format_code, normalize_code
from lms.certificates.credentials import verify_url
from lms.certificates.keyring import issuer_profile
from lms.errors import DomainError, NotFound
from lms.extensions import db
from lms.security import recent_hits, record_hit

bp = Blueprint("certificates", __name__)
bp.add_app_template_filter(format_code, "certificate_code")

JSON_LD = "application/ld+json"
THROTTLE_WINDOW = timedelta(minutes=10)
# An employer checks a handful of codes; a script walking the code space hits this quickly.
DEFAULT_VERIFY_LIMIT = 120


class TooManyLookups(DomainError):
    """Too many verifications from one address in a short time."""

    status = 429


def _throttle_lookups() -> None:
    address = request.remote_addr or "unknown"
    limit = int(current_app.config.get("VERIFY_MAX_PER_10_MIN", DEFAULT_VERIFY_LIMIT))
    if recent_hits("verify", address, THROTTLE_WINDOW) >= limit:
        raise TooManyLookups(
            _l("Too many verifications from your connection. Please wait a few minutes.")
        )
    record_hit("verify", address)
    db.session.commit()


def _public(response: Response, *, cache: bool = False) -> Response:
    """Verification answers are not for search engines, and a status may change at any time."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "public, max-age=300" if cache else "no-cache"
    return response


@bp.get("/verify")
def verify_form():
    """A form to type a code; a well-formed code goes to its verification page."""
    typed = request.args.get("code")
    if typed is None:
        return _public(Response(render_template("certificates/verify_form.html")))
    code = normalize_code(typed)
    if code is None:
        message = _(
            "“%(code)s” is not a certificate code. A code has 12 letters and digits, "
            "like 7K3M-9QX2-HB4T.",
            code=typed[:40],
        )
        page = render_template("certificates/verify_form.html", error=message, typed=typed[:40])
        return _public(Response(page, status=400))
    return redirect(url_for("certificates.verify", code=code))


@bp.get("/verify/<code>")
def verify(code: str):
    """The public verdict on a certificate: VALID or REVOKED, with what it certifies."""
    _throttle_lookups()
    try:
        certificate = services.find_certificate(code)
    except NotFound as error:
        page = render_template(
            "certificates/verify_form.html", error=error.message, typed=code[:40]
        )
        return _public(Response(page, status=404))
    if code != certificate.code:  # one canonical address per certificate
        return redirect(url_for("certificates.verify", code=certificate.code), code=301)
    page = render_template(
        "certificates/verify.html",
        certificate=certificate,
        display_code=format_code(certificate.code),
        url=verify_url(certificate.code),
    )
    return _public(Response(page))


@bp.get("/verify/<code>.json")
def verify_json(code: str):
    """The signed Open Badges 3.0 credential exactly as issued."""
    _throttle_lookups()
    certificate = services.find_certificate(code)
    response = Response(certificate.credential_json, mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response)


@bp.get("/verify/<code>.pdf")
def verify_pdf(code: str):
    """The certificate's PDF for anyone holding a valid code (it shows what the page shows)."""
    _throttle_lookups()
    certificate, content = printing.public_certificate_pdf(code)
    db.session.commit()  # keeps the PDF rendered on first request
    return _public(_pdf_response(certificate, content, inline=True))


@bp.get("/issuer")
def issuer():
    """The issuer profile and controller document listing every key ever used."""
    document = issuer_profile()
    db.session.rollback()
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response, cache=True)


@bp.get("/status/revocation/<int:number>")
def status_list(number: int):
    """A signed Bitstring Status List: wallets check revocation without naming the certificate."""
    document = status.status_list_json(number)
    db.session.rollback()
    response = Response(document, mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    # Short: a revocation reaches wallets within a minute; the ETag makes rechecks cheap.
    response.headers["Cache-Control"] = "public, max-age=60"
    response.add_etag()
    return response.make_conditional(request)


def _attachment(response: Response, filename: str, *, inline: bool = False) -> Response:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (names may be Arabic)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    quoted = urllib.parse.quote(filename, safe="")
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"
    )
    return response


def _pdf_response(certificate, content: bytes, *, inline: bool = False) -> Response:
    response = Response(content, mimetype="application/pdf")
    return _attachment(response, printing.pdf_filename(certificate), inline=inline)


@bp.get("/certificates/")
@login_required
def mine():
    """The signed-in trainee's certificates, with download links."""
    return render_template(
        "certificates/mine.html", certificates=services.my_certificates(current_user)
    )


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    """The holder's own PDF (any one, for an administrator); others get a 404."""
    certificate, content = printing.access_certificate_pdf(current_user, code)
    db.session.commit()
    return _pdf_response(certificate, content)


# --- Administration: one cohort's certificates -------------------------------------------


@bp.get("/admin/cohorts/<int:cohort_id>/certificates")
@login_required
def cohort_certificates(cohort_id: int):
    """Eligibility with reasons, certificates issued, and the actions on them."""
    view = roster.access_cohort_certificates(current_user, cohort_id, request.args.get("course"))
    return render_template("certificates/cohort.html", view=view)


def _managed_cohort_course(cohort_id: int):
    return roster.access_managed_certificates(current_user, cohort_id, request.form.get("course"))


def _refused(view, error: DomainError):
    """Show the page again with the reason, nothing changed, and the error's status code."""
    db.session.rollback()
    fresh = roster.access_cohort_certificates(current_user, view.cohort.id, view.course.slug)
    page = render_template("certificates/cohort.html", view=fresh, error=error.message)
    return page, error.status


def _back(view) -> Response:
    return redirect(
        url_for(
            "certificates.cohort_certificates", cohort_id=view.cohort.id, course=view.course.slug
        )
    )


@bp.post("/admin/cohorts/<int:cohort_id>/certificates/issue")
@login_required
def issue_cohort(cohort_id: int):
    """Issue to every eligible trainee who has no certificate yet."""
    view = _managed_cohort_course(cohort_id)
    report = services.issue_for_cohort(current_user, view.cohort, view.course)
    db.session.commit()
    flash(
        _(
            "%(issued)s certificates issued, %(already)s already issued, "
            "%(not_eligible)s trainees not eligible (reasons below).",
            issued=report.count(services.Outcome.ISSUED),
            already=report.count(services.Outcome.ALREADY),
            not_eligible=report.count(services.Outcome.NOT_ELIGIBLE),
        ),
        "success",
    )
    return _back(view)


@bp.post("/admin/cohorts/<int:cohort_id>/certificates/issue/<int:user_id>")
@login_required
def issue_one(cohort_id: int, user_id: int):
    """Issue to one trainee; one who is not eligible needs the override reason."""
    view = _managed_cohort_course(cohort_id)
    trainee = db.session.get(User, user_id)
    if trainee is None:
        raise NotFound(_l("This trainee is not in the cohort."))
    try:
        certificate = services.issue_certificate(
            current_user, trainee, view.course, view.cohort, request.form.get("override_reason")
        )
    except DomainError as error:
        return _refused(view, error)
    db.session.commit()
    flash(
        _(
            "Certificate %(code)s issued to %(name)s.",
            code=format_code(certificate.code),
            name=trainee.name,
        ),
        "success",
    )
    return _back(view)


@bp.post("/admin/cohorts/<int:cohort_id>/certificates/<code>/revoke")
@login_required
def revoke(cohort_id: int, code: str):
    """Revoke one certificate with a written reason."""
    view = _managed_cohort_course(cohort_id)
    try:
        certificate = services.revoke_certificate(
            current_user, code, request.form.get("reason"), cohort=view.cohort, course=view.course
        )
    except DomainError as error:
        return _refused(view, error)
    db.session.commit()
    flash(_("Certificate %(code)s revoked.", code=format_code(certificate.code)), "success")
    return _back(view)


@bp.get("/admin/cohorts/<int:cohort_id>/certificates.zip")
@login_required
def cohort_zip(cohort_id: int):
    """All valid certificates of the cohort for a workshop, as one ZIP of PDFs."""
    view = roster.access_managed_certificates(current_user, cohort_id, request.args.get("course"))
    content = printing.cohort_certificates_zip(current_user, view.cohort, view.course)
    db.session.commit()
    response = Response(content, mimetype="application/zip")
    return _attachment(response, f"certificats-{view.cohort.code}-{view.course.slug}.zip")
