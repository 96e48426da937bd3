"""Benchmark: whole commands as a user runs them, each beside its yardstick, in one run.

Run: `./dev python benchmarks/gates.py [--tests] [--gates] [--rounds N]`. Every figure is the
wall time of a whole process (start-up included), taken with time.perf_counter around
subprocess.run; a command and its yardstick alternate (A B A B ...) and the ratio is taken pair
by pair, so a machine that slows down mid-run moves both. Medians are printed; nothing is
asserted: speed goals are read, not tested.

- CLI start-up: `python -m ci --help` and `run --list` against a bare `python -c pass`
  (goal <= 0.12 s);
- `./dev python -c pass` against the venv's python directly (goal: <= 30 ms more);
- `python -m ci run lint` against raw ruff doing the same work with its cache (goal <= 3 x);
- `pre-commit run` with one staged line, in a scratch clone, against the raw tools it wraps:
  gitleaks on the staged change, ruff check and format on the file (goal <= 1.5 x);
- with --tests: the tests gate's wall and CPU time (goal <= 60 s wall);
- with --gates: all gates in parallel against in sequence and the slowest gate alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def wall(argv: Sequence[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, check=False)
    return time.perf_counter() - start


def paired(
    a: Sequence[str], b: Sequence[str], rounds: int, cwd: Path = ROOT
) -> tuple[float, float, float]:
    """Medians of A's wall time, B's, and of A/B pair by pair (after one warm-up each)."""
    wall(a, cwd), wall(b, cwd)
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(wall(a, cwd))
        times_b.append(wall(b, cwd))
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def row(label: str, a: float, b: float, ratio: float, goal: str) -> None:
    print(f"{label:<34} {a * 1000:8.1f} ms  vs {b * 1000:7.1f} ms  {ratio:6.2f} x   {goal}")


def cli_start(rounds: int) -> None:
    bare = [PYTHON, "-c", "pass"]
    for args in (["--help"], ["run", "--list"]):
        a, b, r = paired([PYTHON, "-m", "ci", *args], bare, rounds)
        row(f"python -m ci {' '.join(args)} / python", a, b, r, "(goal <= 120 ms)")


def dev_overhead(rounds: int) -> None:
    a, b, r = paired([str(ROOT / "dev"), "python", "-c", "pass"], [PYTHON, "-c", "pass"], rounds)
    row("./dev python / venv python", a, b, r, f"(+{(a - b) * 1000:.0f} ms; goal <= +30 ms)")


def lint(rounds: int) -> None:
    ruff = str(BIN / "ruff")
    raw = ["sh", "-c", f"'{ruff}' check -q . ; '{ruff}' format -q --check ."]
    a, b, r = paired([PYTHON, "-m", "ci", "run", "lint"], raw, rounds)
    row("ci run lint / raw ruff (cached)", a, b, r, "(goal <= 3 x)")


def pre_commit(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        target = clone / "bot" / "state.py"
        text = target.read_text().replace(
            'ORDERS = "orders.json"\n', 'ORDERS = "orders.json"\nLINE = 1\n'
        )
        target.write_text(text)
        subprocess.run(["git", "add", "bot/state.py"], cwd=clone, check=True)
        gitleaks = shutil.which("gitleaks", path=ENV["PATH"]) or "gitleaks"
        ruff = str(BIN / "ruff")
        raw = [
            "sh",
            "-c",
            f"'{gitleaks}' git --pre-commit --staged --no-banner -c .gitleaks.toml . ;"
            f" '{ruff}' check -q bot/state.py ; '{ruff}' format -q --check bot/state.py",
        ]
        a, b, r = paired([str(BIN / "pre-commit"), "run"], raw, rounds, cwd=clone)
        row("pre-commit run / raw tools", a, b, r, "(goal <= 1.5 x)")


def tests_gate() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = wall([PYTHON, "-m", "ci", "run", "tests"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{'ci run tests':<34} {seconds:8.1f} s wall, {cpu:.1f} s CPU   (goal <= 60 s wall)")


def gates() -> None:
    sequential = wall([PYTHON, "-m", "ci", "run", "--sequential"])
    parallel = wall([PYTHON, "-m", "ci", "run"])
    slowest = wall([PYTHON, "-m", "ci", "run", "tests"])
    print(f"{'all gates in sequence':<34} {sequential:8.1f} s")
    print(f"{'all gates in parallel':<34} {parallel:8.1f} s ({sequential / parallel:.2f} x faster)")
    print(f"{'parallel / tests gate alone':<34} {parallel / slowest:8.2f}   (goal <= 1.15)")


class Sleeper:
    """A gate that only sleeps: what is left is the runner's own cost."""

    description = "sleeps"
    needs: tuple[str, ...] = ()

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds

    def run(self, ctx: object) -> object:
        from ci.core.result import GateResult, Status

        time.sleep(self.seconds)
        return GateResult(self.name, Status.PASSED, "slept")


def runner_overhead() -> None:
    """Four half-second gates in parallel: the runner's own cost (goal < 1.5 s in all)."""
    sys.path.insert(0, str(ROOT))
    from ci.core.config import Config
    from ci.gates import runner
    from ci.gates.interface import GateContext

    gates = [Sleeper(f"sleep{i}", 0.5) for i in range(4)]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = GateContext(
            root=ROOT, settings=Config().model_dump(mode="json"), results_dir=Path(tmp)
        )
        start = time.perf_counter()
        runner.run_gates(gates, ctx)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
    print(f"{'4 x 0.5 s gates, in parallel':<34} {seconds:8.2f} s   (goal < 1.5 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="pairs per comparison")
    parser.add_argument("--tests", action="store_true", help="also time the tests gate")
    parser.add_argument("--gates", action="store_true", help="also time all gates")
    args = parser.parse_args()
    print(f"{'command / yardstick':<34} {'median A':>11}  vs {'median B':>10}  {'A/B':>6}")
    cli_start(args.rounds)
    dev_overhead(args.rounds)
    lint(args.rounds)
    pre_commit(max(args.rounds // 2, 3))
    runner_overhead()
    if args.tests:
        tests_gate()
    if args.gates:
        gates()


if __name__ == "__main__":
    main()
