"""Helpers for testing code that logs through logsafe, in the spirit of structlog.testing.

    from logsafe.testing import capture_logs, capture_structlog

    def test_the_client_never_logs_its_key(monkeypatch):
        monkeypatch.setenv("BINANCE_API_SECRET", key)
        with capture_logs() as logs:
            client.place_order(...)
        logs.assert_no_leak(key)           # raw, URL-encoded, base64, hex, any case

    def test_order_events_are_redacted():
        with capture_structlog() as events:
            log.info("order", api_secret="...")
        assert events[0]["api_secret"] == logsafe.MASK

Stdlib only at import; structlog is imported by `capture_structlog` alone.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from logsafe.forms import MIN_SECRET_LENGTH, named_encodings
from logsafe.handlers import install, structlog_processor
from logsafe.redactor import Redactor


def leaked_forms(text: str, secret: str) -> list[str]:
    """The names of the forms of `secret` (raw, url-encoded, base64, hex, ...) found in
    `text`, never the forms themselves: safe to put in an assertion message. A form
    inside another one found (base64 without its padding) is not named again."""
    found = [
        (name, form)
        for name, form in named_encodings(secret).items()
        if len(form) >= MIN_SECRET_LENGTH and form in text
    ]
    names: list[str] = []
    kept: list[str] = []
    for name, form in sorted(found, key=lambda item: -len(item[1])):  # stable: first name wins
        if not any(form in other for other in kept):
            names.append(name)
            kept.append(form)
    return sorted(names)


def assert_no_leak(text: str, *secrets: str) -> None:
    """Fail, naming the secret by its position and the forms that leaked, if any form of
    any of `secrets` is in `text`."""
    problems = [
        f"secret #{i} leaked ({', '.join(forms)})"
        for i, secret in enumerate(secrets, start=1)
        if (forms := leaked_forms(text, secret))
    ]
    if problems:
        raise AssertionError("; ".join(problems))


@dataclass
class CapturedLogs:
    """What went through the capturing handler, after logsafe's filter."""

    stream: io.StringIO = field(default_factory=io.StringIO)
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything the handler wrote, formatted."""
        return self.stream.getvalue()

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    def assert_no_leak(self, *secrets: str) -> None:
        assert_no_leak(self.text, *secrets)


class _CapturingHandler(logging.StreamHandler[io.StringIO]):
    def __init__(self, captured: CapturedLogs) -> None:
        super().__init__(captured.stream)
        self._captured = captured

    def emit(self, record: logging.LogRecord) -> None:
        self._captured.records.append(record)
        super().emit(record)


@contextmanager
def capture_logs(
    logger: logging.Logger | str | None = None,
    *,
    level: int = logging.DEBUG,
    fmt: str = "%(levelname)s %(name)s %(message)s",
    redactor: Redactor | None = None,
) -> Iterator[CapturedLogs]:
    """Capture what `logger` (default: the root logger, so every propagating record)
    emits through a handler with logsafe installed, as the bot's own handlers have it.

    `redactor` defaults to the environment's secrets, read at each record. The
    formatter is a plain `logging.Formatter(fmt)`: put `%(name_of_an_extra)s` in it to
    check `extra=` fields.
    """
    target = logger if isinstance(logger, logging.Logger) else logging.getLogger(logger)
    captured = CapturedLogs()
    handler = _CapturingHandler(captured)
    handler.setFormatter(logging.Formatter(fmt))
    install(handler, redactor)
    old_level = target.level
    target.addHandler(handler)
    target.setLevel(level)
    try:
        yield captured
    finally:
        target.removeHandler(handler)
        target.setLevel(old_level)


@contextmanager
def capture_structlog() -> Iterator[list[MutableMapping[str, Any]]]:
    """The event dicts as `logsafe.structlog_processor` hands them on.

    Keeps the configured processors up to and including logsafe's and replaces the rest
    (the renderer) with a capture, like structlog.testing.capture_logs, which drops them
    all. Raises LookupError when logsafe's processor is not configured: that is the bug.
    As with structlog's helper, loggers cached by `cache_logger_on_first_use` before the
    block keep their old processors.
    """
    import structlog  # here, not at the top: logsafe is stdlib-only at import

    processors = list(structlog.get_config()["processors"])
    if structlog_processor not in processors:
        raise LookupError("logsafe.structlog_processor is not among structlog's processors")
    kept = processors[: processors.index(structlog_processor) + 1]
    capture = structlog.testing.LogCapture()
    structlog.configure(processors=[*kept, capture])
    try:
        yield capture.entries
    finally:
        structlog.configure(processors=processors)
