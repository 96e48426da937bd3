"""Benchmark: `ci deploy` and `ci rollback` to healthy, against a cold start of the bot, as whole
commands the way a person runs them, side by side in one run.

Run: `./dev python benchmarks/deploy.py [ROUNDS]`. Works in a temporary clone with a temporary
deploy root. Each round times, in turn: a cold start of the app alone (its command from
`[tool.bottie.app]`, until /health answers), `python -m ci deploy testnet` of a new commit, and
`python -m ci rollback testnet`. The checklist each deploy needs is built before the clock
starts. Prints each round's ratios and their medians (goal: rollback <= 1.2 x cold start).
Asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ci.core import config, runtime  # noqa: E402

SECRETS = {"BINANCE_API_KEY": "bench-key-0123456789", "BINANCE_API_SECRET": "bench-secret-0123"}
GATES = ("tests", "smoke", "secrets", "lint", "audit", "env")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def ci(repo: Path, *args: str) -> float:
    """Seconds `python -m ci ARGS` takes, as a whole process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ci", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's pipeline, not the clone's
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ci {' '.join(args)} failed: {done.stderr.strip()}")
    return elapsed


def green_checklist(repo: Path) -> None:
    """Every gate passed on HEAD, and its checklist (not timed: it is not part of a deploy)."""
    from ci.core.result import GateResult, Status
    from ci.gates import runner

    sha = git(repo, "rev-parse", "HEAD")
    (repo / ".ci-results").mkdir(exist_ok=True)
    for gate in GATES:
        runner.save(GateResult(gate, Status.PASSED, "benchmark", sha=sha), repo / ".ci-results")
    attest = ("--attest", "rollback-target,toggle-card", "--actor", "bench")
    ci(repo, "checklist", "build", "--env", "testnet", *attest)


def cold_start(repo: Path) -> float:
    """Seconds from starting the app alone to its first healthy answer."""
    cfg = config.load(repo)
    port = runtime.free_port()
    argv = runtime.app_command(cfg.app.command, port=port, python=sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **SECRETS, "STATE_DIR": tmp, "TRADE_ENABLED": "0"}
        start = time.perf_counter()
        app = runtime.start(argv, cwd=repo, env=env, log_path=Path(tmp) / "app.log")
        try:
            url = f"http://127.0.0.1:{port}{cfg.profile.probes.health}"
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=1):
                        break
                except OSError:
                    if app.poll() is not None or time.perf_counter() - start > 30:
                        raise SystemExit("the app never became healthy") from None
                    time.sleep(0.02)
            return time.perf_counter() - start
        finally:
            runtime.stop_group(app.pid)
            app.wait()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="bottie-bench-") as tmp:
        repo = Path(tmp) / "repo"
        git(ROOT, "clone", "--quiet", str(ROOT), str(repo))
        port = runtime.free_port()
        text = (repo / "pyproject.toml").read_text()
        (repo / "pyproject.toml").write_text(text.replace("testnet = 8701", f"testnet = {port}"))
        git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "bench port")
        os.environ.update({**SECRETS, "BOTTIE_DEPLOY_ROOT": str(Path(tmp) / "target")})
        green_checklist(repo)
        ci(repo, "deploy", "testnet", "--no-push")  # the release the rollbacks return to
        rows = []
        try:
            for n in range(rounds):
                cold = cold_start(repo)
                git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q",
                    "--allow-empty", "-m", f"round {n}")  # fmt: skip
                green_checklist(repo)
                deploy = ci(repo, "deploy", "testnet", "--no-push")
                rollback = ci(repo, "rollback", "testnet", "--no-push")
                rows.append((cold, deploy, rollback))
                print(
                    f"round {n + 1}: cold start {cold:5.2f} s   "
                    f"deploy {deploy:5.2f} s ({deploy / cold:4.2f} x)   "
                    f"rollback {rollback:5.2f} s ({rollback / cold:4.2f} x)"
                )
        finally:
            subprocess.run([sys.executable, "-m", "ci", "pause", "testnet"], cwd=repo,
                           capture_output=True, check=False)  # fmt: skip
            pid_file = Path(tmp) / "target" / "testnet" / "shared" / "bot.pid"
            if pid_file.exists():
                runtime.stop_group(int(pid_file.read_text()))
    print(
        f"median: deploy {statistics.median(r[1] / r[0] for r in rows):.2f} x cold start, "
        f"rollback {statistics.median(r[2] / r[0] for r in rows):.2f} x cold start (goal <= 1.2)"
    )


if __name__ == "__main__":
    main()
