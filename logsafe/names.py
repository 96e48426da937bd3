"""Which names hold secrets: environment variables, and fields in logged data.

Two rules, because the two kinds of name differ. A variable's name is chosen by whoever
configures the bot, so anything that mentions a secret word counts (`*_TOKEN_*`). A field
name comes from whatever code logs it (a JSON body, a query string, a structlog key), so
only its last word decides: `access_token` is a secret, `token_type` is not.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote

# Environment variables (matched upper-case, fnmatch-style).
SECRET_NAME_PATTERNS: tuple[str, ...] = (
    "*_KEY",
    "*_APIKEY",
    "APIKEY",
    "*_SECRET",
    "*_SECRET_*",
    "SECRET",
    "*_TOKEN",
    "*_TOKEN_*",
    "TOKEN",
    "*PASSWORD*",
    "*PASSPHRASE*",
    "*DATABASE_URL",
    "*WEBHOOK_URL*",
)
# A secret word followed by one of these names a setting about the secret, not the secret:
# MAX_TOKEN_COUNT, PASSWORD_MIN_LENGTH, JWT_SECRET_TTL. (TOKEN_BUCKET_SIZE matches no pattern.)
NOT_SECRET_SUFFIXES: tuple[str, ...] = (
    "_SIZE",
    "_COUNT",
    "_LIMIT",
    "_LENGTH",
    "_TTL",
    "_SECONDS",
    "_TIMEOUT",
    "_ENABLED",
)

# Field names: the last word (after splitting on punctuation and camelCase, lower-cased).
# `key` needs a word before it (api_key); alone it is mostly an identifier, except as
# a query parameter (`?key=`), which the redactor checks for itself.
SECRET_FIELD_WORDS = frozenset(
    {
        "key",
        "apikey",
        "secret",
        "secrets",
        "token",
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "signature",
        "sig",
        "auth",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "mnemonic",
    }
)
# Single words that end like a secret word and are secrets (`apisecret`, `accesstoken`).
_SECRET_FIELD_ENDINGS = (
    "secret",
    "token",
    "password",
    "passphrase",
    "signature",
    "cookie",
    "credential",
    "credentials",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "signingkey",
)
# `key` after one of these words is an identifier, not a credential.
NOT_SECRET_KEY_QUALIFIERS = frozenset(
    {"public", "cache", "sort", "primary", "foreign", "partition", "idempotency", "routing"}
)
# Every secret field name ends (case-insensitively) with one of these: the redactor's
# pre-filter looks for them in front of a separator, so keep both lists in step.
FIELD_ENDINGS: tuple[str, ...] = tuple(sorted(SECRET_FIELD_WORDS))

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_BREAK = re.compile(r"[^a-z0-9]+")


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether an environment variable of this name holds a secret.

    `extra` adds fnmatch patterns (case-insensitive) that always count.
    """
    upper = name.upper()
    if any(fnmatch.fnmatchcase(upper, p.upper()) for p in extra):
        return True
    if upper.endswith(NOT_SECRET_SUFFIXES):
        return False
    return any(fnmatch.fnmatchcase(upper, p) for p in SECRET_NAME_PATTERNS)


@lru_cache(maxsize=4096)
def is_secret_field(name: str) -> bool:
    """Whether a field of this name (JSON key, query parameter, log field) holds a secret.

    The name is percent-decoded first, so `api%5Fkey` counts like `api_key`.
    """
    words = [w for w in _WORD_BREAK.split(_CAMEL.sub("_", unquote(name)).lower()) if w]
    if not words:
        return False
    last = words[-1]
    if last == "key":  # `key` alone is mostly an identifier: {"key": "jobs"}, S3's "Key"
        return len(words) > 1 and words[-2] not in NOT_SECRET_KEY_QUALIFIERS
    return last in SECRET_FIELD_WORDS or last.endswith(_SECRET_FIELD_ENDINGS)


def holds_secret(key: object, value: object) -> bool:
    """Whether `value`, logged under the name `key`, is masked for its name alone.

    Nothing (None, "") and booleans say nothing secret whatever their name.
    """
    if not isinstance(key, str) or value is None or value == "" or isinstance(value, bool):
        return False
    return is_secret_field(key)
