"""A Redactor removes secrets from text: known values and the shapes of tokens."""

from __future__ import annotations

import base64
import fnmatch
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from logsafe.patterns import SHAPES

MASK = "***"

SECRET_NAME_PATTERNS: tuple[str, ...] = ("*_KEY", "*_SECRET", "*_TOKEN", "*PASSWORD*")
# Shorter values are too likely to be ordinary words or numbers to mask safely.
_MIN_SECRET_LENGTH = 6


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether an environment variable of this name holds a secret."""
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, p.upper()) for p in (*SECRET_NAME_PATTERNS, *extra))


def encodings(value: str) -> set[str]:
    """The forms a secret takes on its way into a log: raw, URL-encoded, base64."""
    raw = value.encode()
    forms = {value, quote(value, safe=""), quote_plus(value)}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode()
        forms.update({text, text.rstrip("=")})
    return {f for f in forms if len(f) >= _MIN_SECRET_LENGTH}


@dataclass(frozen=True)
class Redactor:
    """Replaces known secret values (in every encoding) and token shapes with MASK."""

    secrets: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, extra_names: Iterable[str] = ()
    ) -> Redactor:
        env = os.environ if environ is None else environ
        names = tuple(extra_names)
        return cls().with_secrets(v for k, v in env.items() if is_secret_name(k, names))

    def with_secrets(self, values: Iterable[str]) -> Redactor:
        extra = set().union(*(encodings(v) for v in values if len(v) >= _MIN_SECRET_LENGTH))
        return Redactor(self.secrets | frozenset(extra))

    @cached_property
    def _known(self) -> re.Pattern[str] | None:
        if not self.secrets:
            return None
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(self.secrets, key=len, reverse=True)
        return re.compile("(" + "|".join(re.escape(s) for s in ordered) + ")")

    def redact(self, text: str) -> str:
        if not text:
            return text
        if self._known is not None and any(s in text for s in self.secrets):
            text = self._known.sub(_mask_group, text)
        lower = text.lower()
        for shape in SHAPES:
            if not shape.keywords or any(k in lower for k in shape.keywords):
                text = shape.regex.sub(_mask_group, text)
        return text

    def redact_value(self, value: Any) -> Any:
        """Redact strings inside dicts, lists and tuples, recursively; keys too."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {self.redact_value(k): self.redact_value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return type(value)(self.redact_value(v) for v in value)
        if isinstance(value, (bytes, bytearray)):
            return self.redact(bytes(value).decode("utf-8", "replace"))
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        return self.redact(repr(value))


@lru_cache(maxsize=4096)
def _secret_name_cached(name: str) -> bool:
    return is_secret_name(name)


@lru_cache(maxsize=8)
def _redactor_for(values: tuple[str, ...]) -> Redactor:
    return Redactor().with_secrets(values)


_REFRESH_SECONDS = 1.0
_current: tuple[float, Redactor] | None = None


def current() -> Redactor:
    """A Redactor for the secrets in os.environ, cheap enough for every log record.

    os.environ is re-read at most once a second: a secret set later than that is
    masked from the next second on.
    """
    global _current
    now = time.monotonic()
    if _current is None or now - _current[0] > _REFRESH_SECONDS:
        values = tuple(sorted(v for k, v in os.environ.items() if _secret_name_cached(k)))
        _current = (now, _redactor_for(values))
    return _current[1]


def refresh() -> None:
    """Re-read os.environ on the next record (after changing secrets at run time)."""
    global _current
    _current = None


def _mask_group(match: re.Match[str]) -> str:
    """Mask the one group that matched; keep the rest of the match (`signature=`)."""
    group = match.lastindex or 0
    whole = match.group(0)
    start, end = match.span(group)
    offset = match.start()
    return whole[: start - offset] + MASK + whole[end - offset :]
