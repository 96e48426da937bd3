"""Redaction of secrets from text, for the bot's logs and the pipeline's output.

Stdlib only at import, so the bot and the pipeline can both use it.
"""

from __future__ import annotations

from logsafe.environ import current, refresh
from logsafe.forms import encodings
from logsafe.handlers import RedactingFilter, install, structlog_processor
from logsafe.names import is_secret_field, is_secret_name
from logsafe.redactor import MASK, Redactor

__all__ = [
    "MASK",
    "RedactingFilter",
    "Redactor",
    "current",
    "encodings",
    "install",
    "is_secret_field",
    "is_secret_name",
    "refresh",
    "structlog_processor",
]
