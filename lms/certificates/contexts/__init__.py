"""The JSON-LD contexts shipped with Atelier, so that signing never fetches one from the network."""

import json
from functools import cache
from pathlib import Path

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines Multikey, verificationMethod and assertionMethod for the issuer's controller document.
# Not bundled: Atelier serves that document but never canonicalizes it.
CID_V1 = "https://www.w3.org/ns/cid/v1"

CREDENTIAL_CONTEXT = (VC_V2, OB_V3)

_FILES = {
    VC_V2: "context-credentials-v2.jsonld",
    OB_V3: "context-ob-3.0.3.json",
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
