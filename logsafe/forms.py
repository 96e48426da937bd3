"""The forms a known secret takes on its way into a log line."""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus, urlsplit

# Shorter values are too likely to be ordinary words or numbers to mask safely.
MIN_SECRET_LENGTH = 6


def named_encodings(value: str) -> dict[str, str]:
    """Each form a secret's leak can take, by name: raw, URL-encoded, base64 (standard and
    URL-safe, with and without padding), hex, upper- and lower-case."""
    raw = value.encode()
    forms = {
        "raw": value,
        "upper-case": value.upper(),
        "lower-case": value.lower(),
        "url-encoded": quote(value, safe=""),
        "url-encoded (path)": quote(value),
        "url-encoded (form)": quote_plus(value),
        "hex": raw.hex(),
        "hex (upper-case)": raw.hex().upper(),
    }
    for name, encode in (
        ("base64", base64.b64encode),
        ("urlsafe-base64", base64.urlsafe_b64encode),
    ):
        text = encode(raw).decode()
        forms[name] = text
        forms[f"{name} (unpadded)"] = text.rstrip("=")
    return forms


def encodings(value: str) -> set[str]:
    """The forms of `named_encodings`, as exact strings, leaving out those too short to
    mask safely. The redactor matches them ignoring case, so mixed case is masked too."""
    return {f for f in named_encodings(value).values() if len(f) >= MIN_SECRET_LENGTH}


def embedded_secrets(value: str) -> set[str]:
    """Secrets inside a secret value: the password of a URL such as DATABASE_URL's (with a
    scheme or without one, `//user:password@host`)."""
    try:
        password = urlsplit(value).password
    except ValueError:
        return set()
    return {password} if password and len(password) >= MIN_SECRET_LENGTH else set()


def needles(forms: set[str] | frozenset[str]) -> tuple[str, ...]:
    """The forms to look for, leaving out any form that contains another: text holding
    `abc=` holds `abc`, so looking for `abc` is enough."""
    kept = [f for f in forms if not any(f != other and other in f for other in forms)]
    return tuple(sorted(kept))
