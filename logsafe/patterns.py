"""Shapes of secrets found in text, whatever variable they came from.

The same families the repository's .gitleaks.toml targets, plus credentials named by
the field that holds them (`api_secret=`, `"password": "..."`, `Authorization:`) and
URL passwords, kept in one place so the bot's logs and the pipeline's output are
cleaned the same way.

Speed: most log lines hold no secret, so the question "could this line hold one?" has
to be cheap. `trigger()` answers it in one scan of the line read backwards: read right
to left, every shape starts at a character that is rare in log text (the `=` or `:`
after a field name, the `@` closing a URL's userinfo, the `_` of `ghp_`, the `J` of
`eyJ`, ...), and the regex engine skips quickly to such a character when every
alternative starts with one literal character. Known secrets join the same scan, each
anchored at its rarest letter. A hit says where to look: a field's value, a URL's
password and an exchange key are read from there; a token family (`FAMILIES`) is then
matched forwards over the line, once.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from logsafe.names import FIELD_ENDINGS

# HTTP headers whose whole value, spaces included, is a credential ("Bearer abc").
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-mbx-apikey",
        "x-api-key",
        "x-finnhub-token",
    }
)

_ALNUM = "A-Za-z0-9"
_URLSAFE = "A-Za-z0-9_-"


def _any_case(letter: str) -> str:
    return f"[{letter.lower()}{letter.upper()}]" if letter.isalpha() else re.escape(letter)


def _trie(words: list[str], *, top: bool = True) -> str:
    """Any of `words`, in any case, as a trie, so that each letter is tried once. At the
    top, every alternative starts with one literal character (both cases of a letter are
    spelt out), which the engine rejects without entering it; below, a letter is a class
    (`[aA]`), so that the pattern does not double at each level. No word may be a prefix
    of another (the caller keeps the shortest)."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        rest = _trie([r for r in rests if r], top=False) if any(rests) else ""
        variants = sorted({first.lower(), first.upper()}) if top else [first]
        branches += [(re.escape(v) if top else _any_case(v)) + rest for v in variants]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _field_endings_reversed() -> str:
    """The last words of secret field names, spelt backwards. The rest of a name follows
    in the pattern, so a word that ends with another (`apikey`, `key`) is left out."""
    reversed_words = sorted(w[::-1] for w in FIELD_ENDINGS)
    kept = [
        w for w in reversed_words if not any(w != o and w.startswith(o) for o in reversed_words)
    ]
    return _trie(kept)


# Field name, then separator, read backwards: `=`, spaces, a closing quote (possibly
# escaped, \"), then the name's last word reversed and the rest of the name. Possessive
# (`*+`, `?+`): what each part takes, none of the next parts can start with, so giving it
# back finds nothing, and not keeping a way back makes each try cheaper.
_FIELD_NAME = rf"{_field_endings_reversed()}[\w%.-]*+"
_FIELD_REVERSED = rf"\s*+[\"']?+\\?+{_FIELD_NAME}"


def _near_exchange_key(word: str) -> str:
    """Backwards, anchored at the word's first letter (its last, read backwards): the
    word, 1 to 4 non-alphanumerics and a 64-character run (after it, reading forwards)."""
    spelt = "".join(_any_case(c) for c in word[::-1])
    gaps = "|".join(rf"(?<=[{_ALNUM}]{{64}}[^{_ALNUM}]{{{g}}}{spelt})" for g in range(1, 5))
    return f"(?<={spelt})(?:{gaps})"  # the word first: it rules out most places cheaply


