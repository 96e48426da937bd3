"""BIP39 seed phrases: the words that are a wallet, found by their checksum.

A phrase is 12, 15, 18, 21 or 24 words of the standard English list; its last word
carries a checksum (the first ENT/32 bits of SHA-256 of the entropy), so a random
sequence of list words passes only one time in 16 (12 words) to 256 (24 words). To keep
false positives near zero a phrase also has to stand alone: the whole line (after an
optional `NAME =` / `NAME:` / `export NAME=`), or the whole of one quoted string, or
a line holding only the quoted words of a list.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

RULE = "bip39-seed-phrase"
DESCRIPTION = "BIP39 wallet seed phrase (checksum valid)"
LENGTHS = frozenset({12, 15, 18, 21, 24})

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[\w.\[\]'\"-]{1,60}\s*(?::=|=>|=|:)\s*")
_QUOTED = re.compile(r"""(?P<q>["'`])(?P<body>[a-z ]{20,250})(?P=q)""")
_LIST = re.compile(
    r"""^\s*[\w.-]{0,60}\s*(?:=|:)?\s*[\[(]?\s*((?:["'][a-z]+["']\s*,?\s*){12,24})[\])]?\s*,?\s*$"""
)
_LIST_WORD = re.compile(r"""["']([a-z]+)["']""")
_WORD = re.compile(r"[a-z]+")
_LONE = re.compile(r"^\s*(?:(?:\d{1,2}[.):]|[-*])\s*)?([a-z]{3,8})\s*,?$")
_LONE_MAX = 24
K = TypeVar("K")
_BARE = re.compile(r"^[\"'`]?([a-z]+(?: [a-z]+){11,23})[\"'`]?[,;]?$")


@cache
def wordlist() -> tuple[str, ...]:
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
    digest = format(int.from_bytes(hashlib.sha256(entropy).digest(), "big"), "0256b")
    return digest[:checksum_bits] == bits[-checksum_bits:]


def from_entropy(entropy: bytes) -> str:
    """The phrase for 16, 20, 24, 28 or 32 bytes of entropy (test corpora build theirs this way)."""
    if len(entropy) not in (16, 20, 24, 28, 32):
        raise ValueError("BIP39 entropy is 16, 20, 24, 28 or 32 bytes")
    bits = format(int.from_bytes(entropy, "big"), f"0{len(entropy) * 8}b")
    digest = format(int.from_bytes(hashlib.sha256(entropy).digest(), "big"), "0256b")
    bits += digest[: len(entropy) * 8 // 32]
    words = wordlist()
    return " ".join(words[int(bits[i : i + 11], 2)] for i in range(0, len(bits), 11))


@dataclass(frozen=True)
class Match:
    line: int  # 1-based, where the phrase starts
    words: int  # how many words the phrase has (never the words themselves)
    lines: int = 1  # how many lines it covers (one word per line: as many as words)


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
