"""The issuer's Ed25519 signing keys: storage, Multikey encoding, the /issuer document."""

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.certificates.contexts import CONTROLLER_CONTEXT
from lms.certificates.signing import KeyRefusedError

# Multicodec prefix for an Ed25519 public key (varint 0xed), as used by Multikey.
_ED25519_PUB_PREFIX = b"\xed\x01"


class SigningKeyMissingError(FileNotFoundError):
    """The certificate signing key is not where the configuration says it is."""


def load_or_create_signing_key(path: Path, *, create: bool) -> Ed25519PrivateKey:
    """Load the PEM (PKCS8) Ed25519 key at path; generate it (mode 0600) only if create is true.

    Production passes create=False: a lost or misplaced key must stop issuing loudly rather than
    silently start a new key that no published document knows.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise SigningKeyMissingError(
                f"certificate signing key not found at {path}; provision the Ed25519 key "
                "(PEM, PKCS8, mode 0600) there, it is only generated automatically in development"
            )
        _create_key_file(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written beside the target then hard-linked into place: the key appears complete or not at
    # all, and when two processes race the first one wins and the other loads its key.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Encode a public key as Multikey publicKeyMultibase: 'z' + base58btc(0xed01 + 32 bytes)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB_PREFIX + raw).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Decode a publicKeyMultibase string made by public_key_multibase."""
    if not value.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc ('z' prefix)")
    decoded = base58.b58decode(value[1:])
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PUB_PREFIX):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def key_id(public_key: Ed25519PublicKey) -> str:
    """Return the key's fragment id: its publicKeyMultibase, stable and self-describing."""
    return public_key_multibase(public_key)


def issuer_id(base_url: str) -> str:
    """Return the issuer's IRI, <base>/issuer, also the controller of its keys."""
    return base_url.rstrip("/") + "/issuer"


def verification_method_id(base_url: str, public_key: Ed25519PublicKey) -> str:
    """Return the verificationMethod IRI a proof made with this key names."""
    return f"{issuer_id(base_url)}#{key_id(public_key)}"


def issuer_document(base_url: str, keys: list[Ed25519PublicKey], name: str, url: str) -> dict:
    """Build the issuer Profile and controller document served at <base>/issuer.

    Every key ever used stays listed after a rotation, so older certificates keep verifying.
    """
    controller = issuer_id(base_url)
    methods = [
        {
            "id": verification_method_id(base_url, key),
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": public_key_multibase(key),
        }
        for key in keys
    ]
    return {
        # did/v1 and multikey/v1 define the keys as wallets' verifiers expect them; VC v2 and
        # OB 3.0 define Profile, name and url. Each method is also served alone (as_key_document).
        "@context": list(CONTROLLER_CONTEXT),
        "id": controller,
        "type": ["Profile"],
        "name": name,
        "url": url,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def key_resolver(
    base_url: str,
    keys: Iterable[Ed25519PublicKey],
    retired: Mapping[str, datetime] | None = None,
) -> Callable[[str, str | None], Ed25519PublicKey | None]:
    """Return a resolver for verify_credential that knows this issuer's published keys.

    `retired` maps a key's multibase to its retirement: Atelier never signs with it after that,
    so it vouches only for proofs created before. A compromised key must not be passed at all:
    whoever holds it can date a proof as they like.
    """
    known = {verification_method_id(base_url, key): key for key in keys}
    retired = retired or {}

    def resolve(method: str, created: str | None = None) -> Ed25519PublicKey | None:
        key = known.get(method)
        if key is None:
            return None
        retired_at = retired.get(public_key_multibase(key))
        if retired_at is not None:
            retired_at = retired_at if retired_at.tzinfo else retired_at.replace(tzinfo=UTC)
            if created is None or datetime.fromisoformat(created) >= retired_at:
                raise KeyRefusedError(
                    f"the key was retired on {retired_at.date().isoformat()} and this proof "
                    "was made after"
                )
        return key

    return resolve
