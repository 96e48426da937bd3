"""Benchmark: `python -m ci run secrets` against raw `gitleaks git`, whole commands.

Run: `./dev python benchmarks/secrets.py [REPO]` (default: this repository). Both run
on the same repository with the same config, alternately, ROUNDS times each; prints
the median of each and the ratio (goal <= 1.2: one pass over history, SARIF derived
from the JSON report). Uncommitted files add a small second scan to the gate: commit
or stash first for the comparison the goal is about. Asserts nothing.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    repo = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    gitleaks = str(Path(sys.executable).with_name("gitleaks"))
    config = repo / ".gitleaks.toml"
    raw = [gitleaks, "git", "--redact", "--no-banner", "--log-level=error", str(repo)]
    if config.is_file():
        raw.append(f"--config={config}")
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bottie-bench-") as results:
        gate = [sys.executable, "-m", "ci", "run", "secrets", "--results-dir", results]
        timed(gate, repo)  # warm caches once
        gate_times, raw_times = [], []
        for _ in range(ROUNDS):
            gate_times.append(timed(gate, repo))
            raw_times.append(timed(raw, repo))
    g, r = statistics.median(gate_times), statistics.median(raw_times)
    print(f"repository: {repo}{' (uncommitted changes: the gate scans them too)' if dirty else ''}")
    print(f"raw gitleaks git:        {r:6.2f} s (median of {ROUNDS})")
    print(f"python -m ci run secrets: {g:6.2f} s (median of {ROUNDS})")
    print(f"ratio: {g / r:.2f} x (goal <= 1.2)")


if __name__ == "__main__":
    main()
