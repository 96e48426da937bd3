"""Benchmark: the tests gate on this repository beside raw pytest, in one run.

Run: `./dev python benchmarks/tests_gate.py [--rounds N] [--against REV]`. Each round times, one
after the other, whole processes as a user starts them:

- `python -m ci run tests`: the gate (pytest-xdist workers, coverage of every subprocess, JUnit
  and coverage XML), goal <= 60 s wall;
- raw pytest on the same tests with the same workers and no coverage: what the gate adds;
- raw pytest with the gate's coverage options: what measuring costs, beside what the gate adds;
- with --against REV: the gate of that revision (exported to a temporary folder, its own `.venv`
  built there before the clock starts), the "before".

Figures: wall time (time.perf_counter around subprocess.run), CPU time (user + system of the
waited-for process tree, from RUSAGE_CHILDREN; a process that is killed rather than waited for,
such as a bot a test stops with a signal, is left out), and the load average before and after.
Medians over the rounds, and each command's wall time as a ratio of the gate's, pair by pair, so a
machine that slows down mid-run moves both. Nothing is asserted: speed goals are read, not tested.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Timing:
    wall: float
    cpu: float
    load: tuple[float, float]  # 1-minute load average before and after
    code: int


def timed(argv: list[str], cwd: Path) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(seconds, cpu, (load, os.getloadavg()[0]), done.returncode)


def pytest_argv(root: Path, *, coverage: bool) -> list[str]:
    """What the gate runs, from [tool.bottie.tests], less or with its coverage options."""
    tests = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["bottie"]["tests"]
    argv = [PYTHON, "-m", "pytest", *tests["paths"], "-q", "-p", "no:cacheprovider"]
    argv += ["-m", " and ".join(f"not {m}" for m in tests["exclude_markers"])]
    argv += ["-n", str(tests["workers"])]
    if coverage:
        argv += [f"--cov={source}" for source in tests["coverage_source"]]
        argv += ["--cov-report=", f"--cov-fail-under={tests['fail_under']}"]
    return argv


def export(rev: str, into: Path) -> Path:
    """REV's tree as a git repository of its own (tests read the checkout they run from)."""
    archive = into / "rev.tar"
    subprocess.run(["git", "archive", "-o", str(archive), rev], cwd=ROOT, check=True)
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    identity = ["-c", "user.name=benchmark", "-c", "user.email=benchmark@example.invalid"]
    for step in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", rev]):
        subprocess.run(["git", *step], cwd=tree, check=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds (each takes minutes)")
    parser.add_argument("--against", metavar="REV", help="also time the gate of this revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results"
        commands = {
            "ci run tests": (
                [PYTHON, "-m", "ci", "run", "tests", "--results-dir", str(results)],
                ROOT,
            ),
            "raw pytest, no coverage": (pytest_argv(ROOT, coverage=False), ROOT),
            "raw pytest + coverage": (pytest_argv(ROOT, coverage=True), ROOT),
        }
        if args.against:
            base = export(args.against, Path(tmp))
            # Its own `.venv`, built before the clock starts, as this checkout's was: a test
            # runs `./dev` in the checkout it is in, and `./dev` installs a missing venv
            # (about 30 s of CPU that would otherwise count against REV alone).
            subprocess.run(
                [str(base / "dev"), "python", "-c", ""],
                cwd=base,
                env={k: v for k, v in os.environ.items() if k != "BOTTIE_VENV"},
                check=True,
            )
            commands[f"ci run tests at {args.against}"] = (
                [PYTHON, "-m", "ci", "run", "tests", "--results-dir", str(Path(tmp) / "base")],
                base,
            )
        runs: dict[str, list[Timing]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (argv, cwd) in commands.items():
                runs[name].append(timing := timed(argv, cwd))
                print(f"  {name}: {timing.wall:.1f} s wall, {timing.cpu:.1f} s CPU,", end=" ")
                print(f"load {timing.load[0]:.1f}-{timing.load[1]:.1f}, exit {timing.code}")
    gate = runs["ci run tests"]
    print(f"{'command':<34} {'wall':>8} {'CPU':>8} {'/ gate':>7}  load before-after  exit")
    for name, timings in runs.items():
        ratio = statistics.median(t.wall / g.wall for t, g in zip(timings, gate, strict=True))
        wall = statistics.median(t.wall for t in timings)
        cpu = statistics.median(t.cpu for t in timings)
        load = f"{timings[0].load[0]:.1f}-{timings[-1].load[1]:.1f}"
        codes = ",".join(str(t.code) for t in timings)
        print(f"{name:<34} {wall:7.1f}s {cpu:7.1f}s {ratio:6.2f}x  {load:>17}  {codes}")
    print("goal: ci run tests <= 60 s wall (CPU / 2 cores bounds it from below)")


if __name__ == "__main__":
    main()
