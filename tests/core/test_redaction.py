"""The process's redactor is made once per environment and kept, and never outlives a change
to it: a secret set, rotated or added since the last one is masked all the same."""

from __future__ import annotations

import pytest

from ci.core import redaction

# Made-up secrets, built from parts so that no line holds one whole.
FIRST = "-".join(("first", "secret", "value", "0123456789"))
ROTATED = "-".join(("rotated", "secret", "value", "9876543210"))
ADDED = "-".join(("added", "token", "value", "5555566666"))


def test_one_environment_gets_one_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXCHANGE_API_SECRET", FIRST)
    kept = redaction.redactor()
    assert redaction.redactor() is kept
    assert redaction.redactor(extra=[ADDED]) is not kept  # another value to hide: another one
    assert kept.redact(f"signing with {FIRST}") == "signing with ***"


def test_the_values_here_are_masked_only_when_known() -> None:
    text = f"{FIRST} {ROTATED} {ADDED}"
    assert redaction.redactor({}).redact(text) == text  # no shape of a token: by value only


def test_a_secret_rotated_or_added_since_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXCHANGE_API_SECRET", FIRST)
    assert FIRST not in redaction.redactor().redact(f"signing with {FIRST}")
    monkeypatch.setenv("EXCHANGE_API_SECRET", ROTATED)
    rotated = redaction.redactor().redact(f"signing with {ROTATED}")
    assert rotated == "signing with ***"
    monkeypatch.setenv("NOTIFY_BOT_TOKEN", ADDED)
    both = redaction.redactor().redact(f"{ROTATED} then {ADDED}")
    assert ROTATED not in both and ADDED not in both
    # An environment given rather than this process's, in the same way.
    given = redaction.redactor({"EXCHANGE_API_SECRET": FIRST}).redact(f"{FIRST} {ROTATED}")
    assert FIRST not in given and ROTATED in given
