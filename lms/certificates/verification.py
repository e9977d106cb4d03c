"""Checking a credential file: its signature against the published keys, then current status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select

from lms.certificates.codes import normalize_code
from lms.certificates.keyring import base_url, public_key_resolver
from lms.certificates.models import Certificate
from lms.certificates.signing import utc_timestamp, verify_credential
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
    differences = record_differences(document, certificate)
    if differences:
        return CredentialCheck(
            False,
            "signature valid, but it differs from the record: " + "; ".join(differences),
            certificate,
        )
    if certificate.is_revoked:
        when = certificate.revoked_at.date().isoformat()
        return CredentialCheck(
            False, f"revoked on {when}: {certificate.revocation_reason}", certificate
        )
    return CredentialCheck(
        True, "valid: signature verified and certificate not revoked", certificate
    )


def _signed_facts(credential: dict) -> dict[str, object]:
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    names = [
        identity.get("identityHash")
        for identity in subject.get("identifier") or []
        if isinstance(identity, dict) and identity.get("identityType") == "name"
    ]
    issuer = credential.get("issuer")
    return {
        "recipient name": names[0] if len(names) == 1 else names or None,
        "course": achievement.get("name"),
        "course code": achievement.get("humanCode"),
        "hours": achievement.get("creditsAvailable"),
        "issue date": credential.get("validFrom"),
        "issuer name": issuer.get("name") if isinstance(issuer, dict) else None,
    }


def record_differences(credential: dict, certificate: Certificate) -> list[str]:
    """What a validly signed credential says that its certificate record does not, in words.

    A difference means the record was changed after signing, or the key signed something
    Atelier did not issue: either way the credential is not what the record vouches for.
    """
    issued_at = certificate.issued_at
    on_record = {
        "recipient name": certificate.recipient_name,
        "course": certificate.course_title_fr,
        "course code": certificate.course_slug,
        "hours": certificate.hours,
        "issue date": utc_timestamp(
            issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC)
        ),
        "issuer name": certificate.issuer_name,
    }
    signed = _signed_facts(credential)
    return [
        f"{fact} signed {signed[fact]!r}, on record {value!r}"
        for fact, value in on_record.items()
        if signed[fact] != value
    ]
