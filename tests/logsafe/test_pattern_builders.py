"""The functions that build logsafe's patterns, called here rather than at import: what each
built pattern matches. The built patterns at work are tested through `Redactor().redact`
in test_shapes.py and test_redactor.py; these pin how they are made."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logsafe import patterns
from logsafe.names import FIELD_ENDINGS

RUN = "a1B2" * 16  # 64 letters and digits, as an exchange key


def mixed_case(word: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(word))


@pytest.mark.parametrize("words", [["key"], ["key", "kid", "secret", "sig", "token", "x-api"]])
def test_a_trie_matches_exactly_its_words_in_any_case(words: list[str]) -> None:
    built = re.compile(patterns._trie(words))
    for word in words:
        for form in (word, word.upper(), mixed_case(word), mixed_case(word).swapcase()):
            assert built.fullmatch(form), form
    for other in ("ke", "keys", "kez", "tok", "secrets", "sid", "x_api", "", "k"):
        assert not built.fullmatch(other), other


def test_the_field_endings_pattern_matches_every_secret_ending_spelt_backwards() -> None:
    built = re.compile(patterns._field_endings_reversed())
    for ending in FIELD_ENDINGS:
        assert built.match(ending[::-1]), ending
        assert built.match(ending[::-1].upper()), ending
    for plain in ("symbol", "side", "status", "type", "name", "price"):
        assert not built.match(plain[::-1]), plain


@pytest.mark.parametrize("word", ["key", "binance"])
@pytest.mark.parametrize("gap", [":", "= ", '": "', "  = "])
def test_an_exchange_key_is_a_64_character_run_1_to_4_separators_after_its_word(
    word: str, gap: str
) -> None:
    built = re.compile(patterns._near_exchange_key(word))
    for spelt in (word, word.upper(), mixed_case(word)):
        assert built.search(f"api_{spelt}{gap}{RUN}"[::-1]), spelt


@pytest.mark.parametrize(
    "text",
    [
        f"api_key{RUN}",  # no separator
        f"api_key  =  {RUN}",  # five
        f"api_key={RUN[:63]}",  # 63 characters
        f"api_kay={RUN}",
        f"binanc={RUN}",
    ],
)
def test_anything_else_near_a_run_is_no_exchange_key(text: str) -> None:
    for word in ("key", "binance"):
        assert not re.search(patterns._near_exchange_key(word), text[::-1]), word


def test_a_family_is_its_compiled_pattern_and_its_check() -> None:
    def accept(match: re.Match[str]) -> bool:
        return bool(match)

    family = patterns._family(r"(?P<secret>x+)", accept)
    assert family.regex.pattern == r"(?P<secret>x+)"
    assert family.accept is accept
    assert patterns._family(r"y").accept is None


# Characters that start the scan's alternatives, others, and letters whose case is odd.
_SCAN_TEXT = st.text(alphabet=st.sampled_from("=:,@_xkKAJYBb ey0'\"/-aIZßǅİ\n"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=_SCAN_TEXT, known=st.lists(st.text(min_size=3, max_size=8), max_size=3))
def test_every_hit_of_the_scan_starts_at_one_of_its_anchors(text: str, known: list[str]) -> None:
    # What lets a redactor skip the scan (and its compilation) for text with no anchor.
    needles = tuple(sorted({k.lower() for k in known}))
    built, starts = patterns.trigger(needles), patterns.anchors(needles)
    for hit in built.regex.finditer(text[::-1]):
        assert hit.group()[:1] in starts, hit


VALUE_CHARACTERS = "ab=>{}[]\\\"' \t\n&<>,;)xyzB:\u00a0\u2003\x1c9_-.%"


@settings(max_examples=400)
@given(text=st.text(alphabet=VALUE_CHARACTERS, max_size=12), at=st.integers(0, 12))
def test_the_plain_value_is_field_values_bare_one_wherever_it_matches(text: str, at: int) -> None:
    """PLAIN_VALUE only saves time: where it matches, FIELD_VALUE reads the same unquoted
    value (checked on 2 million fuzzed strings and positions when it was written)."""
    plain = patterns.PLAIN_VALUE.match(text, at)
    if plain is not None:
        value = patterns.FIELD_VALUE.match(text, at)
        bare = patterns.FIELD_VALUE.groupindex["bare"]
        assert value is not None
        assert (value.lastindex, value.span(bare)) == (bare, (at, plain.end()))


@pytest.mark.parametrize(
    ("text", "value"),
    [("ab12cd34 x", "ab12cd34"), ("a:b&c", "a:b"), ("x", "x"), ("bx", None), ("b", None)],
)
def test_the_plain_value_takes_a_run_up_to_its_end(text: str, value: str | None) -> None:
    plain = patterns.PLAIN_VALUE.match(text)
    assert (plain.group() if plain else None) == value


@pytest.mark.parametrize("text", ["ab\\cd", "=ab", " ab", '"ab"', "{a}", "[a]", "\\x", "'a'", ""])
def test_the_plain_value_leaves_the_rest_to_field_value(text: str) -> None:
    """A backslash inside, a prefix, a quote, a container or nothing: FIELD_VALUE decides."""
    assert patterns.PLAIN_VALUE.match(text) is None
