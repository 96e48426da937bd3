"""logsafe's public API on the edges a mutant found unguarded: the shortest secret, URL
forms, values of every type, the environment read, and the once-a-second refresh."""

from __future__ import annotations

from urllib.parse import quote

import pytest

import logsafe
from logsafe import MASK, Redactor


def test_a_six_character_secret_is_masked_a_shorter_one_is_not() -> None:
    """Documented: shorter values are too likely to be ordinary words or numbers."""
    redactor = Redactor().with_secrets(["k7#pQz", "k7#pQ"])
    assert redactor.redact("a k7#pQz b") == f"a {MASK} b"
    assert Redactor().with_secrets(["k7#pQ"]).redact("a k7#pQ b") == "a k7#pQ b"


def test_a_secret_given_directly_is_masked() -> None:
    assert Redactor(frozenset({"s3cr3t-value"})).redact("x s3cr3t-value y") == f"x {MASK} y"


def test_a_secret_with_a_slash_and_a_space_is_masked_url_encoded() -> None:
    secret = "pass word/with slash"
    encoded = quote(secret, safe="")  # pass%20word%2Fwith%20slash
    assert Redactor().with_secrets([secret]).redact(f"GET /login?p={encoded}") == (
        f"GET /login?p={MASK}"
    )


def test_from_environ_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXCHANGE_API_SECRET", "from-the-environment")
    assert Redactor.from_environ().redact("from-the-environment") == MASK


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"key s3cr3t-value", f"key {MASK}"),
        (b"\xff s3cr3t-value", f"\ufffd {MASK}"),
        (bytearray(b"s3cr3t-value"), MASK),
        (("s3cr3t-value", 1), (MASK, 1)),
        (7, 7),
        (None, None),
    ],
    ids=["bytes", "invalid-utf8", "bytearray", "tuple", "int", "none"],
)
def test_values_of_every_type(value: object, expected: object) -> None:
    assert Redactor().with_secrets(["s3cr3t-value"]).redact_value(value) == expected


def test_any_other_object_is_redacted_through_its_repr() -> None:
    class Client:
        def __repr__(self) -> str:
            return "Client(secret='s3cr3t-value')"

    cleaned = Redactor().with_secrets(["s3cr3t-value"]).redact_value(Client())
    assert cleaned == f"Client(secret='{MASK}')"


def test_a_secret_set_in_the_environment_is_masked_in_the_very_next_redaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Documented: the environment is watched for changes, not re-read once a second."""
    logsafe.current()
    monkeypatch.setenv("LATE_TOKEN", "set-after-start")
    assert logsafe.current().redact("set-after-start") == MASK
