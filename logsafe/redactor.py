"""A Redactor removes known secret values from text."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MASK = "***"

SECRET_NAME_PATTERNS: tuple[str, ...] = ("*_KEY", "*_SECRET", "*_TOKEN", "*PASSWORD*")
# Shorter values are too likely to be ordinary words or numbers to mask safely.
_MIN_SECRET_LENGTH = 6


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether an environment variable of this name holds a secret."""
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, p.upper()) for p in (*SECRET_NAME_PATTERNS, *extra))


@dataclass(frozen=True)
class Redactor:
    """Replaces every known secret value with MASK."""

    secrets: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, extra_names: Iterable[str] = ()
    ) -> Redactor:
        env = os.environ if environ is None else environ
        names = tuple(extra_names)
        values = {v for k, v in env.items() if is_secret_name(k, names)}
        return cls(frozenset(v for v in values if len(v) >= _MIN_SECRET_LENGTH))

    def with_secrets(self, values: Iterable[str]) -> Redactor:
        extra = {v for v in values if len(v) >= _MIN_SECRET_LENGTH}
        return Redactor(self.secrets | extra)

    def redact(self, text: str) -> str:
        if not self.secrets or not text:
            return text
        # Longest first, so a secret that contains another is masked whole.
        pattern = "|".join(re.escape(s) for s in sorted(self.secrets, key=len, reverse=True))
        return re.sub(pattern, MASK, text)
