#!/usr/bin/env python3
"""Smoke-test the bot described in pyproject.toml: `python scripts/smoke.py [REPO]`.

The same check as `python -m ci run smoke`, as a standalone script for a bot repo.
Exit 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ci import config
from ci.errors import CiError
from ci.smoke import run_smoke


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    try:
        cfg = config.load(root)
    except CiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    report = run_smoke(root, cfg.app, cfg.smoke)
    for check in report.checks:
        print(f"ok    {check}")
    for problem in report.problems:
        print(f"FAIL  {problem}")
    if report.log_tail:
        print("--- last lines of the app's log (redacted) ---\n" + report.log_tail)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
