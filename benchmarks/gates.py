"""Benchmark: all gates in parallel against in sequence, and the wrapper's overhead.

Run: `./dev python benchmarks/gates.py`. Prints measurements taken in this one run:
- wall time of every gate in sequence, and of all in parallel; parallel / slowest gate
  alone (goal <= 1.15);
- the lint gate against raw `ruff check` + `ruff format --check` (goal: <= 50 ms overhead).
It asserts nothing: speed goals are read, not tested.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ci.core import config
from ci.gates import GATES, GateContext, runner
from ci.gates.lint import LintGate, ruff_executable

ROOT = Path(__file__).resolve().parent.parent


def context(results: str) -> GateContext:
    return GateContext(root=ROOT, config=config.load(ROOT), results_dir=ROOT / results)


def timed(parallel: bool) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    results = runner.run_gates(
        list(GATES.values()), context(".ci-results/bench"), parallel=parallel
    )
    return time.perf_counter() - start, {r.gate: r.duration for r in results}


def lint_overhead(rounds: int = 5) -> tuple[float, float]:
    ruff = ruff_executable()
    cfg = config.load(ROOT).lint
    # The same three ruff calls the gate makes, without the gate around them.
    calls = [
        ["check", *cfg.paths],
        ["format", "--check", *cfg.paths],
        ["check", "--select", "T20", *cfg.print_free],
    ]
    raw = wrapped = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for args in calls:
            subprocess.run([ruff, *args, "--no-cache"], cwd=ROOT, capture_output=True, check=False)
        raw += time.perf_counter() - start
        start = time.perf_counter()
        LintGate().run(context(".ci-results/bench"))
        wrapped += time.perf_counter() - start
    return raw / rounds, wrapped / rounds


def main() -> None:
    sequential, alone = timed(parallel=False)
    parallel, _ = timed(parallel=True)
    slowest_gate, slowest = max(alone.items(), key=lambda item: item[1])
    print(f"gates: {', '.join(GATES)}")
    print(f"sequential wall time       {sequential:7.2f} s")
    print(f"parallel wall time         {parallel:7.2f} s")
    print(f"speed-up                   {sequential / parallel:7.2f} x")
    print(f"slowest gate alone         {slowest:7.2f} s ({slowest_gate})")
    print(f"parallel / slowest alone   {parallel / slowest:7.2f}   (goal <= 1.15)")
    raw, wrapped = lint_overhead()
    print(f"raw ruff (same 3 calls)    {raw * 1000:7.1f} ms")
    print(f"lint gate                  {wrapped * 1000:7.1f} ms")
    overhead = (wrapped - raw) * 1000
    print(f"wrapper overhead           {overhead:7.1f} ms ({wrapped / raw:.2f}x; goal <= 50 ms)")


if __name__ == "__main__":
    main()
