"""The BIP39 seed-phrase detector: checksum, lengths, and the context a phrase must stand in."""

from __future__ import annotations

import random

import pytest

from ci.scanning import bip39
from tests import secret_samples as samples


def test_wordlist_is_the_standard_english_list() -> None:
    words = bip39.wordlist()
    assert len(words) == 2048
    assert (words[0], words[-1]) == ("abandon", "zoo")
    assert list(words) == sorted(words)


def test_published_vector_is_valid() -> None:
    # BIP39's first test vector: sixteen zero bytes of entropy.
    phrase = bip39.from_entropy(bytes(16))
    assert phrase == " ".join(["abandon"] * 11 + ["about"])
    assert bip39.is_valid(phrase.split())


@pytest.mark.parametrize("words", [12, 15, 18, 21, 24])
def test_every_standard_length_is_found(words: int) -> None:
    phrase = samples.seed_phrase(words, seed=words)
    assert bip39.find(f"{phrase}\n") == [bip39.Match(1, words)]


def test_a_failed_checksum_is_not_a_phrase() -> None:
    assert bip39.find(samples.broken_seed_phrase(3)) == []


def test_random_list_words_mostly_fail_the_checksum() -> None:
    rng = random.Random(7)
    words = bip39.wordlist()
    valid = sum(bip39.is_valid(rng.choices(words, k=24)) for _ in range(2000))
    assert valid < 30  # 1 in 256 expected for 24 words


def test_other_lengths_and_unknown_words_are_rejected() -> None:
    phrase = samples.seed_phrase(12, seed=4).split()
    assert not bip39.is_valid(phrase[:11])
    assert not bip39.is_valid([*phrase[:11], "bitcoin"])


@pytest.mark.parametrize(
    "line",
    [
        'SEED = "{p}"',
        "export MNEMONIC='{p}'",
        "mnemonic: {p}",
        'wallet = Wallet.from_mnemonic("{p}")',
        "words = {words}",
    ],
)
def test_phrase_standing_alone_is_found(line: str) -> None:
    phrase = samples.seed_phrase(12, seed=5)
    text = line.format(p=phrase, words=phrase.split())
    assert bip39.find(text) == [bip39.Match(1, 12)]


@pytest.mark.parametrize(
    "line",
    [
        "the notes say {p} and then more",  # part of prose, not a phrase on its own
        "{p} extra",
        "{upper}",
    ],
)
def test_phrase_inside_other_text_is_not_found(line: str) -> None:
    phrase = samples.seed_phrase(12, seed=6)
    assert bip39.find(line.format(p=phrase, upper=phrase.upper())) == []


def test_wrong_entropy_size_is_refused() -> None:
    with pytest.raises(ValueError, match="16, 20, 24, 28 or 32 bytes"):
        bip39.from_entropy(bytes(15))


@pytest.mark.parametrize("style", ["{w}", "{n}. {w}", "{n}) {w}", "- {w}"])
def test_phrase_written_one_word_per_line_is_found(style: str) -> None:
    words = samples.seed_phrase(24, seed=8).split()
    lines = [style.format(n=n, w=w) for n, w in enumerate(words, 1)]
    text = "Backup (keep offline):\n" + "\n".join(lines) + "\n\nend\n"
    assert bip39.find(text) == [bip39.Match(2, 24, 24)]


def test_the_wordlist_itself_is_not_a_phrase() -> None:
    # Any 12 consecutive list words pass the checksum one time in 16; a run longer than
    # 24 words is a list, not a wallet.
    assert bip39.find("\n".join(bip39.wordlist())) == []


def test_a_word_per_line_run_of_the_wrong_length_is_not_a_phrase() -> None:
    words = samples.seed_phrase(12, seed=9).split()
    assert bip39.find("\n".join(words[:11])) == []
    assert bip39.find("\n".join([*words, "zoo"])) == []


def test_a_long_list_with_text_after_it_is_read_in_one_go() -> None:
    # The blanks between two quoted words can be split two ways around a missing comma; the
    # detector once tried every split of every gap before giving up (hours for 24 words).
    words = samples.seed_phrase(24, seed=64).split()
    listed = "words = [" + "  ".join(f'"{w}"' for w in words) + "]"
    assert bip39.find(listed + "  # from the hardware wallet") == []
    assert bip39.find(listed) == [bip39.Match(1, 24)]
