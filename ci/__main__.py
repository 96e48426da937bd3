from __future__ import annotations

from ci.cli import entry

entry()
