"""Redaction of secrets from text, for the bot's logs and the pipeline's output.

Stdlib only at import, so the bot and the pipeline can both use it.
"""

from __future__ import annotations

from logsafe.handlers import RedactingFilter, install, structlog_processor
from logsafe.redactor import MASK, Redactor, encodings, is_secret_name

__all__ = [
    "MASK",
    "RedactingFilter",
    "Redactor",
    "encodings",
    "install",
    "is_secret_name",
    "structlog_processor",
]
