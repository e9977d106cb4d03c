"""Public certificate codes: random, short, Crockford base32, forgiving when typed back."""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 12 symbols x 5 bits = 60 bits of randomness

# Crockford decoding: readers confuse I/L with 1 and O with 0, so accept them.
_CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_VALID = re.compile(rf"[{ALPHABET}]{{{CODE_LENGTH}}}")


def new_public_code() -> str:
    """Return a fresh 12-symbol code (60 random bits), unformatted."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """Group a code as XXXX-XXXX-XXXX for print and display."""
    normalized = normalize_code(code)
    if normalized is None:
        raise ValueError(f"not a certificate code: {code!r}")
    return "-".join(normalized[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str | None:
    """Return the canonical code for what a person typed, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    candidate = _SEPARATORS.sub("", text).upper().translate(_CONFUSABLES)
    if _VALID.fullmatch(candidate) is None:
        return None
    return candidate
