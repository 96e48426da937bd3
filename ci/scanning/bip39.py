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
    line: int  # 1-based
    words: int  # how many words the phrase has (never the words themselves)


def find(text: str) -> list[Match]:
    """Every line of `text` that holds a standalone, checksum-valid phrase."""
    return [Match(number, n) for number, n in _scan_lines(enumerate(text.splitlines(), 1))]


def _scan_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, int]]:
    for number, line in lines:
        if len(line) < 35 or line.count(" ") + line.count(",") < 11:  # 12 words need 11 gaps
            continue
        n = phrase_length(line)
        if n:
            yield number, n


def phrase_length(line: str) -> int:
    """How many words the phrase standing alone on `line` has, or 0 when there is none."""
    index = _index()
    if sum(word in index for word in _WORD.findall(line)) < min(LENGTHS):
        return 0  # cheap: most lines hold far fewer list words than a phrase
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
