"""The issuer's key ring: the current key from LMS_SIGNING_KEY_FILE and every key ever published."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.certificates.keys import (
    issuer_document,
    issuer_id,
    key_resolver,
    load_or_create_signing_key,
    public_key_from_multibase,
    public_key_multibase,
)
from lms.certificates.models import SigningKey
from lms.clock import utcnow
from lms.errors import Conflict
from lms.extensions import db

_cache_lock = threading.Lock()
_cache: dict[tuple[str, int], Ed25519PrivateKey] = {}


def base_url() -> str:
    """The public address certificates point to (LMS_BASE_URL), without a trailing slash."""
    return current_app.config["BASE_URL"].rstrip("/")


def _key_path() -> Path:
    return Path(current_app.config["SIGNING_KEY_FILE"])


def current_signing_key() -> Ed25519PrivateKey:
    """The key new certificates are signed with; generated on first use outside production.

    Cached per file version, so a rotation (a new file) is picked up without a restart.
    """
    path = _key_path()
    create = current_app.config.get("ENV") != "production"
    try:
        version = path.stat().st_mtime_ns
    except FileNotFoundError:
        return load_or_create_signing_key(path, create=create)
    with _cache_lock:
        key = _cache.get((str(path), version))
        if key is None:
            key = load_or_create_signing_key(path, create=create)
            _cache[(str(path), version)] = key
    return key


def record_current_key() -> Ed25519PrivateKey:
    """Return the current key after making sure /issuer publishes it (the caller commits)."""
    key = current_signing_key()
    if _publish(key).compromised_at is not None:
        # A restored backup of a withdrawn key must not sign again.
        raise Conflict(_l("The signing key was declared compromised: rotate it before issuing."))
    return key


def _publish(key: Ed25519PrivateKey) -> SigningKey:
    multibase = public_key_multibase(key.public_key())
    query = select(SigningKey).where(SigningKey.public_key_multibase == multibase)
    row = db.session.scalar(query)
    if row is None:
        try:  # inside a savepoint: two first issues at once both try to add the same key
            with db.session.begin_nested():
                db.session.add(SigningKey(public_key_multibase=multibase))
        except IntegrityError:
            pass
        row = db.session.scalar(query)
    return row


def _key_rows() -> list[SigningKey]:
    return list(db.session.scalars(select(SigningKey).order_by(SigningKey.id)))


def published_keys() -> list[Ed25519PublicKey]:
    """Every key that signed certificates and was not compromised, oldest first, and the current.

    A compromised key is withdrawn from /issuer, so that no verifier trusts it any more.
    """
    rows = _key_rows()
    values = [row.public_key_multibase for row in rows if row.compromised_at is None]
    try:
        current = public_key_multibase(current_signing_key().public_key())
    except FileNotFoundError:
        current = None
    withdrawn = {row.public_key_multibase for row in rows if row.compromised_at is not None}
    if current and current not in values and current not in withdrawn:
        values.append(current)
    return [public_key_from_multibase(value) for value in values]


def issuer_profile() -> dict:
    """The controller document served at /issuer."""
    return issuer_document(
        base_url(), published_keys(), current_app.config["ISSUER_NAME"], base_url() + "/"
    )


def public_key_resolver():
    """A resolver for verify_credential that knows every key this issuer published."""
    retired = {
        row.public_key_multibase: row.retired_at
        for row in _key_rows()
        if row.retired_at is not None and row.compromised_at is None
    }
    return key_resolver(base_url(), published_keys(), retired)


def the_issuer_id() -> str:
    """This issuer's IRI, <LMS_BASE_URL>/issuer."""
    return issuer_id(base_url())


def rotate_signing_key(*, compromised: bool = False) -> tuple[str, str, Path]:
    """Replace the current key with a new one; the old public key stays published.

    A retired key keeps proving the certificates it signed before its retirement. A compromised
    one is withdrawn: what it signed no longer verifies and must be issued again.

    The old private key file is kept beside the new one (renamed, mode 0600) for the operator
    to archive or destroy: after a compromise it must never sign again, which the rename ensures.
    Returns (old multibase, new multibase, where the old file went). The caller commits.
    """
    row = _publish(current_signing_key())
    old_multibase = row.public_key_multibase
    path = _key_path()
    retired = path.with_name(f"{path.name}.retired-{utcnow().strftime('%Y%m%dT%H%M%SZ')}")
    os.replace(path, retired)
    new = load_or_create_signing_key(path, create=True)
    new_multibase = public_key_multibase(new.public_key())
    row.retired_at = row.retired_at or utcnow()
    if compromised:
        row.compromised_at = row.compromised_at or row.retired_at
    db.session.add(SigningKey(public_key_multibase=new_multibase))
    db.session.flush()
    return old_multibase, new_multibase, retired
