"""Benchmark: the cost per log line with logsafe's redaction against plain logging.

Run: `./dev python benchmarks/redaction.py`. Two loggers format the same lines to
in-memory streams; one has logsafe installed on its handler, with secrets in the
environment. Batches of the two alternate within one run, and each ratio is the
median over rounds of (redacted batch / the plain batch next to it), so a machine
that slows down or speeds up mid-run affects both sides alike. Time is this thread's
CPU time: other processes on a shared machine do not count. Prints; asserts nothing.

Goals: a clean line at most 1.3 x plain logging; a line with a secret at most 1.5 x.
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import string
import sys
import time
from pathlib import Path
from random import SystemRandom

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logsafe

LINES_PER_BATCH = 2_000
ROUNDS = 31
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
BASE_URL = "https://api.binance.com/api/v3/order"


def _logger(name: str, redacting: bool) -> logging.Logger:
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter(FORMAT))
    if redacting:
        logsafe.install(handler)
    log = logging.getLogger(f"bench.{name}")
    log.propagate = False
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    return log


def _batch(log: logging.Logger, url: str) -> float:
    """CPU seconds per line for one batch."""
    start = time.thread_time()
    for i in range(LINES_PER_BATCH):
        log.info("order %d placed on %s", i, url)
    elapsed = time.thread_time() - start
    handler = log.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.stream.seek(0)
    handler.stream.truncate()
    return elapsed / LINES_PER_BATCH


def measure(url: str) -> tuple[float, float, float]:
    """(plain seconds per line, redacted seconds per line, median ratio)."""
    plain, redacted = _logger("plain", False), _logger("redacted", True)
    _batch(redacted, url)  # warm-up: compile the patterns, read the environment
    _batch(plain, url)
    plain_times, redacted_times, ratios = [], [], []
    for round_ in range(ROUNDS):
        if round_ % 2:
            r, p = _batch(redacted, url), _batch(plain, url)
        else:
            p, r = _batch(plain, url), _batch(redacted, url)
        plain_times.append(p)
        redacted_times.append(r)
        ratios.append(r / p)
    return (
        statistics.median(plain_times),
        statistics.median(redacted_times),
        statistics.median(ratios),
    )


def _fake_key() -> str:
    """An exchange-style key, made up at run time."""
    return "".join(SystemRandom().choice(string.ascii_letters + string.digits) for _ in range(64))


def main() -> None:
    os.environ["BINANCE_API_KEY"] = _fake_key()
    os.environ["BINANCE_API_SECRET"] = _fake_key()
    cases = (
        ("a clean line", BASE_URL, 1.3),
        ("a line with a secret (signature=)", f"{BASE_URL}?symbol=BTCUSDT&signature=ab12cd34", 1.5),
        ("a line with a known key", f"{BASE_URL} key {os.environ['BINANCE_API_KEY']}", 1.5),
    )
    for label, url, goal in cases:
        plain, redacted, ratio = measure(url)
        print(f"{label}:")
        print(f"  plain logging     {plain * 1e6:8.2f} us/line")
        print(f"  with redaction    {redacted * 1e6:8.2f} us/line")
        print(f"  ratio             {ratio:8.2f} x   (goal <= {goal})")


if __name__ == "__main__":
    main()
