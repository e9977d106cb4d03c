"""Account services: signing in with a throttle, creating people, trainers, joining by code."""

from __future__ import annotations

import math
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import Cohort, CohortMember, CohortTrainer, Role, User
from lms.accounts.sessions import end_other_sessions
from lms.clock import utcnow
from lms.errors import DomainError, NotFound
from lms.extensions import db
from lms.security import clear_hits, recent_hits, record_hit, seconds_to_wait

MIN_PASSWORD_LENGTH = 8
# Checked against for unknown emails so that both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class TooManyAttempts(DomainError):
    """Sign-in refused for a while after repeated failures; says how long to wait."""

    status = 429

    def __init__(self, seconds: int):
        self.seconds = seconds
        if seconds < 60:
            message = _nl(
                "Too many failed attempts. Please wait %(num)d second and try again.",
                "Too many failed attempts. Please wait %(num)d seconds and try again.",
                seconds,
            )
        else:
            message = _nl(
                "Too many failed attempts. Please wait %(num)d minute and try again.",
                "Too many failed attempts. Please wait %(num)d minutes and try again.",
                math.ceil(seconds / 60),
            )
        super().__init__(message)


class InvalidCredentials(DomainError):
    """The email and password do not match an active account."""

    status = 401


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def normalize_name(name: str) -> str:
    """Names are stored in Unicode NFC with single spaces, so Arabic and Latin compare right."""
    return " ".join(unicodedata.normalize("NFC", name).split())


# Failed sign-ins of an account from one address, then of an account from anywhere, delay the
# next attempt for at most these many seconds.
PAIR_MAX_DELAY = 300
ACCOUNT_MAX_DELAY = 60
IP_MAX_DELAY = 60


def sign_in_wait(email: str, client_ip: str) -> int:
    """Seconds before this address may try this account again; 0: now.

    An address that never failed for the account is never held back by the account's failures,
    so knowing someone's email is not enough to lock them out; failures of other accounts from
    the same address (a classroom, a carrier's shared address) count only at huge volumes.
    """
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    free = config["LOGIN_MAX_FAILURES"]
    pair = f"{client_ip} {email}"
    waits = [seconds_to_wait("login-pair", pair, window, free, PAIR_MAX_DELAY)]
    if recent_hits("login-pair", pair, window):
        waits.append(seconds_to_wait("login", email, window, free, ACCOUNT_MAX_DELAY))
    if config["LOGIN_IP_MAX_FAILURES"]:
        ip_free = config["LOGIN_IP_MAX_FAILURES"]
        waits.append(seconds_to_wait("login-ip", client_ip, window, ip_free, IP_MAX_DELAY))
    return max(waits)


def authenticate(email: str, password: str, client_ip: str) -> User:
    """The user for these credentials, or an error; repeated failures are slowed down, and an
    attempt refused for that costs no password check."""
    email = normalize_email(email)
    wait = sign_in_wait(email, client_ip)
    if wait:
        raise TooManyAttempts(wait)
    user = db.session.scalar(select(User).where(User.email == email))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and valid and user.is_active):
        for scope, key in (("login-pair", f"{client_ip} {email}"), ("login", email)):
            record_hit(scope, key)
        record_hit("login-ip", client_ip)
        db.session.commit()
        raise InvalidCredentials(_l("Email or password is incorrect."))
    clear_hits("login-pair", f"{client_ip} {email}")
    clear_hits("login", email)
    user.last_seen_at = utcnow()
    return user


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _nl(
                "The password must have at least %(num)d character.",
                "The password must have at least %(num)d characters.",
                MIN_PASSWORD_LENGTH,
            )
        )


def create_user(
    email: str,
    name: str,
    password: str,
    role: str = Role.TRAINEE,
    *,
    gender: str | None = None,
    region: str | None = None,
    locale: str | None = None,
) -> User:
    """A new account; the email must be free."""
    email = normalize_email(email)
    if role not in set(Role):
        raise DomainError(_l("Unknown role."))
    if not normalize_name(name):
        raise DomainError(_l("Please give a name."))
    check_password_strength(password)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_l("An account already uses this email."), status=409)
    user = User(
        email=email,
        name=normalize_name(name),
        password_hash=generate_password_hash(password),
        role=role,
        gender=gender,
        region=region,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; the user's other sessions end."""
    if not check_password_hash(user.password_hash, current):
        raise DomainError(_l("The current password is incorrect."))
    check_password_strength(new)
    if new == current:
        raise DomainError(_l("Please choose a password different from the current one."))
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    end_other_sessions(user)


def find_cohort_by_code(code: str) -> Cohort:
    """The cohort with this join code (case-insensitive), or NotFound."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == code.strip().upper()))
    if cohort is None:
        raise NotFound(
            _l("No cohort has the code %(code)s. Check it with your trainer.", code=code.strip())
        )
    return cohort


def join_cohort(user: User, code: str) -> Cohort:
    """Add a trainee to the cohort with this code; joining twice changes nothing."""
    cohort = find_cohort_by_code(code)
    if not user.is_trainee:
        raise DomainError(_l("Only trainees join cohorts with a code."), status=403)
    if db.session.get(CohortMember, (cohort.id, user.id)) is None:
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
        db.session.flush()
    return cohort


def assign_trainer(cohort: Cohort, trainer_email: str) -> None:
    """Make a trainer (or administrator) follow a cohort."""
    trainer = db.session.scalar(select(User).where(User.email == normalize_email(trainer_email)))
    if trainer is None or trainer.role not in (Role.TRAINER, Role.ADMIN):
        raise NotFound(_l("No trainer has the email %(email)s.", email=trainer_email))
    if db.session.get(CohortTrainer, (cohort.id, trainer.id)) is None:
        db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=trainer.id))
        db.session.flush()
