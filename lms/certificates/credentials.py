"""Signing a certificate: its snapshot columns and the Open Badges credential made from them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from lms.accounts.models import Cohort, User
from lms.certificates.badges import build_open_badge_credential
from lms.certificates.codes import new_public_code, normalize_code
from lms.certificates.keyring import base_url, record_current_key
from lms.certificates.keys import verification_method_id
from lms.certificates.models import CertificateStatus
from lms.certificates.signing import sign_credential, utc_timestamp
from lms.certificates.status import status_entry
from lms.clock import utcnow
from lms.courses.models import Course

CRITERIA_FR = (
    "Tous les modules obligatoires de l’atelier achevés, travaux rendus et validés "
    "par l’équipe pédagogique."
)


def verify_url(code: str) -> str:
    """The public page of a certificate, printed on it and encoded in its QR code."""
    return f"{base_url()}/verify/{normalize_code(code) or code}"


@dataclass(frozen=True)
class Signer:
    """What every certificate of one issue run shares: key, method, time, who."""

    key: object
    method: str
    issued_at: datetime
    actor: User | None

    @classmethod
    def now(cls, actor: User | None) -> Signer:
        key = record_current_key()
        # Second precision, so the stored time and the signed validFrom are the same instant.
        issued_at = utcnow().replace(microsecond=0)
        return cls(key, verification_method_id(base_url(), key.public_key()), issued_at, actor)


def certificate_fields(
    signer: Signer,
    trainee: User,
    course: Course,
    cohort: Cohort | None,
    override_reason: str | None,
    replaces_id: int | None,
    status_index: int,
) -> dict:
    """Snapshot and sign; returns the new row's columns (kept to rebuild it after a race).

    status_index comes from status.allocate_status_indexes: the certificate's revocation bit.
    """
    config = current_app.config
    code = new_public_code()
    issuer_name = config["ISSUER_NAME"]
    signed = _signed_credential(signer, trainee, course, code, status_index)
    actor = signer.actor
    return {
        "code": code,
        "uuid": str(uuid.uuid4()),
        "user_id": trainee.id,
        "course_id": course.id,
        "cohort_id": cohort.id if cohort else None,
        "recipient_name": trainee.name,  # stored NFC by accounts.normalize_name
        "course_slug": course.slug,
        "course_title_fr": course.title_fr,
        "course_title_ar": course.title_ar,
        "hours": course.hours,
        "cohort_name": cohort.name if cohort else None,
        "place": (cohort.place or cohort.region) if cohort else None,
        "issued_at": signer.issued_at,
        "issued_by_id": actor.id if actor else None,
        "issuer_name": issuer_name,
        "signatory_name": config.get("SIGNATORY_NAME") or (actor.name if actor else issuer_name),
        "signatory_title": config.get("SIGNATORY_TITLE") or "",
        "override_reason": override_reason,
        "status": CertificateStatus.ISSUED,
        "replaces_id": replaces_id,
        "credential_json": json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
        "verification_method": signer.method,
        "status_list_index": status_index,
    }


def _signed_credential(
    signer: Signer, trainee: User, course: Course, code: str, status_index: int
) -> dict:
    """The Open Badges credential of one certificate, signed by the current key."""
    stamp = utc_timestamp(signer.issued_at)
    credential = build_open_badge_credential(
        credential_id=verify_url(code),
        issuer_id=f"{base_url()}/issuer",
        issuer_name=current_app.config["ISSUER_NAME"],
        issuer_url=base_url() + "/",
        achievement_id=f"{base_url()}/courses/{course.slug}/",
        achievement_name=course.title_fr,
        achievement_description=course.summary_fr or course.title_fr,
        criteria_narrative=CRITERIA_FR,
        recipient_name=trainee.name,
        hours=course.hours,
        valid_from=stamp,
        credential_name=f"Certificat de réussite — {course.title_fr}",
        achievement_code=course.slug,
        credential_status=status_entry(status_index),
    )
    return sign_credential(credential, signer.key, signer.method, stamp)
