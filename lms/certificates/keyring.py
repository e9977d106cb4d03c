"""The issuer's key ring: the current key from LMS_SIGNING_KEY_FILE and every key ever published."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from lms.certificates.keys import (
    issuer_document,
    issuer_id,
    key_resolver,
    load_or_create_signing_key,
    public_key_from_multibase,
    public_key_multibase,
)
from lms.certificates.models import SigningKey
from lms.extensions import db
from lms.security import utcnow

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
    multibase = public_key_multibase(key.public_key())
    if db.session.scalar(select(SigningKey.id).where(SigningKey.public_key_multibase == multibase)):
        return key
    # Inside a savepoint: two first issues at once both try to add the same key.
    from sqlalchemy.exc import IntegrityError

    try:
        with db.session.begin_nested():
            db.session.add(SigningKey(public_key_multibase=multibase))
    except IntegrityError:
        pass
    return key


def published_keys() -> list[Ed25519PublicKey]:
    """Every key that signed certificates, oldest first, and the current one."""
    values = list(
        db.session.scalars(select(SigningKey.public_key_multibase).order_by(SigningKey.id))
    )
    try:
        current = public_key_multibase(current_signing_key().public_key())
    except FileNotFoundError:
        current = None
    if current and current not in values:
        values.append(current)
    return [public_key_from_multibase(value) for value in values]


def issuer_profile() -> dict:
    """The controller document served at /issuer."""
    return issuer_document(
        base_url(), published_keys(), current_app.config["ISSUER_NAME"], base_url() + "/"
    )


def public_key_resolver():
    """A resolver for verify_credential that knows every key this issuer published."""
    return key_resolver(base_url(), published_keys())


def the_issuer_id() -> str:
    """This issuer's IRI, <LMS_BASE_URL>/issuer."""
    return issuer_id(base_url())


def rotate_signing_key() -> tuple[str, str, Path]:
    """Replace the current key with a new one; the old public key stays published.

    The old private key file is kept beside the new one (renamed, mode 0600) for the operator
    to archive or destroy: after a compromise it must never sign again, which the rename ensures.
    Returns (old multibase, new multibase, where the old file went). The caller commits.
    """
    old = record_current_key()
    old_multibase = public_key_multibase(old.public_key())
    path = _key_path()
    retired = path.with_name(f"{path.name}.retired-{utcnow().strftime('%Y%m%dT%H%M%SZ')}")
    os.replace(path, retired)
    new = load_or_create_signing_key(path, create=True)
    new_multibase = public_key_multibase(new.public_key())
    row = db.session.scalar(
        select(SigningKey).where(SigningKey.public_key_multibase == old_multibase)
    )
    row.retired_at = utcnow()
    db.session.add(SigningKey(public_key_multibase=new_multibase))
    db.session.flush()
    return old_multibase, new_multibase, retired
