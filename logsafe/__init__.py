"""Redaction of secrets from text, for the bot's logs and the pipeline's output.

Stdlib only, so the bot and the pipeline can both import it.
"""

from __future__ import annotations

from logsafe.redactor import MASK, Redactor, is_secret_name

__all__ = ["MASK", "Redactor", "is_secret_name"]
