"""A Redactor removes secrets from text: known values and the shapes of tokens."""

from __future__ import annotations

import base64
import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote, quote_plus

from logsafe.patterns import HEADER, QUERY_PARAM, TOKEN_SHAPES

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
        return re.compile("|".join(re.escape(s) for s in ordered))

    def redact(self, text: str) -> str:
        if not text:
            return text
        if self._known is not None:
            text = self._known.sub(MASK, text)
        text = QUERY_PARAM.sub(lambda m: m.group(1) + MASK, text)
        text = HEADER.sub(lambda m: m.group(1) + MASK, text)
        for shape in TOKEN_SHAPES:
            text = shape.sub(_mask_group, text)
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


def _mask_group(match: re.Match[str]) -> str:
    whole = match.group(0)
    if match.re.groups == 0:
        return MASK
    start, end = match.span(1)
    offset = match.start(0)
    return whole[: start - offset] + MASK + whole[end - offset :]
