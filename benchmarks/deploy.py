"""Benchmark: `ci deploy` and `ci rollback` to healthy, against a cold start of the bot, as whole
commands the way a person runs them, side by side in one run.

Run: `./dev python benchmarks/deploy.py [--rounds N] [--against REV]`. Works in a temporary
clone with a temporary deploy root. Each round times, in turn: a cold start of the app alone
(its command from `[tool.bottie.app]`, under the interpreter the deployed release runs under:
the environment the first, untimed deploy built from the bot's lock), `python -m ci deploy
testnet` of a new commit, and
`python -m ci rollback testnet`; with `--against REV`, a second cold start, deploy and rollback
follow with REV's pipeline doing the rollback (the "before"), the two alternating which goes
first. The checklist each deploy needs is built before the clock starts.

Measured the same way on both sides: wall time from starting the process to the bot answering
its health route, polled by the very function the deployer polls with
(`ci.core.runtime.wait_healthy`); for a command, until it exits (it answers only once the bot is
healthy, checked and tagged). CPU time: the cold start's process group at its first healthy
answer; a command's own process tree (RUSAGE_CHILDREN: the CLI and the git processes it waited
for) plus its new bot's process group when the command exits. The old bot's shutdown is not
counted. Prints each round's figures, their ratios to the cold start beside it and the medians
(goal: rollback <= 1.2 x), the load average. Compiles bytecode first (`compiled`). Asserts nothing.

Where a rollback's time goes beyond the cold start's: for each command, the CPU of its own
process tree alone ("own", without the bot), and how long after the command started its new bot
was started ("bot at", from the two processes' start times in /proc, to the kernel's clock
tick: 10 ms here). The bot's own start-up is the cold start's; the rest is the command's:
the wait before its bot starts, and its own CPU beside the bot's on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests_gate import export  # noqa: E402 (benchmarks/ is this script's own folder)

from ci.core import config, runtime  # noqa: E402

# Made-up exchange keys, built from parts so that no line holds one whole.
SECRETS = {
    "BINANCE_API_KEY": "-".join(("bench", "key", "0123456789")),
    "BINANCE_API_SECRET": "-".join(("bench", "secret", "0123")),
}
GATES = ("tests", "smoke", "secrets", "lint", "audit", "env")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    own_cpu: float | None = None  # a command's process tree alone, without its new bot
    bot_at: float | None = None  # from a command's start to its new bot's start


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def stat_fields(pid: int | str) -> list[str] | None:
    """/proc/PID/stat after the command's name: state (0), ppid, pgrp, ... utime (11), stime
    (12), ... starttime (19); None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def group_cpu(pgid: int) -> float:
    """User + system seconds of the processes in group `pgid` now (/proc/PID/stat)."""
    total = 0
    for entry in Path("/proc").iterdir():
        fields = stat_fields(entry.name) if entry.name.isdigit() else None
        if fields is not None and int(fields[2]) == pgid:  # pgrp (2)
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def started_at(pid: int) -> float | None:
    """When process `pid` started, in seconds since boot (to the clock tick), or None when it
    is gone."""
    fields = stat_fields(pid)
    return int(fields[19]) / TICKS if fields is not None else None