# (family, anchor character, the rest of the backwards pattern). Anchors are rare
# characters: a common one (`-`, `/`, a lower-case vowel) costs a try at every occurrence.
# So is a lower-case `b`: every Binance URL has one. Hence `Basic`, `Bearer` and
# `Binance` are found capitalised (lower-case `authorization: basic ...` is a field).
_BACKWARDS: tuple[tuple[str, str, str], ...] = (
    ("field", "=", _FIELD_REVERSED),
    ("field", ":", _FIELD_REVERSED),
    ("field", ",", rf"[\"']{_FIELD_NAME}(?=[\"']\()"),  # a pair: ('cookie', 'x'), not a list
    # A digit first, as a class the engine checks before entering the alternative: every
    # `https:` is a `:` to reject, the cheaper the better.
    ("telegram", ":", rf"[0-9](?<=[{_URLSAFE}]{{35}}:[0-9])[0-9]{{7,9}}(?![0-9])"),
    ("userinfo", "@", r"(?P<userinfo_password>[^/?#\s]+):[^:/?#@\s]*//:"),
    ("pem", "Y", r"(?<=-----Y)EK ETAVIRP"),  # -----BEGIN RSA PRIVATE KEY-----
    ("slack", "x", r"(?<=-[abposr]x)ox"),  # xoxb-
    ("github", "_", r"(?:[pousr]hg|tap_buhtig)"),  # ghp_, github_pat_
    ("jwt", "J", r"ye"),  # eyJ
    ("aws", "A", r"I[KS]A"),  # AKIA, ASIA
    ("discord", "k", r"(?<=sk)oohbew/ipa/moc\.(?:ppa)?drocsid"),
    ("scheme", "B", r"(?:(?<=cisaB)|(?<=reraeB))"),  # Basic, Bearer
    ("exchange", "k", _near_exchange_key("key")),
    ("exchange", "K", _near_exchange_key("key")),
    ("exchange", "B", _near_exchange_key("binance")),
)
# Letters from rarest to commonest in English (log text is close enough): a known
# secret is anchored at its rarest letter. Digits and the usual punctuation come last.
_RARE_FIRST = "qjzxkvwyfgpmbucdhlrsntioae"  # b late: "binance" is in every URL
_COMMON = "0123456789 .,:;/-_=+'\"()[]{}"


def _rarity(char: str) -> int:
    if len(char.lower()) != 1 or len(char.upper()) != 1:  # ß, İ: not a one-character anchor
        return 1000
    if char.lower() in _RARE_FIRST:
        return _RARE_FIRST.index(char.lower())
    return 100 if char in _COMMON else len(_RARE_FIRST)


def _known_backwards(needle: str) -> list[tuple[str, str, str]]:
    """A known secret's form (lower-case), spelt backwards in any case, anchored at its
    rarest character: what comes before the anchor is looked behind for."""
    spelt = needle[::-1]
    at = min(range(len(spelt)), key=lambda i: _rarity(spelt[i]))
    behind = "".join(_any_case(c) for c in spelt[: at + 1])
    ahead = "".join(_any_case(c) for c in spelt[at + 1 :])
    anchors = sorted({spelt[at].lower(), spelt[at].upper()})
    return [("known", anchor, f"(?<={behind}){ahead}") for anchor in anchors]


@dataclass(frozen=True)
class Trigger:
    """The backwards scan, and the family of each of its named groups."""

    regex: re.Pattern[str]
    family_of: dict[str | None, str]  # by a hit's lastgroup


def _alternatives(known: tuple[str, ...]) -> list[tuple[str, str, str]]:
    return [*_BACKWARDS, *(a for needle in known for a in _known_backwards(needle))]


@lru_cache(maxsize=32)
def anchors(known: tuple[str, ...] = ()) -> frozenset[str]:
    """A character every hit of `trigger(known)` starts at (reading backwards): text with
    none of them cannot hit, so it needs no scan, and the scan need not be compiled for
    it (compiling it takes longer than starting ruff: the CLI's tools mostly print `[]`)."""
    return frozenset(anchor[0] for _, anchor, _ in _BACKWARDS) | known_anchors(known)


@lru_cache(maxsize=32)
def known_anchors(known: tuple[str, ...]) -> frozenset[str]:
    """The characters the known secrets' alternatives start at. The scan reports one hit a
    place: where a shape's hit takes one of these places, a known secret anchored there is
    not reported, and the line must be searched for the known secrets another way."""
    return frozenset(anchor[0] for needle in known for _, anchor, _ in _known_backwards(needle))


@lru_cache(maxsize=32)
def trigger(known: tuple[str, ...] = ()) -> Trigger:
    """The shapes' scan, plus the known secrets' forms when there are some."""
    alternatives = _alternatives(known)
    # Group names are unique, so each alternative gets one; family_of maps it back. The
    # alternatives are grouped by anchor: at an anchor, only its own ones are tried. Each
    # name is an empty group at its alternative's end, the last group a hit closes: an
    # alternative that starts with a literal or a class is then rejected by the engine
    # without entering it (a group in front would be entered first).
    by_anchor: dict[str, list[str]] = {}
    family_of: dict[str | None, str] = {}
    for i, (family, anchor, rest) in enumerate(alternatives):
        by_anchor.setdefault(anchor, []).append(f"(?:{rest})(?P<{family}_{i}>)")
        family_of[f"{family}_{i}"] = family
    pattern = "|".join(f"{re.escape(a)}(?:{'|'.join(rests)})" for a, rests in by_anchor.items())
    return Trigger(re.compile(pattern), family_of)


