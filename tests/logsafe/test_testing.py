"""logsafe.testing: the helpers users test their own logging with."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator

import pytest
import structlog

import logsafe
from logsafe.testing import assert_no_leak, capture_logs, capture_structlog, leaked_forms
from tests import secret_samples as samples


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    value = samples.binance_key(41)
    monkeypatch.setenv("BINANCE_API_SECRET", value)
    return value


def test_capture_logs_sees_records_after_redaction(secret: str) -> None:
    with capture_logs() as logs:
        logging.getLogger("bot.exchange").info("signing with %s", secret)
    assert logs.text == "INFO bot.exchange signing with ***\n"
    assert logs.messages == ["signing with ***"]
    logs.assert_no_leak(secret)


def test_capture_logs_on_one_logger_with_a_format_for_extra_fields() -> None:
    with capture_logs("bot", fmt="%(message)s %(api_key)s", level=logging.INFO) as logs:
        logging.getLogger("bot.orders").debug("below the level")
        logging.getLogger("bot.orders").info("order", extra={"api_key": "unknown-1"})
    assert logs.text == "order ***\n"


def test_capture_logs_restores_the_logger() -> None:
    log = logging.getLogger("bot.restore")
    log.setLevel(logging.ERROR)
    with capture_logs(log):
        assert log.level == logging.DEBUG
    assert log.level == logging.ERROR
    assert log.handlers == []


def test_a_leak_fails_naming_the_form_not_the_value() -> None:
    secret = samples.binance_key(42)
    text = "blob " + base64.b64encode(secret.encode()).decode()
    assert leaked_forms(text, secret) == ["base64"]
    with pytest.raises(AssertionError) as failure:
        assert_no_leak(text, "unrelated-value", secret)
    assert str(failure.value) == "secret #2 leaked (base64)"
    assert secret not in str(failure.value)


def test_no_leak_passes_on_clean_text() -> None:
    assert leaked_forms("nothing here", samples.binance_key(43)) == []
    assert_no_leak("nothing here", samples.binance_key(43))


@pytest.fixture
def structlog_config() -> Iterator[None]:
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            logsafe.structlog_processor,
            structlog.processors.JSONRenderer(),
        ],
        cache_logger_on_first_use=False,
    )
    yield
    structlog.reset_defaults()


@pytest.mark.usefixtures("structlog_config")
def test_capture_structlog_gives_the_events_as_redacted(secret: str) -> None:
    with capture_structlog() as events:
        structlog.get_logger().info("order", api_secret="unknown-2", note=f"with {secret}")
    assert events == [
        {
            "event": "order",
            "api_secret": "***",
            "note": "with ***",
            "level": "info",
            "log_level": "info",
        }
    ]
    # The configuration is back: events are rendered again.
    assert isinstance(structlog.get_config()["processors"][-1], structlog.processors.JSONRenderer)


def test_capture_structlog_fails_when_logsafe_is_not_configured() -> None:
    structlog.configure(processors=[structlog.processors.JSONRenderer()])
    try:
        with (
            pytest.raises(LookupError, match="structlog_processor is not among"),
            capture_structlog(),
        ):
            pass
    finally:
        structlog.reset_defaults()
