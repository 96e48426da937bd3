"""Benchmark: the cost per log line with logsafe's redaction against plain logging.

Run: `./dev python benchmarks/redaction.py`. Two loggers format the same lines to
in-memory streams; one has logsafe installed on its handler, with secrets in the
environment. Batches of the two alternate within one run, and each ratio is the
median over rounds of (redacted batch / the plain batch next to it), so a machine
that slows down or speeds up mid-run affects both sides alike. Time is this thread's
CPU time: other processes on a shared machine do not count. Prints; asserts nothing.

With `--against REV`, REV's logsafe (exported to a temporary folder) is timed too: this
script runs in child processes, one on each logsafe, alternately (`--processes` pairs, same
keys), and prints the median of each case's ratio over the processes on each side.

Goals: a clean line at most 1.3 x plain logging; a line with a secret at most 1.5 x.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import string
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from random import SystemRandom

# --root (a child of --against): whose logsafe is timed; by default this tree's.
sys.path.insert(
    0,
    sys.argv[sys.argv.index("--root") + 1]
    if "--root" in sys.argv
    else str(Path(__file__).resolve().parent.parent),
)

import logsafe

ROOT = Path(__file__).resolve().parent.parent

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


def _cases() -> tuple[tuple[str, str, float], ...]:
    return (
        ("a clean line", BASE_URL, 1.3),
        ("a line with a secret (signature=)", f"{BASE_URL}?symbol=BTCUSDT&signature=ab12cd34", 1.5),
        ("a line with a known key", f"{BASE_URL} key {os.environ['BINANCE_API_KEY']}", 1.5),
    )


def export(rev: str, into: Path) -> Path:
    """REV's tree, extracted (only its logsafe is imported from it)."""
    archive = into / "rev.tar"
    subprocess.run(["git", "archive", "-o", str(archive), rev], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def against(rev: str, processes: int) -> None:
    """This logsafe and REV's, each in its own processes, alternated; the same keys."""
    os.environ.update(BINANCE_API_KEY=_fake_key(), BINANCE_API_SECRET=_fake_key())
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"this tree": ROOT, rev: export(rev, Path(tmp))}
        ratios: dict[str, list[list[float]]] = {side: [] for side in roots}
        for n in range(processes):
            for side in sorted(roots, reverse=bool(n % 2)):
                argv = [sys.executable, __file__, "--json", "--root", str(roots[side])]
                done = subprocess.run(argv, capture_output=True, text=True, check=True)
                ratios[side].append(json.loads(done.stdout))
    for i, (label, _, goal) in enumerate(_cases()):
        print(f"{label} (goal <= {goal}), median of {processes} processes each:")
        for side, runs in ratios.items():
            each = sorted(run[i] for run in runs)
            listed = " ".join(f"{r:.2f}" for r in each)
            print(f"  {side:12s} {statistics.median(each):6.2f} x   ({listed})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", metavar="REV", help="also time REV's logsafe (processes)")
    parser.add_argument("--processes", type=int, default=6, help="with --against: per side")
    parser.add_argument("--json", action="store_true", help="print only the ratios, as JSON")
    parser.add_argument("--root", help=argparse.SUPPRESS)  # read before logsafe's import
    args = parser.parse_args()
    if args.against:
        against(args.against, args.processes)
        return
    os.environ.setdefault("BINANCE_API_KEY", _fake_key())
    os.environ.setdefault("BINANCE_API_SECRET", _fake_key())
    results = [(case, measure(case[1])) for case in _cases()]
    if args.json:
        print(json.dumps([ratio for _, (_, _, ratio) in results]))
        return
    for (label, _, goal), (plain, redacted, ratio) in results:
        print(f"{label}:")
        print(f"  plain logging     {plain * 1e6:8.2f} us/line")
        print(f"  with redaction    {redacted * 1e6:8.2f} us/line")
        print(f"  ratio             {ratio:8.2f} x   (goal <= {goal})")


if __name__ == "__main__":
    main()
