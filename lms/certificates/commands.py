"""Command line: `certificates issue`, `revoke`, `verify` and `rotate-key`."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts.models import Cohort, CohortCourse, CohortMember, User
from lms.accounts.services import find_cohort_by_code, normalize_email
from lms.certificates import records, services
from lms.certificates.codes import format_code
from lms.certificates.eligibility import eligibility
from lms.certificates.keyring import rotate_signing_key
from lms.certificates.verification import check_credential
from lms.courses.models import Course
from lms.errors import DomainError
from lms.extensions import db

cli = AppGroup("certificates", help="Issue, revoke and verify certificates.")


def _fail(message) -> None:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _course(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        _fail(f"no workshop has the slug {slug!r}.")
    return course


def _trainee_cohort(email: str, course: Course) -> tuple[User, Cohort]:
    """The trainee with this email and a cohort of theirs that follows the workshop."""
    trainee = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if trainee is None:
        _fail(f"no account has the email {email}.")
    cohort = db.session.scalar(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .where(CohortMember.user_id == trainee.id, CohortCourse.course_id == course.id)
        .order_by(Cohort.starts_on.desc())
    )
    if cohort is None:
        _fail(f"{email} is in no cohort following {course.slug}.")
    return trainee, cohort


def _actor(email: str | None) -> User | None:
    if email is None:
        return None
    admin = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if admin is None or not admin.is_admin:
        _fail(f"no administrator has the email {email}.")
    return admin


@cli.command("issue")
@click.argument("course_slug")
@click.option("--cohort", "cohort_code", help="Issue to every eligible trainee of this cohort.")
@click.option("--email", help="Issue to this trainee.")
@click.option("--override", "override_reason", help="Why a non-eligible trainee gets one anyway.")
@click.option("--by", "by_email", help="Administrator recorded in the audit log.")
def issue_command(course_slug, cohort_code, email, override_reason, by_email) -> None:
    """Issue certificates; prints a JSON list of what was issued, skipped and why."""
    if bool(cohort_code) == bool(email):
        _fail("give exactly one of --cohort CODE or --email EMAIL.")
    if override_reason is not None and cohort_code:
        _fail("--override applies to one trainee (--email), not to a whole cohort.")
    course = _course(course_slug)
    actor = _actor(by_email)
    try:
        if cohort_code:
            cohort = find_cohort_by_code(cohort_code)
            lines = [
                line.as_dict() for line in services.issue_for_cohort(actor, cohort, course).outcomes
            ]
        else:
            lines = [_issue_one(actor, email, course, override_reason)]
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    _echo_json(lines)


def _issue_one(actor: User | None, email: str, course: Course, override: str | None) -> dict:
    trainee, cohort = _trainee_cohort(email, course)
    existing = records.active_certificate(trainee.id, course.id)
    line = {"email": trainee.email, "name": trainee.name}
    if existing is not None:
        return line | {
            "outcome": services.Outcome.ALREADY,
            "code": format_code(existing.code),
            "reasons": [],
        }
    verdict = eligibility(trainee, course)
    if not verdict.eligible and not (override or "").strip():
        return line | {
            "outcome": services.Outcome.NOT_ELIGIBLE,
            "code": None,
            "reasons": [str(reason) for reason in verdict.reasons],
        }
    certificate = services.issue_certificate(actor, trainee, course, cohort, override)
    return line | {
        "outcome": services.Outcome.ISSUED,
        "code": format_code(certificate.code),
        "reasons": [] if verdict.eligible else [f"override: {certificate.override_reason}"],
    }


@cli.command("revoke")
@click.argument("code")
@click.option(
    "--reason",
    required=True,
    help="Why; shown to administrators and the holder, not on the public page.",
)
@click.option("--by", "by_email", help="Administrator recorded in the audit log.")
def revoke_command(code: str, reason: str, by_email: str | None) -> None:
    """Revoke a certificate."""
    try:
        certificate = services.revoke_certificate(_actor(by_email), code, reason)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Revoked {format_code(certificate.code)} ({certificate.recipient_name}).")


@cli.command("verify")
@click.argument("file", type=click.File("rb"))
def verify_command(file) -> None:
    """Check a credential file's signature and its certificate's current status."""
    try:
        document = json.loads(file.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        _fail(f"not a JSON file ({error.__class__.__name__}).")
    check = check_credential(document)
    db.session.rollback()
    _echo_json(
        {
            "valid": check.ok,
            "reason": check.reason,
            "code": format_code(check.certificate.code) if check.certificate else None,
            "status": check.certificate.status if check.certificate else None,
        }
    )
    if not check.ok:
        sys.exit(1)


@cli.command("rotate-key")
@click.option(
    "--compromised",
    is_flag=True,
    help="The old key leaked: withdraw it, so that nothing it signed verifies any more.",
)
@click.confirmation_option(prompt="Sign new certificates with a new key?")
def rotate_key_command(compromised: bool) -> None:
    """Start signing with a new key; the old one keeps proving what it signed before (unless
    --compromised)."""
    old, new, retired = rotate_signing_key(compromised=compromised)
    db.session.commit()
    state = "withdrawn as compromised" if compromised else "retired"
    click.echo(f"Old key {old} {state} (file moved to {retired}); new key {new}.")
