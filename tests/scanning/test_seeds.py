"""Seed phrases in a real git history: whatever the detector finds in a file is found in the
commit that added it, at the same line, whichever way it is written and however much else
the history holds (the history scan skips commits its screen clears: it must never skip one
with a phrase)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from ci.scanning import bip39, seeds
from ci.scanning.model import Scan
from tests import secret_samples as samples
from tests.helpers import Repo

Line = Callable[[random.Random], list[str]]


def _words(rng: random.Random) -> list[str]:
    """A valid phrase of any standard length, or (one time in three) list words that fail."""
    if rng.random() < 0.67:
        return samples.seed_phrase(rng.choice(sorted(bip39.LENGTHS)), rng.randrange(10**6)).split()
    return rng.choices(samples.bip39_words(), k=rng.choice([11, 12, 13, 24, 25]))


def _three_letter_phrase(rng: random.Random) -> list[str]:
    """12 words of 3 letters whose checksum holds: the shortest line a phrase can be."""
    short = [word for word in samples.bip39_words() if len(word) == 3]
    while True:
        words = rng.choices(short, k=11)
        valid = [w for w in short if bip39.is_valid([*words, w])]
        if valid:
            return [*words, valid[0]]


def _quoted(rng: random.Random, words: list[str], gap: str) -> str:
    quotes = "\"'"
    return gap.join(rng.choice(quotes) + word + rng.choice(quotes) for word in words)


FORMS: dict[str, Line] = {
    "bare line": lambda rng: [" ".join(_words(rng))],
    "shortest": lambda rng: [" ".join(_three_letter_phrase(rng))],
    "shortest list": lambda rng: [_quoted(rng, _three_letter_phrase(rng), "")],
    "indented, trailing blanks": lambda rng: ["    " + " ".join(_words(rng)) + "  "],
    "assignment": lambda rng: [f'SEED = "{" ".join(_words(rng))}"'],
    "export": lambda rng: [f"export MNEMONIC='{' '.join(_words(rng))}'"],
    "yaml": lambda rng: [f"mnemonic: {' '.join(_words(rng))}"],
    "quoted in a call, double spaces": lambda rng: [
        f'w = Wallet.from_mnemonic("{"  ".join(_words(rng))}")'
    ],
    "backticks": lambda rng: ["`" + " ".join(_words(rng)) + "`;"],
    "python list": lambda rng: [f"words = {_words(rng)}"],
    "list without blanks": lambda rng: ["words = [" + _quoted(rng, _words(rng), ",") + "]"],
    "list with tabs": lambda rng: ["words = (" + _quoted(rng, _words(rng), "\t") + ")"],
    "list with odd blanks": lambda rng: [
        "x = [" + _quoted(rng, _words(rng), rng.choice(["\u00a0,\u2003", " , ", ""])) + "],"
    ],
    "inside prose (not a phrase)": lambda rng: [f"notes say {' '.join(_words(rng))} and more"],
    "upper case (not a phrase)": lambda rng: [" ".join(_words(rng)).upper()],
    "a word per line": lambda rng: _one_per_line(rng, "{w}"),
    "numbered": lambda rng: _one_per_line(rng, rng.choice(["{n}. {w}", "{n}) {w}", "{n}:{w}"])),
    "dashes, commas, blanks": lambda rng: _one_per_line(
        rng, rng.choice(["- {w}", "  {w} ,", "* {w}", "\u00a0{w}"])
    ),
}
NOISE: tuple[Line, ...] = (
    lambda rng: ["def signal(prices: list[float]) -> float:", "    return sum(prices) / 2"],
    lambda rng: ["# " + " ".join(rng.choices(samples.bip39_words(), k=rng.randint(3, 30)))],
    lambda rng: [rng.choice(samples.bip39_words()) for _ in range(rng.randint(1, 11))],
    lambda rng: ["The notes on the wallet: keep them offline, and never in the repository."],
    lambda rng: [""],
)


def _one_per_line(rng: random.Random, style: str) -> list[str]:
    return [style.format(n=n, w=w) for n, w in enumerate(_words(rng), 1)]


def _text(rng: random.Random, form: Line) -> str:
    blocks = [rng.choice(NOISE)(rng) for _ in range(rng.randint(0, 3))]
    blocks.insert(rng.randint(0, len(blocks)), form(rng))
    return "\n".join(line for block in blocks for line in block) + "\n"


def _found(scan: Scan) -> set[str]:
    return set(scan.fingerprints)


def test_every_form_in_history_is_found_where_the_detector_finds_it(repo: Repo) -> None:
    rng = random.Random(2026)
    changes = [
        (f"{name} {round_}", {f"notes/{name.replace(' ', '-')}-{round_}.txt": _text(rng, form)})
        for round_ in range(3)
        for name, form in FORMS.items()
    ]
    expected = {
        f"{sha}:{path}:{bip39.RULE}:{m.line}"
        for sha, (_, files) in zip(repo.commit_each(changes), changes, strict=True)
        for path, text in files.items()
        for m in bip39.find(text)
    }
    assert len(expected) > 20  # most forms are found, some not: both are checked
    assert _found(seeds.scan_history(repo.path, [])) == expected


def test_in_a_commit_of_many_files_each_phrase_is_found_in_its_own(repo: Repo) -> None:
    # The history scan reads only the files its screen flags: each in its commit, every file
    # around it (one-word lines of other files included) left out.
    rng = random.Random(2027)
    expected: set[str] = set()
    for round_ in range(3):
        texts = {f"noise/{round_}-{n}.txt": _text(rng, rng.choice(NOISE)) for n in range(4)}
        for name, form in FORMS.items():
            texts[f"notes/{name.replace(' ', '-')}-{round_}.txt"] = _text(rng, form)
        texts[f"noise/{round_}-words.txt"] = "\n".join(rng.choices(samples.bip39_words(), k=11))
        for path, text in texts.items():
            repo.write(path, text)
        sha = repo.commit(f"everything {round_}")
        for path, text in texts.items():
            expected |= {f"{sha}:{path}:{bip39.RULE}:{m.line}" for m in bip39.find(text)}
    assert len(expected) > 20
    assert _found(seeds.scan_history(repo.path, [])) == expected


def test_phrase_added_inside_an_existing_file_has_its_line_in_that_commit(repo: Repo) -> None:
    code = [f"LIMIT_{n} = {n}" for n in range(40)]
    repo.write("bot/settings.py", "\n".join(code) + "\n")
    repo.commit("settings")
    phrase = samples.seed_phrase(24, seed=61).split()
    lines = [*code[:30], *[f"{n}. {w}" for n, w in enumerate(phrase, 1)], *code[30:]]
    lines[5] = f'MNEMONIC = "{samples.seed_phrase(15, seed=62)}"'
    repo.write("bot/settings.py", "\n".join(lines) + "\n")
    sha = repo.commit("oops")
    repo.write("bot/settings.py", "\n".join(code) + "\n")
    repo.commit("removed again")
    found = _found(seeds.scan_history(repo.path, []))
    assert found == {f"{sha}:bot/settings.py:{bip39.RULE}:{n}" for n in (6, 31)}


@pytest.mark.parametrize("between", [1, 40])
def test_phrase_among_ordinary_commits_is_found_once(repo: Repo, between: int) -> None:
    rng = random.Random(between)
    changes: list[tuple[str, dict[str, str | None]]] = [
        (
            f"tune {n}",
            {f"bot/strategy_{n % 3}.py": "".join(_text(rng, NOISE[n % 2]) for _ in range(3))},
        )
        for n in range(between)
    ]
    changes.append(("wallet", {"wallet.txt": samples.seed_phrase(12, seed=63) + "\n"}))
    changes += [
        (f"more {n}", {f"bot/strategy_{n % 3}.py": _text(rng, NOISE[3])}) for n in range(between)
    ]
    sha = repo.commit_each(changes)[between]
    assert _found(seeds.scan_history(repo.path, [])) == {f"{sha}:wallet.txt:{bip39.RULE}:1"}


def test_a_long_list_in_history_neither_stalls_the_scan_nor_hides_a_phrase(repo: Repo) -> None:
    words = samples.seed_phrase(24, seed=65).split()
    listed = "words = [" + "  ".join(f'"{w}"' for w in words) + "]"
    repo.write("wallet.py", f"{listed}  # the old one\n{listed}\n")
    sha = repo.commit("wallet")
    assert _found(seeds.scan_history(repo.path, [])) == {f"{sha}:wallet.py:{bip39.RULE}:2"}
