"""Data Integrity proofs (eddsa-rdfc-2022) on Open Badges 3.0 credentials; the only pyld import."""

import copy
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from lms.certificates.contexts import CREDENTIAL_CONTEXT, load_bundled_context

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

# Canonicalization silently drops terms the contexts do not define and relative IRIs, which would
# leave them unsigned. Expanding with a sentinel @vocab and base makes them visible instead; when
# none occurs the N-Quads are byte-identical to a plain URDNA2015 run.
_UNDEFINED_VOCAB = "urn:atelier:undefined-term#"
_RELATIVE_BASE = "https://relative-iri.atelier.invalid/"
_SENTINEL_IRI = re.compile(
    "<(?:" + re.escape(_UNDEFINED_VOCAB) + "|" + re.escape(_RELATIVE_BASE) + ")([^>]*)>"
)
# XML Schema dateTimeStamp: a date-time that always carries its time zone.
DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
)

# pyld keeps processed contexts in a module-level LRU cache that is not safe to mutate from
# several threads at once; a certificate canonicalizes in ~2 ms, so serializing is cheap.
_PYLD_LOCK = threading.Lock()


class KeyRefusedError(LookupError):
    """The verification method is known but may not vouch for this proof (retired, compromised)."""


class UndefinedTermError(ValueError):
    """The document holds terms its @context does not define, so they would go unsigned."""


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of checking a signed credential; reason is a short English phrase."""

    ok: bool
    reason: str


def bundled_document_loader(url: str, options: dict | None = None) -> dict:
    """Serve the bundled contexts to pyld; any other URL raises ContextNotBundledError."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_bundled_context(url),
        # The "static" tag lets pyld keep the processed context in its shared cache.
        "tag": "static",
    }


def canonicalize(document: dict) -> str:
    """Return the URDNA2015 N-Quads of a JSON-LD document, refusing undefined terms."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": bundled_document_loader,
        "base": _RELATIVE_BASE,
        "expandContext": {"@vocab": _UNDEFINED_VOCAB},
    }
    with _PYLD_LOCK:
        nquads = jsonld.normalize(document, options)
    undefined = sorted(set(_SENTINEL_IRI.findall(nquads)))
    if undefined:
        raise UndefinedTermError("terms not defined by the @context: " + ", ".join(undefined))
    return nquads


@lru_cache(maxsize=256)
def _proof_config_digest(proof_config_json: str) -> bytes:
    # In a bulk issue every certificate shares (created, verificationMethod): hash that once.
    return hashlib.sha256(canonicalize(json.loads(proof_config_json)).encode()).digest()


def hash_data(credential: dict, proof_options: dict) -> bytes:
    """Return sha256(canonical proof config) || sha256(canonical credential without proof)."""
    document = {key: value for key, value in credential.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    config_json = json.dumps(config, sort_keys=True, ensure_ascii=False)
    document_digest = hashlib.sha256(canonicalize(document).encode()).digest()
    return _proof_config_digest(config_json) + document_digest


def utc_timestamp(moment: datetime | None = None) -> str:
    """Format a moment (default: now) as the second-precision UTC stamp used in proofs."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_context(document: dict) -> None:
    context = document.get("@context")
    if (
        not isinstance(context, list)
        or not context
        or context[0] != CREDENTIAL_CONTEXT[0]
        or not all(isinstance(url, str) and url in CREDENTIAL_CONTEXT for url in context)
    ):
        # Inline or foreign contexts could remap terms so that what a reader sees differs from
        # what was signed; only VC 2.0 (alone, as status lists use it) and OB 3.0 are accepted,
        # not the controller document's contexts, which Atelier never signs.
        raise ValueError(f"unsupported @context: {context!r}")


def sign_credential(
    credential: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
) -> dict:
    """Return a copy of the credential with an eddsa-rdfc-2022 DataIntegrityProof.

    Text is signed code point for code point: normalize names (NFC) before storing and signing.
    """
    if "proof" in credential:
        raise ValueError("credential already has a proof")
    _check_context(credential)
    if not DATE_TIME_STAMP.fullmatch(created):
        raise ValueError(f"created must be an XML Schema dateTimeStamp, got {created!r}")
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(hash_data(credential, proof))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    signed = copy.deepcopy(credential)
    signed["proof"] = proof
    return signed


def _issuer_id(credential: dict) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def verify_credential(
    signed: Any,
    resolve_public_key: Callable[[str, str], Ed25519PublicKey | None],
) -> VerificationResult:
    """Check a credential's eddsa-rdfc-2022 proof; never raises, reports why it failed instead.

    The resolver gets the verification method and the proof's creation time, so that a retired
    key can be accepted for what it signed before its retirement only.
    """
    try:
        return _verify(signed, resolve_public_key)
    except UndefinedTermError as error:
        return VerificationResult(False, str(error))
    except Exception as error:  # any malformed input must yield a verdict
        return VerificationResult(False, f"malformed credential ({type(error).__name__})")


def _verify(signed: Any, resolve_public_key: Callable) -> VerificationResult:
    if not isinstance(signed, dict):
        return VerificationResult(False, "not a JSON object")
    proof = signed.get("proof")
    if isinstance(proof, list):
        return VerificationResult(False, "several proofs are not supported")
    if not isinstance(proof, dict):
        return VerificationResult(False, "no proof")
    if proof.get("type") != PROOF_TYPE:
        return VerificationResult(False, "unsupported proof type")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return VerificationResult(False, "unsupported cryptosuite")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return VerificationResult(False, "proof purpose is not assertionMethod")
    created = proof.get("created")
    if not isinstance(created, str) or not DATE_TIME_STAMP.fullmatch(created):
        return VerificationResult(False, "missing or invalid proof creation time")
    try:
        _check_context(signed)
    except ValueError:
        return VerificationResult(False, "unsupported @context")
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return VerificationResult(False, "missing verification method")
    if method.split("#", 1)[0] != _issuer_id(signed):
        return VerificationResult(False, "verification method does not belong to the issuer")
    try:
        public_key = resolve_public_key(method, created)
    except KeyRefusedError as error:
        return VerificationResult(False, str(error))
    except Exception:  # a failing resolver means an unknown key, not a crash
        public_key = None
    if public_key is None:
        return VerificationResult(False, "unknown verification method")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return VerificationResult(False, "malformed proof value")
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError:
        return VerificationResult(False, "malformed proof value")
    if len(signature) != 64:
        return VerificationResult(False, "malformed proof value")
    try:
        public_key.verify(signature, hash_data(signed, proof))
    except InvalidSignature:
        return VerificationResult(False, "signature does not match")
    return VerificationResult(True, "valid")
