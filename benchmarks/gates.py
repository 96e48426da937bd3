"""Benchmark: all gates in parallel against in sequence, and the wrapper's overhead.

Run: `./dev python benchmarks/gates.py`. Prints measurements taken in this one run:
- wall time of every gate in sequence, and of all in parallel; parallel / slowest gate
  alone (goal <= 1.15);
- the lint gate against raw `ruff check` + `ruff format --check` (goal: <= 50 ms overhead);
- the runner alone: four gates that each sleep half a second, in parallel (goal < 1.5 s,
  once an assertion in tests/gates/test_runner.py, which now checks only that they overlap).
It asserts nothing: speed goals are read, not tested.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ci.core import config
from ci.core.result import GateResult, Status
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


class Sleeper:
    """A gate that only sleeps: what is left is the runner's own cost."""

    description = "sleeps"
    needs: tuple[str, ...] = ()

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds

    def run(self, ctx: GateContext) -> GateResult:
        time.sleep(self.seconds)
        return GateResult(self.name, Status.PASSED, "slept")


def runner_overhead() -> float:
    gates = [Sleeper(f"sleep{i}", 0.5) for i in range(4)]
    start = time.perf_counter()
    runner.run_gates(gates, context(".ci-results/bench-sleep"))  # type: ignore[arg-type]
    return time.perf_counter() - start


def main() -> None:
    print(f"4 x 0.5 s gates, parallel  {runner_overhead():7.2f} s   (goal < 1.5 s)")
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
