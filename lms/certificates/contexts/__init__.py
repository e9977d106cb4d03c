"""The JSON-LD contexts shipped with Atelier, so that signing never fetches one from the network."""

import json
from functools import cache
from pathlib import Path

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The issuer's controller document is read as a DID document: these two define
# verificationMethod, assertionMethod and Multikey in the form wallets' verifiers load and check
# (copied from the npm packages did-context 3.1.1 and @digitalbazaar/multikey-context 2.0.1).
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

CREDENTIAL_CONTEXT = (VC_V2, OB_V3)
# did/v1 first: verifiers then take the document as it is instead of reframing it.
CONTROLLER_CONTEXT = (DID_V1, MULTIKEY_V1, VC_V2, OB_V3)

_FILES = {
    VC_V2: "context-credentials-v2.jsonld",
    OB_V3: "context-ob-3.0.3.json",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class ContextNotBundledError(LookupError):
    """A JSON-LD document referred to a context Atelier does not ship."""


def bundled_urls() -> frozenset[str]:
    """Return the context URLs that can be resolved offline."""
    return frozenset(_FILES)


@cache
def _context_text(url: str) -> str:
    return (Path(__file__).parent / _FILES[url]).read_text(encoding="utf-8")


def load_bundled_context(url: str) -> dict:
    """Return a fresh copy of a bundled context document, or raise ContextNotBundledError."""
    if url not in _FILES:
        raise ContextNotBundledError(
            f"JSON-LD context {url!r} is not bundled; refusing to fetch it"
        )
    # A fresh parse each time: JSON-LD processors may annotate the document in place.
    return json.loads(_context_text(url))
