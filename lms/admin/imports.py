"""Importing trainees into a cohort from a CSV file: decode, check every line, then all or nothing.

New accounts get a random temporary password that is shown to the administrator once (on the
result page and in a CSV they download from it) and never stored in clear; the trainee must replace
it at the first sign-in. Existing accounts with the same email are only added to the cohort.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import Cohort, CohortMember, Role, User
from lms.accounts.services import create_user
from lms.admin.csv_reading import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportRefused,
    LineError,
    TraineeLine,
    parse_trainees,
    read_upload,
)
from lms.extensions import db

__all__ = ["MAX_IMPORT_BYTES", "MAX_IMPORT_ROWS", "ImportRefused", "read_upload"]

READABLE_CHARACTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass
class NewAccount:
    """An account the import created, with the temporary password to hand over."""

    user: User
    password: str


@dataclass
class ImportResult:
    """What an import did."""

    created: list[NewAccount] = field(default_factory=list)
    added: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)


def check_against_accounts(cohort: Cohort, trainees: list[TraineeLine]) -> list[TraineeLine]:
    """Mark existing accounts and members (two queries); refuse emails of non-trainees."""
    by_email = {
        user.email: user
        for user in db.session.scalars(
            select(User).where(User.email.in_([t.email for t in trainees]))
        )
    }
    member_ids = set(
        db.session.scalars(
            select(CohortMember.user_id).where(
                CohortMember.cohort_id == cohort.id,
                CohortMember.user_id.in_([u.id for u in by_email.values()]),
            )
        )
    )
    errors = []
    for trainee in trainees:
        user = by_email.get(trainee.email)
        if user is None:
            continue
        if user.role != Role.TRAINEE:
            errors.append(
                LineError(
                    trainee.line,
                    _l(
                        "%(email)s belongs to a trainer or administrator account.",
                        email=trainee.email,
                    ),
                )
            )
        trainee.existing = user
        trainee.already_member = user.id in member_ids
    if errors:
        raise ImportRefused(errors)
    return trainees


def preview_import(cohort: Cohort, text: str) -> list[TraineeLine]:
    """What importing this text would do, without changing anything."""
    return check_against_accounts(cohort, parse_trainees(text))


def import_trainees(cohort: Cohort, text: str) -> ImportResult:
    """Create the missing accounts and add everyone to the cohort, or refuse the whole file."""
    result = ImportResult()
    for trainee in preview_import(cohort, text):
        if trainee.existing is not None:
            if trainee.already_member:
                result.already.append(trainee.existing)
                continue
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainee.existing.id))
            result.added.append(trainee.existing)
            continue
        password = temporary_password()
        user = create_user(
            trainee.email,
            trainee.name,
            password,
            Role.TRAINEE,
            gender=trainee.gender,
            region=trainee.region,
        )
        user.must_change_password = True  # someone else has seen it: the trainee replaces it
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
        result.created.append(NewAccount(user, password))
    db.session.flush()
    return result


def temporary_password() -> str:
    """Twelve random characters in groups of four, easy to read out or copy by hand."""
    chars = "".join(secrets.choice(READABLE_CHARACTERS) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def encode_payload(text: str) -> str:
    """The checked file carried from the preview to the confirmation, as opaque ASCII."""
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def decode_payload(payload: str) -> str:
    """The text of a payload; it is checked again before anything is created."""
    try:
        data = base64.urlsafe_b64decode(payload.encode("ascii"))
        return read_upload(data)
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ImportRefused(
            [], _l("The confirmation is damaged; please send the file again.")
        ) from error


def credentials_csv(result: ImportResult) -> str:
    """Name, email and temporary password of each new account, UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "temporary_password"])
    for account in result.created:
        cells = (account.user.name, account.user.email, account.password)
        writer.writerow([spreadsheet_text(cell) for cell in cells])
    return "\ufeff" + out.getvalue()


# What makes a spreadsheet read a cell as a formula (or, for tab and return, hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A cell a spreadsheet shows as text: a name like `=HYPERLINK(...)` from the imported file
    gets a leading apostrophe instead of running as a formula on the administrator's machine."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def credentials_data_uri(result: ImportResult) -> str:
    """The credentials CSV as a link target, so it never exists anywhere but in the browser."""
    data = base64.b64encode(credentials_csv(result).encode("utf-8")).decode("ascii")
    return "data:text/csv;charset=utf-8;base64," + data
