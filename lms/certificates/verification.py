"""Checking a credential file: its signature against the published keys, then current status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.certificates.codes import normalize_code
from lms.certificates.keyring import base_url, public_key_resolver
from lms.certificates.models import Certificate
from lms.certificates.signing import verify_credential
from lms.extensions import db


@dataclass(frozen=True)
class CredentialCheck:
    """The verdict on a credential file: signature, then the certificate's current status."""

    ok: bool
    reason: str
    certificate: Certificate | None = None


def check_credential(document: object) -> CredentialCheck:
    """Check a credential's signature against this issuer's keys and its certificate's status."""
    result = verify_credential(document, public_key_resolver())
    if not result.ok:
        return CredentialCheck(False, f"signature: {result.reason}")
    prefix = f"{base_url()}/verify/"
    credential_id = document.get("id", "")
    code = (
        normalize_code(credential_id[len(prefix) :]) if credential_id.startswith(prefix) else None
    )
    certificate = (
        db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None
    )
    if certificate is None:
        return CredentialCheck(False, "signature valid, but no certificate on record has this id")
    if certificate.is_revoked:
        when = certificate.revoked_at.date().isoformat()
        return CredentialCheck(
            False, f"revoked on {when}: {certificate.revocation_reason}", certificate
        )
    return CredentialCheck(
        True, "valid: signature verified and certificate not revoked", certificate
    )
