"""Joining a cohort by its code, throttled so that codes and emails cannot be enumerated."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from lms.accounts.models import Cohort, CohortMember, Role, User
from lms.accounts.services import (
    TooManyAttempts,
    create_user,
    find_cohort_by_code,
    join_cohort,
    normalize_email,
)
from lms.errors import DomainError, NotFound
from lms.extensions import db
from lms.security import record_hit, seconds_to_wait

# Wrong cohort codes (or emails already used) from one address, and wrong codes typed by one
# account, before the next try waits; a classroom sharing an address mistypes a few codes.
JOIN_FREE_PER_ADDRESS = 20
JOIN_FREE_PER_ACCOUNT = 5
JOIN_MAX_DELAY = 300
_JOIN_WINDOW = timedelta(minutes=15)


def _join_wait(client_ip: str, user: User | None = None) -> None:
    waits = [
        seconds_to_wait("join", client_ip, _JOIN_WINDOW, JOIN_FREE_PER_ADDRESS, JOIN_MAX_DELAY)
    ]
    if user is not None:
        waits.append(
            seconds_to_wait(
                "join-account", str(user.id), _JOIN_WINDOW, JOIN_FREE_PER_ACCOUNT, JOIN_MAX_DELAY
            )
        )
    if max(waits):
        raise TooManyAttempts(max(waits))


def _count_join_failure(client_ip: str, user: User | None = None) -> None:
    # Committed now: the caller rolls back what the refused attempt did.
    record_hit("join", client_ip)
    if user is not None:
        record_hit("join-account", str(user.id))
    db.session.commit()


def _throttled_cohort(code: str, client_ip: str, user: User | None = None) -> Cohort:
    _join_wait(client_ip, user)
    try:
        return find_cohort_by_code(code)
    except NotFound:
        _count_join_failure(client_ip, user)
        raise


def join_cohort_by_code(user: User, code: str, client_ip: str) -> Cohort:
    """A signed-in trainee joins a cohort; wrong codes are counted so that codes cannot be
    enumerated."""
    _throttled_cohort(code, client_ip, user)
    return join_cohort(user, code)


def register_trainee(
    code: str, email: str, name: str, password: str, client_ip: str, **profile
) -> User:
    """A new trainee account joined to a cohort, both or neither. Guessing codes, or emails once
    a code is known, is throttled; an email already used gets the same answer, and the same
    password-hashing time, whoever owns it."""
    cohort = _throttled_cohort(code, client_ip)
    if db.session.scalar(select(User.id).where(User.email == normalize_email(email))):
        generate_password_hash(password)
        _count_join_failure(client_ip)
        raise DomainError(
            _l(
                "This email cannot be used for a new account. If you already have an account, "
                "sign in and join the cohort from your account page."
            ),
            status=409,
        )
    user = create_user(email, name, password, Role.TRAINEE, **profile)
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
    db.session.flush()
    return user
