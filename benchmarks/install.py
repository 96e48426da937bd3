"""Benchmark: a workflow job's install of the pipeline, and the installers on the same lock.

Run: `./dev python benchmarks/install.py [--rounds N] [--against REV]`. The pins of
requirements/uv.txt, ci.txt, build.txt and bot/requirements.txt are downloaded once (from the
machine's configured index, hashes checked) into a local wheelhouse, so the network adds no
noise; then each round times, one after the other, whole processes into fresh folders:

- `scripts/install-pipeline.sh bot/requirements.txt` as a gate job runs it, with a fresh
  RUNNER_TEMP (so uv's cache starts empty, as on a fresh runner), pip and uv told to use the
  wheelhouse only;
- with --against REV: the same script at that revision (exported to a temporary folder);
- the installers alone on requirements/ci.txt + build.txt into a fresh `--without-pip` venv:
  pip, pip with --no-compile, and uv (empty cache).

Figures: wall time, CPU time (user + system of the waited-for processes, RUSAGE_CHILDREN), load
before and after; medians over the rounds, and each command's CPU as a ratio of the script's,
pair by pair. Nothing is asserted: speed goals are read, not tested.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests_gate import Timing, export, timed  # benchmarks/ is this script's own folder

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements/uv.txt", "requirements/ci.txt", "requirements/build.txt")
BOT = "bot/requirements.txt"


def wheelhouse(into: Path) -> Path:
    target = into / "wheels"
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    locks = [arg for lock in (*LOCKS, BOT) for arg in ("-r", str(ROOT / lock))]
    subprocess.run([*pip, "--no-deps", "--require-hashes", *locks, "-d", str(target)], check=True)
    return target


def offline(wheels: Path, temp: Path) -> dict[str, str]:
    """pip and uv with no index and no configuration: the wheelhouse only (uv has no
    variable for --no-index; UV_OFFLINE keeps it off the network)."""
    return {
        **os.environ,
        "RUNNER_TEMP": str(temp),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "UV_NO_CONFIG": "1",
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": str(wheels),
        "UV_CACHE_DIR": str(temp / "uv-cache"),
    }


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> Timing:
    return timed(["env", *(f"{k}={v}" for k, v in env.items()), *argv], cwd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also time the script of this revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wheels = wheelhouse(folder)
        trees = {"install-pipeline.sh": ROOT}
        if args.against:
            trees[f"install-pipeline.sh at {args.against}"] = export(args.against, folder)
        runs: dict[str, list[Timing]] = {}
        for number in range(args.rounds):
            fresh = folder / f"round-{number}"
            fresh.mkdir()
            for name, tree in trees.items():
                temp = fresh / name.replace(" ", "-")
                temp.mkdir()
                script = ["bash", str(tree / "scripts" / "install-pipeline.sh"), BOT]
                runs.setdefault(name, []).append(run(script, tree, offline(wheels, temp)))
            locks = [arg for lock in LOCKS[1:] for arg in ("-r", str(ROOT / lock))]
            uv = fresh / "install-pipeline.sh" / "bottie-venv" / "bin" / "uv"  # from uv.txt
            pip = [sys.executable, "-m", "pip", "--python"]
            quiet = ["install", "--quiet", "--disable-pip-version-check"]
            for name, before, after in (
                ("pip", pip, quiet),
                ("pip --no-compile", pip, [*quiet, "--no-compile"]),
                ("uv", [str(uv), "pip", "install", "--quiet", "--python"], []),
            ):
                temp = fresh / name.replace(" ", "-")
                venv = temp / "venv"
                subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
                argv = [*before, str(venv / "bin" / "python"), *after, "--require-hashes", *locks]
                runs.setdefault(name, []).append(run(argv, ROOT, offline(wheels, temp)))
            for name, timings in runs.items():
                last = timings[-1]
                print(f"  {name}: {last.wall:.1f} s wall, {last.cpu:.1f} s CPU, exit {last.code}")
    script = runs["install-pipeline.sh"]
    print(f"{'command':<42} {'wall':>7} {'CPU':>7} {'CPU / script':>13}  load  exit")
    for name, timings in runs.items():
        ratio = statistics.median(t.cpu / s.cpu for t, s in zip(timings, script, strict=True))
        wall = statistics.median(t.wall for t in timings)
        cpu = statistics.median(t.cpu for t in timings)
        load = f"{timings[0].load[0]:.1f}-{timings[-1].load[1]:.1f}"
        codes = ",".join(str(t.code) for t in timings)
        print(f"{name:<42} {wall:6.1f}s {cpu:6.1f}s {ratio:12.2f}x  {load}  {codes}")


if __name__ == "__main__":
    main()
