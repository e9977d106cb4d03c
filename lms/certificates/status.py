"""Revocation visible offline: each certificate's bit in a signed W3C Bitstring Status List."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.certificates.contexts import VC_V2
from lms.certificates.keyring import base_url, record_current_key, the_issuer_id
from lms.certificates.keys import verification_method_id
from lms.certificates.models import Certificate, CertificateStatus, StatusIndexCounter
from lms.certificates.signing import sign_credential, utc_timestamp
from lms.clock import utcnow
from lms.errors import Conflict, NotFound
from lms.extensions import db

# 16 KiB of bits, the minimum the specification sets: a verifier fetching the list learns
# nothing about which of 131,072 certificates it is checking.
LIST_SIZE = 131_072
PURPOSE = "revocation"
_COUNTER_ID = 1


def list_url(number: int) -> str:
    """Where status list `number` is served (and its credential's id)."""
    return f"{base_url()}/status/{PURPOSE}/{number}"


def status_entry(index: int) -> dict:
    """The credentialStatus of the certificate holding global index `index`."""
    number, position = divmod(index, LIST_SIZE)
    url = list_url(number)
    return {
        "id": f"{url}#{position}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(position),
        "statusListCredential": url,
    }


def allocate_status_indexes(count: int) -> list[int]:
    """Reserve `count` fresh indexes; the counter row stays locked until the caller commits."""
    if count <= 0:
        return []
    bump = (
        update(StatusIndexCounter)
        .where(StatusIndexCounter.id == _COUNTER_ID)
        .values(next_index=StatusIndexCounter.next_index + count)
        .execution_options(synchronize_session=False)
    )
    try:
        if db.session.execute(bump).rowcount != 1:
            _create_counter()
            db.session.execute(bump)
    except OperationalError as error:  # SQLite: another writer holds the database
        raise Conflict(_l("Another issue is running for this cohort. Please try again.")) from error
    end = db.session.scalar(
        select(StatusIndexCounter.next_index).where(StatusIndexCounter.id == _COUNTER_ID)
    )
    return list(range(end - count, end))


def _create_counter() -> None:
    # Databases made by create_all (tests) have no row yet; the migration inserts it.
    last = db.session.scalar(select(func.max(Certificate.status_list_index)))
    try:
        with db.session.begin_nested():
            db.session.add(
                StatusIndexCounter(id=_COUNTER_ID, next_index=0 if last is None else last + 1)
            )
    except IntegrityError:  # another process created it first
        pass


def encode_bits(positions: Iterable[int], size: int = LIST_SIZE) -> str:
    """GZIP the bitstring (bit 0 is the first byte's highest bit), multibase base64url."""
    bits = bytearray(size // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    packed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list, the same bytes
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_bits(encoded: str) -> bytes:
    """The raw bitstring of an encodedList (for checks and tests)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u' prefix)")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def status_list_json(number: int) -> str:
    """Status list `number` as a signed BitstringStatusListCredential (JSON text).

    Signed when asked: it is dated by its latest revocation, and Ed25519 signatures are
    deterministic, so the same list gives the same bytes until a certificate is revoked.
    """
    allocated = db.session.scalar(select(func.max(Certificate.status_list_index)))
    if number < 0 or allocated is None or number > allocated // LIST_SIZE:
        raise NotFound(_l("No such status list."))
    low, high = number * LIST_SIZE, (number + 1) * LIST_SIZE
    in_list = Certificate.status_list_index.between(low, high - 1)
    revoked = db.session.execute(
        select(Certificate.status_list_index, Certificate.revoked_at).where(
            in_list, Certificate.status == CertificateStatus.REVOKED
        )
    ).all()
    moment = max((when for _, when in revoked if when), default=None) or db.session.scalar(
        select(func.min(Certificate.issued_at)).where(in_list)
    )
    stamp = utc_timestamp(_aware(moment or utcnow()))
    url = list_url(number)
    credential = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": the_issuer_id(),
        "validFrom": stamp,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_bits(index - low for index, _ in revoked),
        },
    }
    key = record_current_key()
    method = verification_method_id(base_url(), key.public_key())
    signed = sign_credential(credential, key, method, stamp)
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
