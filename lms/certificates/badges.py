"""The unsigned Open Badges 3.0 credential of a completed workshop (signing.py signs it)."""

from typing import Any

from lms.certificates.contexts import CREDENTIAL_CONTEXT
from lms.certificates.signing import DATE_TIME_STAMP


def build_open_badge_credential(
    *,
    credential_id: str,
    issuer_id: str,
    issuer_name: str,
    issuer_url: str,
    achievement_id: str,
    achievement_name: str,
    achievement_description: str,
    criteria_narrative: str,
    recipient_name: str,
    hours: int | float,
    valid_from: str,
    credential_name: str | None = None,
    achievement_code: str | None = None,
    language: str | None = "fr",
    credential_status: dict | None = None,
) -> dict:
    """Build an unsigned OpenBadgeCredential for a completed workshop.

    The recipient is named through an IdentityObject (identityType "name", not hashed), as
    Open Badges 3.0 has no plain name on AchievementSubject. Hours go to the achievement's
    creditsAvailable ("credit hours" in the OB 3.0 data model).
    """
    if not recipient_name.strip():
        raise ValueError("recipient name is empty")
    if not DATE_TIME_STAMP.fullmatch(valid_from):
        raise ValueError(f"valid_from must be an XML Schema dateTimeStamp, got {valid_from!r}")
    achievement = _achievement(
        achievement_id,
        achievement_name,
        achievement_description,
        criteria_narrative,
        hours,
        achievement_code,
        language,
    )
    credential = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name, "url": issuer_url},
        "validFrom": valid_from,
        "name": credential_name or achievement_name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": recipient_name,
                }
            ],
            "achievement": achievement,
        },
    }
    if credential_status:  # where a wallet checks, offline of Atelier's pages, for revocation
        credential["credentialStatus"] = credential_status
    return credential


def _achievement(
    achievement_id: str,
    name: str,
    description: str,
    criteria_narrative: str,
    hours: int | float,
    code: str | None,
    language: str | None,
) -> dict[str, Any]:
    """The workshop as an OB 3.0 Achievement; its hours as creditsAvailable."""
    # 30.0 and 30 canonicalize differently across JSON-LD libraries; keep whole hours integral.
    if isinstance(hours, float) and hours.is_integer():
        hours = int(hours)
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": name,
        "description": description,
        "criteria": {"narrative": criteria_narrative},
        "creditsAvailable": hours,
    }
    if code:
        achievement["humanCode"] = code
    if language:
        achievement["inLanguage"] = language
    return achievement
