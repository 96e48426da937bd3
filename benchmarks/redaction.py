"""Benchmark: the cost per log line with logsafe's redaction against plain logging.

Run: `./dev python benchmarks/redaction.py`. Both loggers format to an in-memory
stream; the redacting one has secrets in its environment and a URL with a signature
in every line. Prints the ratio (goal <= 1.3x); asserts nothing.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logsafe

LINES = 20_000


def per_line(redacting: bool, url: str) -> float:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    if redacting:
        logsafe.install(handler)
    log = logging.getLogger(f"bench.{redacting}")
    log.propagate = False
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    start = time.perf_counter()
    for i in range(LINES):
        log.info("order %d placed on %s", i, url)
    return (time.perf_counter() - start) / LINES


def main() -> None:
    os.environ.setdefault("BINANCE_API_KEY", "bench-key-" + "x" * 54)
    os.environ.setdefault("BINANCE_API_SECRET", "bench-secret-" + "y" * 51)
    for label, url in (
        ("no secret in the line", "https://api.binance.com/api/v3/order"),
        ("a signature in the line", "https://api.binance.com/api/v3/order?signature=ab12"),
    ):
        per_line(True, url)  # warm-up: compile the patterns once
        plain = per_line(False, url)
        redacted = per_line(True, url)
        print(f"{label}:")
        print(f"  plain logging     {plain * 1e6:8.2f} us/line")
        print(f"  with redaction    {redacted * 1e6:8.2f} us/line")
        print(f"  ratio             {redacted / plain:8.2f} x   (goal <= 1.3)")


if __name__ == "__main__":
    main()
