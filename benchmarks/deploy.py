"""Benchmark: deploy → healthy and rollback → healthy against a cold start of the bot alone.

Run: `./dev python benchmarks/deploy.py`. Works in a temporary clone with a temporary
deploy root; prints the three times and the ratios (goal: rollback <= 1.2 x cold start).
Asserts nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ci.core import config
from ci.core.result import GateResult, Status
from ci.deploy.deployer import Deployer
from ci.gates import runner
from ci.gates.smoke_probe import free_port, running_app, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"BINANCE_API_KEY": "bench-key-0123456789", "BINANCE_API_SECRET": "bench-secret-0123"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def green_checklist(repo: Path) -> Path:
    sha = git(repo, "rev-parse", "HEAD")
    checklist = config.load(repo).checklist
    (repo / ".ci-results").mkdir(exist_ok=True)
    for gate in [*checklist.gates, checklist.env_gate]:
        runner.save(GateResult(gate, Status.PASSED, "benchmark", sha=sha), repo / ".ci-results")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ci",
            "checklist",
            "build",
            "--env",
            "testnet",
            "--attest",
            "rollback-target,toggle-card",
            "--actor",
            "bench",
        ],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, **SECRETS},
    )
    return repo / "checklist.json"


def cold_start(repo: Path) -> float:
    cfg = config.load(repo)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **SECRETS, "STATE_DIR": tmp, "TRADE_ENABLED": "0"}
        start = time.perf_counter()
        with running_app(repo, cfg.app, env, Path(tmp) / "app.log") as app:
            problem = wait_healthy(app, cfg.app.health_path, cfg.app.startup_timeout)
            elapsed = time.perf_counter() - start
    if problem:
        raise SystemExit(f"cold start failed: {problem}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bottie-bench-") as tmp:
        repo = Path(tmp) / "repo"
        git(ROOT, "clone", "--quiet", str(ROOT), str(repo))
        os.environ.update({**SECRETS, "BOTTIE_DEPLOY_ROOT": str(Path(tmp) / "target")})
        port = free_port()
        (repo / "pyproject.toml").write_text(
            (repo / "pyproject.toml").read_text().replace("testnet = 8701", f"testnet = {port}")
        )
        git(repo, "commit", "--quiet", "-am", "benchmark port")
        os.chdir(repo)
        cold = cold_start(repo)
        deployer = Deployer(repo, config.load(repo), "testnet")
        start = time.perf_counter()
        deployer.deploy("HEAD", checklist=green_checklist(repo), approver="bench", push=False)
        first = time.perf_counter() - start
        time.sleep(1)  # deploy tags are stamped to the second
        git(repo, "commit", "--quiet", "--allow-empty", "-m", "second")
        start = time.perf_counter()
        deployer.deploy("HEAD", checklist=green_checklist(repo), approver="bench", push=False)
        second = time.perf_counter() - start
        time.sleep(1)
        start = time.perf_counter()
        deployer.rollback(None, approver="bench", push=False)
        rollback = time.perf_counter() - start
        deployer.target._stop()
    print(f"cold start → healthy        {cold:6.2f} s")
    print(f"first deploy → healthy      {first:6.2f} s  ({first / cold:.2f} x cold start)")
    print(f"second deploy → healthy     {second:6.2f} s  ({second / cold:.2f} x cold start)")
    print(
        f"rollback → healthy          {rollback:6.2f} s  ({rollback / cold:.2f} x cold start; "
        "goal <= 1.2)"
    )


if __name__ == "__main__":
    main()
