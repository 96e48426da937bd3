"""A Redactor removes secrets from text: known values and the shapes of tokens.

One call finds every span to mask (known values in any form, token shapes, values of
fields named like secrets), merges them and rebuilds the text once. Clean text costs one
backwards scan that looks for the shapes and the known values at once (patterns.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from logsafe.forms import MIN_SECRET_LENGTH, embedded_secrets, encodings, needles
from logsafe.names import holds_secret, is_secret_field, is_secret_name
from logsafe.patterns import (
    EXCHANGE_KEY,
    FAMILIES,
    FIELD_VALUE,
    HEADER_VALUE,
    PLAIN_VALUE,
    SECRET_HEADERS,
    Trigger,
    anchors,
    known_anchors,
    trigger,
)

MASK = "***"

Span = tuple[int, int]
_LINE_BREAKS = "\r\n"
_LITERALS = frozenset({"true", "false", "null", "True", "False", "None"})


@dataclass(frozen=True)
class _Known:
    """Known secrets' forms, lower-cased: text is searched lower-cased, so any case matches."""

    needles: tuple[str, ...]  # the cheap check: every form contains one of these
    forms: dict[str, tuple[str, ...]]  # each needle's forms (those containing it), longest first
    regex: re.Pattern[str]  # for text whose length lower-casing changes (a few non-ASCII letters)


