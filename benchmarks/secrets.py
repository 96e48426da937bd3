"""Benchmark: `python -m ci run secrets` against raw `gitleaks git`, whole commands.

Run: `./dev python benchmarks/secrets.py [REPO]` (default: this repository). Both run
on the same repository with the same config, alternately, ROUNDS times each; prints
the median wall and CPU time of each and their ratios (goal <= 1.2 wall: one pass over
history, SARIF derived from the JSON report). Uncommitted files add a small second
scan to the gate: commit or stash first for the comparison the goal is about.
Asserts nothing.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
    g, r = (statistics.median(t[0] for t in times) for times in (gate_times, raw_times))
    gc, rc = (statistics.median(t[1] for t in times) for times in (gate_times, raw_times))
    print(f"repository: {repo}{' (uncommitted changes: the gate scans them too)' if dirty else ''}")
    print(f"raw gitleaks git:         {r:6.2f} s wall, {rc:6.2f} s CPU (median of {ROUNDS})")
    print(f"python -m ci run secrets: {g:6.2f} s wall, {gc:6.2f} s CPU (median of {ROUNDS})")
    print(f"ratio: {g / r:.2f} x wall (goal <= 1.2), {gc / rc:.2f} x CPU")


if __name__ == "__main__":
    main()
