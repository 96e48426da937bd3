"""Structured JSON logging for the bot, with secrets redacted on the way out.

The one place logging is configured: logsafe's filter sits on the handler (a filter
on a logger would miss records propagated from child loggers such as httpx's).
"""

from __future__ import annotations

import logging
import sys

import structlog

import logsafe


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logsafe.install(handler)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn configures its own handlers before it imports the app; its access log
    # prints full request paths, query strings included.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logsafe.install(logging.getLogger(name))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Tracebacks as data without locals (they would carry secrets), then redaction.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            logsafe.structlog_processor,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