@lru_cache(maxsize=32)
def _known_for(secret_forms: frozenset[str]) -> _Known:
    # Lower-cased, so that any case matches; as they are too when lower-casing changes
    # their length (`İ` becomes two characters), or that case would be missed.
    looked_for = {f.lower() for f in secret_forms}
    looked_for |= {f for f in secret_forms if len(f.lower()) != len(f)}
    longest_first = sorted(looked_for, key=len, reverse=True)
    found_by = needles(looked_for)
    forms = {n: tuple(f for f in longest_first if n in f) for n in found_by}
    every_form = sorted(looked_for | secret_forms, key=len, reverse=True)
    regex = re.compile("|".join(re.escape(f) for f in every_form), re.IGNORECASE)
    return _Known(found_by, forms, regex)


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
        forms: set[str] = set()
        for value in values:
            for secret in {value, *embedded_secrets(value)}:
                if len(secret) >= MIN_SECRET_LENGTH:
                    forms |= encodings(secret)
        return Redactor(self.secrets | forms)

    @cached_property
    def _known(self) -> _Known | None:
        return _known_for(self.secrets) if self.secrets else None

    @cached_property
    def _trigger(self) -> Trigger:
        return trigger(self._known.needles if self._known is not None else ())

    @cached_property
    def _scan(self) -> tuple[Callable[..., re.Match[str] | None], Mapping[str | None, str]]:
        return self._trigger.regex.search, self._trigger.family_of

    @cached_property
    def _anchors(self) -> frozenset[str]:
        return anchors(self._known.needles if self._known is not None else ())

    @cached_property
    def _known_anchors(self) -> frozenset[str]:
        return known_anchors(self._known.needles) if self._known is not None else frozenset()

    def redact(self, text: str) -> str:
        """The text with every secret replaced by MASK; the same object when clean."""
        return apply(text, self.spans(text))

    def spans(self, text: str) -> list[Span]:
        """Where the secrets are in `text`: sorted, non-overlapping (start, end) pairs.

        Each hit of the backwards scan says what to mask; the loop is inline, as it runs
        for every log record. The scan goes on from the character after each hit's anchor
        (a URL's user: after its password), not after what the hit read: a field's name and
        a URL's user may hold a secret too (`https://TOKEN:x-oauth-basic@github.com`). It
        reports one hit a place: where a shape's hit takes the place a known secret is
        anchored at, or skips a password, the line is searched for the known secrets after
        the scan."""
        found: list[Span] = []
        # Until the scan is compiled, text with none of its anchors skips it (see anchors()).
        if "_trigger" in self.__dict__ or not self._anchors.isdisjoint(text):
            reversed_text = text[::-1]
            search, family_of = self._scan
            hit = search(reversed_text)
            end = len(text)
            families: tuple[str, ...] = ()  # matched already (a tuple: clean text pays nothing)
            known_searched = hidden_known = False
            while hit is not None:
                family = family_of[hit.lastgroup]  # every alternative ends in a group
                if family != "known" and reversed_text[hit.start()] in self._known_anchors:
                    hidden_known = True  # its place may be a known secret's too
                if family == "field":  # the commonest hit
                    start, read = hit.span()
                    spelt = reversed_text[start:read]
                    kind = _FIELD_KINDS.get(spelt)
                    if kind is None:
                        kind = _field_kind(spelt)
                    if kind:
                        at = end - start  # the value starts after the separator
                        # A value to the end of the line (a signature, last in its query):
                        # what PLAIN_VALUE would read, without a match.
                        if start <= _NEAR_END and text[at:].isalnum():  # start: end - at
                            stop = end
                        else:
                            plain = _plain_value(text, at)
                            if plain is None:  # quoted, escaped, after `:=`...
                                _find_value(text, at, kind, found)
                                hit = search(reversed_text, start + 1)
                                continue
                            stop = plain.end()
                        # true, null...: JSON stays JSON (none is longer than five letters)
                        if stop - at > 5 or text[at:stop] not in _LITERALS:
                            if kind is _HEADER:
                                stop = _header_end(text, at)
                            found.append((at, stop))
                    hit = search(reversed_text, start + 1)
                    continue
                anchor = end - 1 - hit.start()  # where the hit's anchor is in `text`
                position = hit.start() + 1
                if family == "userinfo":
                    start, stop = hit.span("userinfo_password")
                    found.append((end - stop, end - start))
                    # On from the user, after the `:`: the password is masked whole, and read
                    # again it would be a field's value (`x-access-token:PASSWORD@host`). A
                    # known secret reaching into it is looked for after the scan.
                    position = stop + 1
                    hidden_known = True
                elif family == "telegram":
                    found.append((anchor + 1, anchor + 36))
                elif family == "exchange":
                    key = EXCHANGE_KEY.match(text, anchor)
                    if key is not None:
                        span = key.span("secret")
                        if span not in found:  # a known key after its word: found already
                            found.append(span)
                elif family == "known" and self._known is not None:
                    # Masked wherever they are: the scan skips them, tokens as they are.
                    before = len(found)
                    _find_known(self._known, text, found)
                    known_searched = True
                    for start, stop in found[before:]:
                        if start <= anchor < stop:
                            position = max(position, end - start)
                elif family not in families:
                    families += (family,)
                    _find_family(family, text, found)
                hit = search(reversed_text, position)
            if hidden_known and not known_searched and self._known is not None:
                _find_known(self._known, text, found)
        if ("\n" in text or "\r" in text) and self._known is not None:
            _find_known_across_lines(self._known, text, found)
        return _merged(found) if len(found) > 1 else found

    def redact_value(self, value: Any) -> Any:
        """Redact strings inside dicts, lists and tuples, recursively; keys too. A value
        under a key named like a secret (`api_secret`, `password`) is masked whole."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {
                self.redact_value(k): MASK if holds_secret(k, v) else self.redact_value(v)
                for k, v in value.items()
            }
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
            return type(value)(*(self.redact_value(v) for v in value))
        if isinstance(value, (list, tuple, set, frozenset)):
            return type(value)(self.redact_value(v) for v in value)
        if isinstance(value, (bytes, bytearray)):
            return self.redact(bytes(value).decode("utf-8", "replace"))
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        return self.redact(repr(value))


def _find_known(known: _Known, text: str, found: list[Span]) -> None:
    lowered = text.lower()
    if len(lowered) != len(text):  # positions in `lowered` are not those in `text`
        found.extend(m.span() for m in known.regex.finditer(text))
        return
    for needle in known.needles:
        if needle in lowered:
            for form in known.forms[needle]:
                start = lowered.find(form)
                while start >= 0:
                    found.append((start, start + len(form)))
                    start = lowered.find(form, start + 1)


def _find_known_across_lines(known: _Known, text: str, found: list[Span]) -> None:
    """A secret split by line breaks (wrapped base64, two arguments on two lines)."""
    joined = text.lower().replace("\r", "").replace("\n", "")
    if any(map(joined.__contains__, known.needles)):
        kept = [i for i, c in enumerate(text) if c not in _LINE_BREAKS]
        spans: list[Span] = []
        _find_known(known, "".join(text[i] for i in kept), spans)
        found.extend((kept[start], kept[stop - 1] + 1) for start, stop in spans)


_HEADER, _FIELD = 2, 1
_plain_value = PLAIN_VALUE.match
# How close to the end a value is checked for running to it (the check copies the rest).
_NEAR_END = 256
_BARE = FIELD_VALUE.groupindex["bare"]  # an unquoted value
# What the scan read for a field (its separator, then its name backwards): 0 not a
# secret, _FIELD, or _HEADER.
_FIELD_KINDS: dict[str, int] = {}


def _field_kind(spelt: str) -> int:
    separator, name = spelt[0], spelt[:0:-1].rstrip().rstrip("\"'\\")
    if is_secret_field(name):
        kind = _HEADER if name.lower() in SECRET_HEADERS else _FIELD
    else:  # `key` alone is a secret only as a query parameter: ?key=...
        kind = _FIELD if separator == "=" and name.lower() == "key" else 0
    if len(_FIELD_KINDS) < 4096:  # names come from code, but do not let a flood grow it
        _FIELD_KINDS[spelt] = kind
    return kind


def _find_value(text: str, at: int, kind: int, found: list[Span]) -> None:
    """A field's value that PLAIN_VALUE does not take: quoted, escaped, after `:=`..."""
    value = FIELD_VALUE.match(text, at)
    if value is not None:
        group = value.lastindex
        assert group is not None  # the pattern always ends in one of its value groups
        start, stop = value.span(group)
        if group != _BARE:
            if stop > start:
                found.append((start, stop))
        elif text[start:stop] not in _LITERALS:
            if kind is _HEADER:
                stop = _header_end(text, start)
            found.append((start, stop))


def _header_end(text: str, start: int) -> int:
    """Where a header's unquoted value ends: "Authorization: Bearer abc", spaces too."""
    line = HEADER_VALUE.match(text, start)
    assert line is not None  # it takes any character an unquoted value starts with
    return line.end()


def _find_family(family: str, text: str, found: list[Span]) -> None:
    shape = FAMILIES[family]
    for match in shape.regex.finditer(text):
        if shape.accept is None or shape.accept(match):
            found.append(match.span("secret"))


def _merged(spans: list[Span]) -> list[Span]:
    spans.sort()
    merged = [spans[0]]
    for start, stop in spans[1:]:
        last_start, last_stop = merged[-1]
        if start <= last_stop:
            merged[-1] = (last_start, max(last_stop, stop))
        else:
            merged.append((start, stop))
    return merged


def apply(text: str, spans: list[Span]) -> str:
    """`text` with each span replaced by MASK; the same object when there is none."""
    if not spans:
        return text
    if len(spans) == 1:
        start, stop = spans[0]
        return text[:start] + MASK + text[stop:]
    parts = []
    position = 0
    for start, stop in spans:
        parts.append(text[position:start])
        parts.append(MASK)
        position = stop
    parts.append(text[position:])
    return "".join(parts)
