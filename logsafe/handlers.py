"""Hooks for stdlib logging and structlog that pass every record through a Redactor.

Filters belong on handlers: a record logged on a child logger propagates to the
ancestors' handlers without passing the ancestors' filters, so a filter on the
root logger never sees httpx's request lines. `install` therefore filters handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from typing import Any

from logsafe.redactor import Redactor, current


class RedactingFilter(logging.Filter):
    """Renders the record's message, redacts it and its exception text, in place."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self._redactor = redactor

    @property
    def redactor(self) -> Redactor:
        # Read the environment late, so secrets set after logging is configured count too.
        return self._redactor or current()

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = self.redactor
        try:
            rendered = record.getMessage()
        except (TypeError, ValueError):
            rendered = f"{record.msg} {record.args}"
        if redactor.redact(rendered) != rendered:
            _redact_message(record, redactor, rendered)
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redactor.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.redact(record.stack_info)
        return True


def _redact_message(record: logging.LogRecord, redactor: Redactor, rendered: str) -> None:
    """Redact msg and each argument in place, keeping the args' shape: some formatters
    (uvicorn's access log) unpack record.args themselves."""
    if isinstance(record.msg, str):
        record.msg = redactor.redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(redactor, a) for a in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {k: _redact_arg(redactor, v) for k, v in record.args.items()}
    try:
        again = record.getMessage()
    except (TypeError, ValueError):
        again = rendered
    if redactor.redact(again) != again:
        # A secret assembled from message and arguments: give up the shape, keep safety.
        record.msg, record.args = redactor.redact(rendered), None


def _redact_arg(redactor: Redactor, arg: object) -> object:
    if isinstance(arg, str):
        return redactor.redact(arg)
    if arg is None or isinstance(arg, (bool, int, float)):
        return arg
    text = str(arg)
    cleaned = redactor.redact(text)
    return cleaned if cleaned != text else arg


def install(
    target: logging.Handler | logging.Logger | None = None, redactor: Redactor | None = None
) -> None:
    """Put a RedactingFilter on a handler, or on every handler of a logger (default: root)."""
    handlers: list[logging.Handler]
    if isinstance(target, logging.Handler):
        handlers = [target]
    else:
        handlers = list((target or logging.getLogger()).handlers)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))


def structlog_processor(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: place it after the exception renderer, before the renderer."""
    redactor = current()
    return {key: redactor.redact_value(value) for key, value in event_dict.items()}