def _basic_credentials(value: str) -> bool:
    """`Basic xyz` is a credential when xyz is base64 of `user:password`."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _bearer_token(value: str) -> bool:
    """`Bearer xyz` is a token when xyz has a digit: prose ("Bearer authentication") has none."""
    return any(c.isdigit() for c in value)


@dataclass(frozen=True)
class Family:
    """Forward pattern; its group `secret` is masked when `accept` agrees."""

    regex: re.Pattern[str]
    accept: Callable[[re.Match[str]], bool] | None = None


def _family(pattern: str, accept: Callable[[re.Match[str]], bool] | None = None) -> Family:
    return Family(re.compile(pattern), accept)


def _scheme_accepts(match: re.Match[str]) -> bool:
    value = match.group("secret")
    if match.group("scheme").lower() == "basic":
        return _basic_credentials(value)
    return _bearer_token(value)


# Each starts with a literal (its word boundary checked just after), which the engine
# finds quickly: they run over the whole text, but only when the scan saw their anchor.
FAMILIES: dict[str, Family] = {
    "pem": _family(
        r"(?P<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?"
        r"(?:-----END [A-Z ]*PRIVATE KEY-----|\Z))"
    ),
    "slack": _family(rf"(?P<secret>xox(?<![{_ALNUM}]xox)[abposr]-[{_ALNUM}-]{{10,}})"),
    "github": _family(
        rf"(?P<secret>gh(?<![{_ALNUM}_]gh)(?:[pousr]_[{_ALNUM}]{{36,255}}"
        rf"|ithub_pat_[{_ALNUM}_]{{22,255}}))(?![{_ALNUM}_])"
    ),
    "jwt": _family(
        rf"(?P<secret>eyJ(?<![{_URLSAFE}]eyJ)[{_URLSAFE}]{{8,}}\.eyJ[{_URLSAFE}]{{8,}}"
        rf"\.[{_URLSAFE}]{{8,}})"
    ),
    "aws": _family(rf"(?P<secret>A(?<![{_ALNUM}]A)(?:KIA|SIA)[A-Z0-9]{{16}})(?![{_ALNUM}])"),
    "discord": _family(
        rf"discord(?:app)?\.com/api/webhooks/[0-9]{{17,20}}/(?P<secret>[{_URLSAFE}]{{60,80}})"
    ),
    "scheme": _family(
        r"(?P<scheme>B(?<![\w]B)(?:asic|earer))\s+(?P<secret>[A-Za-z0-9._~+/-]{6,}=*)",
        _scheme_accepts,
    ),
}
# Matched where the scan found it: the key word's first letter is the scan's anchor.
EXCHANGE_KEY = re.compile(
    rf"(?i:key|binance)[^{_ALNUM}]{{1,4}}(?P<secret>[{_ALNUM}]{{64}})(?![{_ALNUM}])"
)

# A field's value, matched just after the separator the scan found (`=`, `:`, `,`): the
# rest of `:=` or `=>`, spaces, then the value.
FIELD_VALUE = re.compile(
    r"[=>]?\s*(?:"
    r'\\"(?P<escaped>(?:(?!\\").)*)\\"'  # a JSON string inside a JSON string: \"...\"
    r'|b?"(?P<double>(?:[^"\\\r\n]|\\.)*)"'
    r"|b?'(?P<single>(?:[^'\\\r\n]|\\.)*)'"
    # Unquoted: not a {...} or [...] value, and not through an escaped quote (\") that
    # closes the JSON string it sits in. Spelt as one run of plain characters, then a run
    # after each backslash, with a look-ahead for the first character: no alternation to
    # enter and leave per run (the match of `signature=ab12cd34`'s value: a fifth less).
    r"|(?P<bare>(?![{\[])(?=[^\s&\"'<>,;)}\]\\]|\\(?![\"']))"
    r"[^\s&\"'<>,;)}\]\\]*(?:\\(?![\"'])[^\s&\"'<>,;)}\]\\]*)*)"
    r")"
)
# The commonest value, FIELD_VALUE's bare one, in a pattern that costs a third less: it
# starts with a character none of FIELD_VALUE's other ways can start with (no `=` or `>`
# of `:=` and `=>`, no space, quote, `b` of `b"`, backslash, `{` or `[`) and ends before no
# backslash (possessive: a shorter run is no way round one). FIELD_VALUE reads the rest.
PLAIN_VALUE = re.compile(r"[^\s&\"'<>,;)}\]\\=>b{\[][^\s&\"'<>,;)}\]\\]*+(?!\\)")
# A header's unquoted value runs to the end of the line: "Authorization: Bearer abc".
HEADER_VALUE = re.compile(r"[^'\"\r\n,)}\]]*[^'\"\s,)}\]]")
