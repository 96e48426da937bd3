"""logsafe.current(): a secret set in the environment is masked from the very next record."""

from __future__ import annotations

import os
import string
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import logsafe
from logsafe import MASK
from tests import secret_samples as samples


@pytest.fixture(autouse=True)
def _no_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if logsafe.is_secret_name(n)]:
        monkeypatch.delenv(name)


def test_a_secret_set_just_after_a_record_is_masked_in_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = samples.binance_key(21)[:20]  # no shape of its own: only the environment tells
    assert logsafe.current().redact(f"using {secret}") == f"using {secret}"
    monkeypatch.setenv("BINANCE_API_SECRET", secret)  # no refresh(), no waiting
    assert logsafe.current().redact(f"using {secret}") == f"using {MASK}"


def test_a_secret_set_by_another_thread_is_masked_in_the_next_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check reads the dict every record: no notice from the writing thread is needed."""
    secret = samples.binance_key(29)[:20]
    assert logsafe.current().redact(f"using {secret}") == f"using {secret}"
    writer = threading.Thread(target=monkeypatch.setenv, args=("BINANCE_API_SECRET", secret))
    writer.start()
    writer.join()
    assert logsafe.current().redact(f"using {secret}") == f"using {MASK}"


def test_a_secret_changed_in_place_is_masked_next(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = samples.binance_key(22), samples.binance_key(23)
    monkeypatch.setenv("BINANCE_API_SECRET", old)
    assert logsafe.current().redact(old) == MASK
    monkeypatch.setenv("BINANCE_API_SECRET", new)
    assert logsafe.current().redact(new) == MASK


def test_a_secret_set_while_another_variable_goes_is_noticed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same number of variables as before: the newest one tells."""
    secret = samples.binance_key(24)
    monkeypatch.setenv("BOTTIE_TEST_PLAIN", "1")
    logsafe.current()
    monkeypatch.delenv("BOTTIE_TEST_PLAIN")
    monkeypatch.setenv("BINANCE_API_KEY", secret)
    assert logsafe.current().redact(secret) == MASK


def test_a_removed_secret_is_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = samples.binance_key(25)
    monkeypatch.setenv("BINANCE_API_KEY", secret)
    assert logsafe.current().redact(secret) == MASK
    monkeypatch.delenv("BINANCE_API_KEY")
    assert logsafe.current().redact(secret) == secret


def test_the_same_redactor_while_no_secret_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", samples.binance_key(26))
    first = logsafe.current()
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")  # not a secret: re-read, same secrets
    assert logsafe.current() is first
    assert logsafe.current() is first


def test_an_environment_swapped_for_a_dict_is_read_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = samples.binance_key(27)
    fake: dict[str, str] = {}
    monkeypatch.setattr(os, "environ", fake)
    assert logsafe.current().redact(secret) == secret
    fake["BINANCE_API_SECRET"] = secret
    assert logsafe.current().redact(secret) == MASK


def test_refresh_still_forces_a_read(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = samples.binance_key(28)
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    logsafe.refresh()
    assert logsafe.current().redact(secret) == MASK


NAMES = ["BINANCE_API_KEY", "BINANCE_API_SECRET", "TELEGRAM_TOKEN", "LOG_LEVEL", "STATE_DIR"]
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["set", "del", "log"]),
        st.sampled_from(NAMES),
        st.text(string.ascii_letters + string.digits, min_size=12, max_size=20),
    ),
    max_size=25,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_every_secret_in_the_environment_is_masked_at_every_record(
    monkeypatch: pytest.MonkeyPatch, operations: list[tuple[str, str, str]]
) -> None:
    """Any mix of setting, changing and removing variables between records."""
    with monkeypatch.context() as m:
        for name in NAMES:
            m.delenv(name, raising=False)
        for operation, name, value in operations:
            if operation == "set":
                m.setenv(name, value)
            elif operation == "del":
                m.delenv(name, raising=False)
            secrets = [v for n, v in os.environ.items() if n in NAMES and logsafe.is_secret_name(n)]
            line = " ".join(secrets)
            cleaned = logsafe.current().redact(line)
            assert not any(s in cleaned for s in secrets)
