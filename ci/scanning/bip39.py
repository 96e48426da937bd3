"""BIP39 seed phrases: the words that are a wallet, found by their checksum.

A phrase is 12, 15, 18, 21 or 24 words of the standard English list; its last word
carries a checksum (the first ENT/32 bits of SHA-256 of the entropy), so a random
sequence of list words passes only one time in 16 (12 words) to 256 (24 words). To keep
false positives near zero a phrase also has to stand alone: the whole line (after an
optional `NAME =` / `NAME:` / `export NAME=`), or the whole of one quoted string, or
a line holding only the quoted words of a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from ci.core.frozen import Frozen

TYPE_CHECKING = False  # `typing` only for the type checker: it costs a commit hook more than json
if TYPE_CHECKING:
    from typing import TypeVar

    K = TypeVar("K")

RULE = "bip39-seed-phrase"
DESCRIPTION = "BIP39 wallet seed phrase (checksum valid)"
LENGTHS = frozenset({12, 15, 18, 21, 24})

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[\w.\[\]'\"-]{1,60}\s*(?::=|=>|=|:)\s*")
_QUOTED = re.compile(r"""(?P<q>["'`])(?P<body>[a-z ]{20,250})(?P=q)""")
# Possessive (`*+`): the blanks around a comma can be split two ways, and trying every split of
# every gap before giving up took hours on a long list with a character after it.
_LIST = re.compile(
    r"""^\s*[\w.-]{0,60}\s*(?:=|:)?\s*[\[(]?\s*((?:["'][a-z]++["']\s*+,?\s*+){12,24})[\])]?\s*,?\s*$"""
)
_LIST_WORD = re.compile(r"""["']([a-z]+)["']""")
_WORD = re.compile(r"[a-z]+")
_BLANK = r"[^\S\n]"  # `\s` within a line: the same as `\s` on a line alone
_LONE_WORD = rf"{_BLANK}*(?:(?:\d{{1,2}}[.):]|[-*]){_BLANK}*)?([a-z]{{3,8}}){_BLANK}*,?"
_LONE = re.compile(rf"^{_LONE_WORD}$")
_LONE_MAX = 24
_BARE = re.compile(r"^[\"'`]?([a-z]+(?: [a-z]+){11,23})[\"'`]?[,;]?$")


@cache
def wordlist() -> tuple[str, ...]:
    from importlib import resources  # only when a line may hold a phrase: most runs need none

    text = resources.files("ci.scanning").joinpath("data/bip39-english.txt").read_text("utf-8")
    words = tuple(text.split())
    assert len(words) == 2048, "the BIP39 English wordlist has 2048 words"
    return words


@cache
def _index() -> dict[str, int]:
    return {word: i for i, word in enumerate(wordlist())}


def is_valid(words: Iterable[str]) -> bool:
    """Whether these words are a BIP39 phrase: a valid length, list words, and the checksum."""
    phrase = list(words)
    if len(phrase) not in LENGTHS:
        return False
    index = _index()
    if any(word not in index for word in phrase):
        return False
    bits = "".join(format(index[word], "011b") for word in phrase)
    checksum_bits = len(phrase) * 11 // 33
    entropy_bits = bits[:-checksum_bits]
    entropy = int(entropy_bits, 2).to_bytes(len(entropy_bits) // 8, "big")
    digest = format(int.from_bytes(_sha256(entropy), "big"), "0256b")
    return digest[:checksum_bits] == bits[-checksum_bits:]


def from_entropy(entropy: bytes) -> str:
    """The phrase for 16, 20, 24, 28 or 32 bytes of entropy (test corpora build theirs this way)."""
    if len(entropy) not in (16, 20, 24, 28, 32):
        raise ValueError("BIP39 entropy is 16, 20, 24, 28 or 32 bytes")
    bits = format(int.from_bytes(entropy, "big"), f"0{len(entropy) * 8}b")
    digest = format(int.from_bytes(_sha256(entropy), "big"), "0256b")
    bits += digest[: len(entropy) * 8 // 32]
    words = wordlist()
    return " ".join(words[int(bits[i : i + 11], 2)] for i in range(0, len(bits), 11))


class Match(Frozen):
    __slots__ = _fields = ("line", "words", "lines")
    line: int  # 1-based, where the phrase starts
    words: int  # how many words the phrase has (never the words themselves)
    lines: int  # how many lines it covers (one word per line: as many as words)

    def __init__(self, line: int, words: int, lines: int = 1) -> None:
        self._set(line=line, words=words, lines=lines)


def _sha256(data: bytes) -> bytes:
    import hashlib  # only for a candidate phrase: most scans check none

    return hashlib.sha256(data).digest()


def find(text: str) -> list[Match]:
    """Every standalone, checksum-valid phrase in `text`, by the line it starts on."""
    numbered = ((None, number, line) for number, line in enumerate(text.splitlines(), 1))
    return [Match(number, n, span) for _, number, n, span in phrases(numbered)]


def phrases(lines: Iterable[tuple[K, int, str]]) -> Iterator[tuple[K, int, int, int]]:
    """(key, first line, words, lines covered) per phrase in numbered lines keyed by file.

    A phrase is on one line, or written one word per line (`word`, `3. word`, `- word`)
    as a run of exactly 12 to 24 such lines: a longer run is a word list, not a wallet.
    """
    run: tuple[K, int, list[str]] | None = None  # key, first line, words so far
    last = 0
    for key, number, line in lines:
        word = _lone_word(line)
        if word is not None and run is not None and key == run[0] and number == last + 1:
            run[2].append(word)
        else:
            yield from _run_phrase(run)
            run = (key, number, [word]) if word is not None else None
        last = number
        if word is None and len(line) >= 35 and line.count(" ") + line.count(",") >= 11:
            words = phrase_length(line)  # 12 words need at least 11 gaps
            if words:
                yield key, number, words, 1
    yield from _run_phrase(run)


def _run_phrase(run: tuple[K, int, list[str]] | None) -> Iterator[tuple[K, int, int, int]]:
    if run is not None and len(run[2]) in LENGTHS and is_valid(run[2]):
        yield run[0], run[1], len(run[2]), len(run[2])


def _lone_word(line: str) -> str | None:
    if len(line) > _LONE_MAX:
        return None  # cheap: a line holding one word (and maybe its number) is short
    match = _LONE.match(line)
    return match.group(1) if match and match.group(1) in _index() else None


def phrase_length(line: str) -> int:
    """How many words the phrase standing alone on `line` has, or 0 when there is none."""
    words = _WORD.findall(line)
    if len(words) < min(LENGTHS) or len(_index().keys() & words) < 2:
        return 0  # cheap: most lines hold far fewer list words than a phrase
    index = _index()
    if sum(word in index for word in words) < min(LENGTHS):
        return 0
    for candidate in _candidates(line):
        words = candidate.split()
        if len(words) in LENGTHS and is_valid(words):
            return len(words)
    return 0


def _candidates(line: str) -> Iterator[str]:
    stripped = line.strip()
    rest = _ASSIGNMENT.sub("", stripped, count=1)
    for text in (stripped, rest):
        bare = _BARE.match(text)
        if bare:
            yield bare.group(1)
    for quoted in _QUOTED.finditer(line):
        yield quoted.group("body")
    listed = _LIST.match(line)
    if listed:
        yield " ".join(_LIST_WORD.findall(listed.group(1)))


# -- a screen for a long diff ------------------------------------------------------------------
# `phrases` reads each line in Python, about a microsecond a line: on a long history, most of
# the secrets gate's own time. The screen runs the regular-expression engine over the whole
# diff instead and returns every added line `phrases` could report or count towards a run of
# one-word lines, and some more: never fewer. It loosens the grammar above, so change the two
# together (tests/scanning/test_seeds.py plants each form in a real history). A phrase's words
# have 3 to 8 letters (the list's shortest and longest) and a gap between two of them is
# spaces, or quotes around blanks and at most one comma (a list of quoted words).
# Possessive throughout, as _LIST and for the same reason.
_GAP = rf"""(?: ++|["']{_BLANK}*+,?{_BLANK}*+["'])"""
_TWELVE = rf"[a-z]{{3,8}}+(?:{_GAP}[a-z]{{3,8}}+){{11}}(?![a-z])"
_SCREEN_LINE = re.compile(
    r"\n\+(?=[^\n]{47})"  # twelve 3-letter words and 11 gaps, at least
    # 11 words followed by a space or a quote: most code fails here, in one pass over the line
    r"""(?=(?:(?:[^\na-z]*+[a-z]++(?![ "']))*+[^\na-z]*+[a-z]++[ "']){11})"""
    # then, word by word (never character by character), 12 in a row with gaps between
    rf"(?:[^\na-z]*+(?!{_TWELVE})[a-z]++)*+[^\na-z]*+{_TWELVE}"
)
_SCREEN_LONE = re.compile(rf"\n\+{_LONE_WORD}(?=\n|\Z)")


def screen_diff(diff: str) -> Iterator[tuple[int, bool]]:
    """(where, whether it is one list word alone) for each added line of a unified diff that
    may hold a phrase or be one word of a phrase written a word per line. `where` is the
    offset of the newline before the line's `+`."""
    for match in _SCREEN_LINE.finditer(diff):
        yield match.start(), False
    for match in _SCREEN_LONE.finditer(diff):
        if match.group(1) in _index():
            yield match.start(), True