def ci(repo: Path, pipeline: Path, *args: str) -> Timing:
    """`python -m ci ARGS` of the pipeline in `pipeline`, as a whole process."""
    pid_file = Path(os.environ["BOTTIE_DEPLOY_ROOT"]) / "testnet" / "shared" / "bot.pid"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = subprocess.Popen(
        # -P: `-m` would put the clone first on sys.path, and its own ci/ would run instead
        [sys.executable, "-P", "-m", "ci", *args],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(pipeline)},  # that pipeline, not the clone's
    )
    command_at = started_at(command.pid)
    _, stderr = command.communicate()
    elapsed = time.perf_counter() - start
    if command.returncode != 0:
        raise SystemExit(f"ci {' '.join(args)} failed: {stderr.strip()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    bot_pid = int(pid_file.read_text()) if pid_file.exists() else None
    bot = group_cpu(bot_pid) if bot_pid else 0.0
    bot_at = started_at(bot_pid) if bot_pid else None
    at = bot_at - command_at if bot_at is not None and command_at is not None else None
    return Timing(elapsed, cpu + bot, cpu, at)


def compiled(*folders: Path) -> None:
    """Write the bytecode of every module in `folders`, as an installation has it.

    Both pipelines and the app's own modules, before anything is timed: as an installed
    pipeline and an app that ran before have them. Where PYTHONDONTWRITEBYTECODE is set (here,
    and on some CI machines) every command would otherwise compile the pipeline's modules again,
    about 45 ms of CPU a command here, which a user does not pay."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *map(str, folders)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def green_checklist(repo: Path) -> None:
    """Every gate passed on HEAD, and its checklist (not timed: it is not part of a deploy)."""
    from ci.core.result import GateResult, Status
    from ci.gates import runner

    sha = git(repo, "rev-parse", "HEAD")
    (repo / ".ci-results").mkdir(exist_ok=True)
    for gate in GATES:
        runner.save(GateResult(gate, Status.PASSED, "benchmark", sha=sha), repo / ".ci-results")
    attest = ("--attest", "rollback-target,toggle-card", "--actor", "bench")
    ci(repo, ROOT, "checklist", "build", "--env", "testnet", *attest)


def cold_start(repo: Path, python: str) -> Timing:
    """From starting the app alone, under `python`, to its first healthy answer."""
    cfg = config.load(repo)
    port = runtime.free_port()
    argv = runtime.app_command(cfg.app.command, port=port, python=python)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **SECRETS, "STATE_DIR": tmp, "TRADE_ENABLED": "0"}
        start = time.perf_counter()
        app = runtime.start(argv, cwd=repo, env=env, log_path=Path(tmp) / "app.log")
        try:
            url = f"http://127.0.0.1:{port}{cfg.profile.probes.health}"
            health = runtime.wait_healthy(url, timeout=30, running=lambda: app.poll() is None)
            elapsed = time.perf_counter() - start
            if not health.ok:
                raise SystemExit(f"the app never became healthy: {health.detail}")
            return Timing(elapsed, group_cpu(app.pid))
        finally:
            runtime.stop_group(app.pid)
            app.wait()


def release_python(root: Path) -> str:
    """The interpreter the live release runs under: the environment the deploy built from the
    bot's lock (recorded in its `.release.json`), or this one when it recorded none. The cold
    start runs under the same, so both sides start the same bot from the same packages."""
    meta = json.loads((root / "testnet" / "current" / ".release.json").read_text())
    return str(meta.get("python") or sys.executable)


def one_rollback(repo: Path, pipeline: Path, n: int, python: str) -> tuple[Timing, Timing, Timing]:
    """A cold start, a deploy of a new commit, and the rollback `pipeline` makes of it."""
    cold = cold_start(repo, python)
    git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q",
        "--allow-empty", "-m", f"round {n}")  # fmt: skip
    green_checklist(repo)
    deploy = ci(repo, ROOT, "deploy", "testnet", "--no-push")
    return cold, deploy, ci(repo, pipeline, "rollback", "testnet", "--no-push")


def row(name: str, cold: Timing, deploy: Timing, rollback: Timing) -> str:
    def part(what: str, t: Timing) -> str:
        ratios = f"{t.wall / cold.wall:4.2f} x, CPU {t.cpu / cold.cpu:4.2f} x"
        own = f", own {t.own_cpu:4.2f}" if t.own_cpu is not None else ""
        at = f", bot at {t.bot_at:4.2f} s" if t.bot_at is not None else ""
        return f"{what} {t.wall:5.2f} s {t.cpu:4.2f} s CPU{own}{at} ({ratios})"

    cold_part = f"cold {cold.wall:5.2f} s {cold.cpu:4.2f} s CPU"
    return f"{name:<8} {cold_part}   {part('deploy', deploy)}   {part('rollback', rollback)}"


def ratio(rows: list[tuple[Timing, Timing, Timing]], i: int, unit: str) -> float:
    """The median over rounds of command `i`'s figure over the cold start's beside it."""
    return statistics.median(float(getattr(r[i], unit) / getattr(r[0], unit)) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also roll back with REV's pipeline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bottie-bench-") as tmp:
        pipelines = {"this": ROOT}
        if args.against:
            pipelines[args.against] = export(args.against, Path(tmp))
        repo = Path(tmp) / "repo"
        git(ROOT, "clone", "--quiet", str(ROOT), str(repo))
        port = runtime.free_port()
        text = (repo / "pyproject.toml").read_text()
        (repo / "pyproject.toml").write_text(text.replace("testnet = 8701", f"testnet = {port}"))
        git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "bench port")
        compiled(*(p / d for p in pipelines.values() for d in ("ci", "logsafe")), repo / "bot")
        os.environ.update({**SECRETS, "BOTTIE_DEPLOY_ROOT": str(Path(tmp) / "target")})
        green_checklist(repo)
        # The release the rollbacks return to; it builds the bot's environment (not timed).
        ci(repo, ROOT, "deploy", "testnet", "--no-push")
        python = release_python(Path(tmp) / "target")
        print(f"the bot runs under {python}")
        rows: dict[str, list[tuple[Timing, Timing, Timing]]] = {name: [] for name in pipelines}
        try:
            for n in range(args.rounds):
                names = list(pipelines) if n % 2 == 0 else list(reversed(pipelines))
                load = os.getloadavg()[0]
                for name in names:
                    rows[name].append(one_rollback(repo, pipelines[name], n, python))
                    print(f"round {n + 1} {row(name, *rows[name][-1])}")
                print(f"  load {load:.1f} -> {os.getloadavg()[0]:.1f}")
        finally:
            subprocess.run([sys.executable, "-m", "ci", "pause", "testnet"], cwd=repo,
                           capture_output=True, check=False)  # fmt: skip
            pid_file = Path(tmp) / "target" / "testnet" / "shared" / "bot.pid"
            if pid_file.exists():
                runtime.stop_group(int(pid_file.read_text()))
    for name, found in rows.items():
        deploy = ratio(found, 1, "wall"), ratio(found, 1, "cpu")
        rollback = ratio(found, 2, "wall"), ratio(found, 2, "cpu")
        print(
            f"median {name}: deploy {deploy[0]:.2f} x cold start (CPU {deploy[1]:.2f} x), "
            f"rollback {rollback[0]:.2f} x (CPU {rollback[1]:.2f} x); goal: rollback <= 1.2 x"
        )
        own = [r[2].own_cpu for r in found if r[2].own_cpu is not None]
        at = [r[2].bot_at for r in found if r[2].bot_at is not None]
        if own and at:
            print(
                f"  its rollback's own CPU {statistics.median(own):.2f} s, "
                f"its bot started {statistics.median(at):.2f} s after the command (medians)"
            )


if __name__ == "__main__":
    main()
