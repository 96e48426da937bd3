"""The Bottie pipeline: every gate, checklist and deploy step behind `python -m ci`."""

from __future__ import annotations

__version__ = "0.1.0"
