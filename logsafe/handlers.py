"""Hooks for stdlib logging and structlog that pass every record through a Redactor.

Filters belong on handlers: a record logged on a child logger propagates to the
ancestors' handlers without passing the ancestors' filters, so a filter on the
root logger never sees httpx's request lines. `install` therefore filters handlers.

The filter renders a record's message once and redacts it once. The result goes where
`Formatter.format` would put it, `record.message`, and a plain LogRecord becomes a
`RenderedRecord`, whose getMessage() returns it: the formatter does not render the
message again. A clean record keeps its `msg` and `args`; in one with a secret the masked
text is replaced in both, keeping the arguments' shape (uvicorn's access formatter
unpacks them itself).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from typing import Any

from logsafe.environ import current
from logsafe.names import holds_secret
from logsafe.redactor import MASK, Redactor, Span, apply

_PLAIN_RECORD = logging.LogRecord("", logging.INFO, "", 0, "", (), None)
# Attributes every record has, and those a formatter adds; anything else came from `extra=`.
_STANDARD = frozenset(_PLAIN_RECORD.__dict__) | {"message", "asctime"}
_STANDARD_COUNT = len(_PLAIN_RECORD.__dict__)
_TRACEBACK_FORMATTER = logging.Formatter()


class RenderedRecord(logging.LogRecord):
    """A record whose message the filter has rendered and redacted into `message`."""

    def getMessage(self) -> str:
        return self.message


# Records the filter may turn into RenderedRecord; other subclasses may do more in getMessage.
_RENDERABLE = (logging.LogRecord, RenderedRecord)


class RedactingFilter(logging.Filter):
    """Redacts a record in place: its message, `extra=` fields, exception and stack text."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self._redactor = redactor

    @property
    def redactor(self) -> Redactor:
        # Read the environment late, so secrets set after logging is configured count too.
        return current() if self._redactor is None else self._redactor

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = current() if self._redactor is None else self._redactor
        fields = record.__dict__
        if len(fields) > _STANDARD_COUNT:
            _redact_extras(record, redactor)
        msg, args = fields["msg"], fields["args"]
        if type(msg) is str and type(args) is tuple and type(record) is logging.LogRecord:
            # The commonest record, in line: rendered as getMessage would, without the call.
            try:
                text = msg % args if args else msg
            except Exception:  # a bad format string: the formatter would fail on it too
                text = f"{msg} {_text(args)}"
            spans = redactor.spans(text)
            if len(spans) == 1:
                start, stop = spans[0]
                piece = text[start:stop]
                text = f"{text[:start]}{MASK}{text[stop:]}"
                found = piece in msg
                if found:
                    fields["msg"] = msg.replace(piece, MASK)
                cleaned = []
                for value in args:
                    if type(value) is str and piece in value:
                        value = value.replace(piece, MASK)
                        found = True
                    cleaned.append(value)
                if found:
                    fields["args"] = tuple(cleaned)
                else:  # in no string: assembled, or inside a number or an object's text
                    fields["msg"], fields["args"] = text, ()
            elif spans:
                text = _mask_message(record, text, spans)
            if text is not msg:  # the formatter takes it from here (RenderedRecord.getMessage)
                fields["message"] = text
                record.__class__ = RenderedRecord
        else:
            _redact_message(record, redactor)
        if fields["exc_info"] or fields["exc_text"] or fields["stack_info"]:
            _redact_tracebacks(record, redactor)
        return True


def _redact_message(record: logging.LogRecord, redactor: Redactor) -> None:
    """The message of any other record: a template that is no str, arguments in a dict,
    a LogRecord subclass (its getMessage may do more: it renders the message)."""
    fields = record.__dict__
    msg, args = fields["msg"], fields["args"]
    if type(msg) is str and not args:
        text = msg
    else:
        try:
            text = record.getMessage()
        except Exception:  # a bad format string: the formatter would fail on it too
            text = f"{_text(msg)} {_text(args)}"
    spans = redactor.spans(text)
    if spans:
        text = _mask_message(record, text, spans)
    if text is not msg and type(record) in _RENDERABLE:
        fields["message"] = text
        record.__class__ = RenderedRecord


def _mask_message(record: logging.LogRecord, text: str, spans: list[Span]) -> str:
    """Mask the pieces found in the rendered `text` in msg and args too; return the text
    masked. A piece found in no single part was assembled from several: then msg becomes
    the masked text and the arguments go, as their shape can no longer be kept safely."""
    msg, args = record.msg, record.args
    masked = apply(text, spans)
    # Longest first, so that a piece inside another is not masked first.
    pieces = sorted({text[start:stop] for start, stop in spans}, key=len, reverse=True)
    seen: set[str] = set()
    new_msg = _masked_part(msg, pieces, seen)
    new_args: Any = args
    if type(args) is tuple:
        new_args = tuple([_masked_part(v, pieces, seen) for v in args])
    elif isinstance(args, Mapping):
        new_args = {k: _masked_part(v, pieces, seen) for k, v in args.items()}
    if len(seen) == len(pieces):
        record.msg, record.args = new_msg, new_args
    else:
        record.msg, record.args = masked, ()
    return masked


def _masked_part(value: object, pieces: list[str], seen: set[str]) -> object:
    """`value`, or its text with the pieces in it masked; note which pieces were in it."""
    if value is None or type(value) is bool:
        return value
    text = value if type(value) is str else _text(value)
    hit = False
    for piece in pieces:
        if piece in text:
            text = text.replace(piece, MASK)
            seen.add(piece)
            hit = True
    return text if hit else value


def _text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a __str__ that raises: say so rather than fail the log call
        return f"<unprintable {type(value).__name__}>"


def _redact_extras(record: logging.LogRecord, redactor: Redactor) -> None:
    fields = record.__dict__
    for name in fields.keys() - _STANDARD:
        value = fields[name]
        if holds_secret(name, value):
            fields[name] = MASK
        elif isinstance(value, str):
            fields[name] = redactor.redact(value)
        elif value is None or isinstance(value, (bool, int, float)):
            continue
        elif redactor.spans(_text(value)):
            # Structured values stay structured for JSON formatters; others become text.
            structured = isinstance(value, (Mapping, list, tuple, set, frozenset))
            fields[name] = (
                redactor.redact_value(value) if structured else redactor.redact(_text(value))
            )


def _redact_tracebacks(record: logging.LogRecord, redactor: Redactor) -> None:
    if record.exc_info:
        text = record.exc_text or _TRACEBACK_FORMATTER.formatException(record.exc_info)
        record.exc_text = redactor.redact(text)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redactor.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)


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
    """A structlog processor: place it after the exception renderer, before the renderer.

    Masks the value of every key named like a secret (`api_secret=...`), at any depth,
    and secrets found in any value.
    """
    cleaned: MutableMapping[str, Any] = current().redact_value(event_dict)
    return cleaned
